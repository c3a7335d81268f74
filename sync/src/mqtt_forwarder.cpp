#include "edgestock/sync/mqtt_forwarder.hpp"

#include <mqtt/async_client.h>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <expected>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "edgestock/config/secret_file.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/backoff.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/alerts.hpp"
#include "edgestock/sync/outage_log.hpp"
#include "edgestock/sync/status_message.hpp"
#include "edgestock/sync/stock_event.hpp"

namespace edgestock::sync {
namespace {

constexpr int kQos = 1;
constexpr std::chrono::seconds kPollInterval{1};
constexpr std::chrono::milliseconds kAckFlushDelay{20};
constexpr std::size_t kMaxHeldAlerts = 100;
// What a CONNACK refusal or a Paho failure code means to the IT desk.
std::string describe_failure(const mqtt::token& token, bool tls) {
  const int rc = token.get_return_code();
  switch (rc) {
    case 1:
      return "the broker refused the protocol version (try mqtt.version 4)";
    case 2:
      return "the broker rejected the client id (the terminal id)";
    case 3:
      return "the broker is unavailable";
    case 4:
      return "the broker refused the user name or password (check mqtt.username and mqtt.password_file)";
    case 5:
      return "the broker says this terminal is not authorized (check mqtt.username and mqtt.password_file)";
    case 0x86:
      return "the broker refused the user name or password (check mqtt.username and mqtt.password_file)";
    case 0x87:
      return "the broker says this terminal is not authorized (check mqtt.username and mqtt.password_file)";
    default:
      break;
  }
  // Paho reports 255 as the reason of a v3 failure: only a v5 broker gives one.
  const auto reason = token.get_reason_code();
  if (reason != mqtt::ReasonCode::SUCCESS && static_cast<int>(reason) != 255) {
    std::ostringstream text;
    text << "the broker refused: " << reason;
    return text.str();
  }
  if (tls) {
    return "cannot connect to the broker over TLS: it is down, or its certificate is not signed by "
           "mqtt.tls.ca_file or not issued for its host name, or it refused the client certificate (Paho code " +
           std::to_string(rc) + ")";
  }
  return "cannot reach the broker (Paho code " + std::to_string(rc) + ")";
}

}  // namespace

Topics::Topics(const config::MqttSettings& mqtt, const std::string& site, const std::string& terminal)
    : events(mqtt.prefix + "/" + site + "/" + terminal + "/events"),
      status(mqtt.prefix + "/" + site + "/" + terminal + "/status"),
      alerts(mqtt.prefix + "/" + site + "/" + terminal + "/alerts"),
      config_site(mqtt.prefix + "/" + site + "/config"),
      config_terminal(mqtt.prefix + "/" + site + "/" + terminal + "/config"),
      config_state(mqtt.prefix + "/" + site + "/" + terminal + "/config/state"),
      keys(mqtt.prefix + "/keys"),
      command(mqtt.prefix + "/" + site + "/" + terminal + "/cmd"),
      command_ack(mqtt.prefix + "/" + site + "/" + terminal + "/cmd/ack") {}

class MqttForwarder::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, storage::Ledger& ledger, const config::Settings& settings,
       const storage::Clock& clock, std::string version)
      : io_(io),
        ledger_(ledger),
        settings_(settings),
        clock_(clock),
        version_(std::move(version)),
        topics_(settings.mqtt, settings.site, settings.terminal),
        backoff_(std::chrono::milliseconds(settings.mqtt.reconnect_min_ms),
                 std::chrono::milliseconds(settings.mqtt.reconnect_max_ms)),
        jitter_(std::random_device{}()),
        reconnect_timer_(io),
        tick_timer_(io),
        flush_timer_(io) {}

  std::string start();
  void wake() {
    boost::asio::post(io_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->backlog_may_have_changed_ = true;
        self->pump();
        self->tick_soon();
      }
    });
  }
  // Both destinations' backlogs, read once for a decision and the status.
  struct Backlogs {
    std::expected<std::int64_t, storage::LedgerError> mqtt;
    std::expected<std::int64_t, storage::LedgerError> odoo;
  };
  Backlogs read_backlogs() const {
    return {ledger_.outbox().backlog(storage::kDestinationMqtt), ledger_.outbox().backlog(storage::kDestinationOdoo)};
  }
  // By a tenth, by 100 events, or to or from nothing: worth a status now.
  bool backlog_changed_materially(const Backlogs& backlogs) const {
    if (!backlogs.mqtt || !backlogs.odoo) return true;  // the status says why
    const auto now = *backlogs.mqtt + *backlogs.odoo;
    const auto before = reported_backlog_;
    if (before < 0 || (now == 0) != (before == 0)) return true;
    return std::abs(now - before) >= std::max<std::int64_t>(100, before / 10);
  }
  void stop();
  void set_device_states(std::function<std::vector<DeviceState>()> devices) { devices_ = std::move(devices); }
  void set_log(std::function<void(const std::string&)> log) { log_ = std::move(log); }
  void set_writer(std::function<void(std::function<void()>)> writer) { writer_ = std::move(writer); }
  void set_config_handler(std::function<void(ConfigMessage)> handler, std::size_t cap) {
    config_handler_ = std::move(handler);
    config_cap_ = cap;
  }
  void subscribe_config();
  void publish_config_state(const std::string& json);
  bool publish_command_ack(const std::string& json);
  void raise_alert(const std::string& kind, const std::string& message) {
    on_loop(io_, weak_from_this(), [kind, message](Impl& impl) {
      // Raised while offline: kept (the newest kMaxHeldAlerts) until connected.
      impl.held_alerts_.push_back(
          alert_json(AlertReport{kind, impl.settings_.site, impl.settings_.terminal, impl.clock_.now_ms(), message}));
      if (impl.held_alerts_.size() > kMaxHeldAlerts) impl.held_alerts_.pop_front();
      impl.publish_held_alerts();
    });
  }
  std::vector<std::string> take_held_alerts() {
    std::vector<std::string> held(held_alerts_.begin(), held_alerts_.end());
    held_alerts_.clear();
    return held;
  }
  void hold_alerts(const std::vector<std::string>& alerts) {
    for (const auto& alert : alerts) {
      held_alerts_.push_back(alert);
      if (held_alerts_.size() > kMaxHeldAlerts) held_alerts_.pop_front();
    }
    publish_held_alerts();
  }
  // stop() on the event loop, waiting for it when called from another thread.
  void stop_from_anywhere() {
    if (io_.get_executor().running_in_this_thread() || io_.stopped()) {
      stop();
      return;
    }
    // The promise is shared with the posted work: if the wait below gives up,
    // the work may still run later and must not touch a dead promise.
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    boost::asio::post(io_, [weak = weak_from_this(), done] {
      if (auto self = weak.lock()) self->stop();
      done->set_value();
    });
    if (finished.wait_for(std::chrono::seconds(10)) != std::future_status::ready) stop();
  }
  ForwarderStatus status() const {
    std::lock_guard lock(status_mutex_);
    return status_;
  }

 private:
  // Runs `work` on the event loop if the forwarder still exists then. Paho
  // calls back on its own threads, and this is all they ever do: they hold
  // only a weak reference, never the forwarder itself, so the forwarder is
  // never destroyed on a Paho thread inside its own client's callback.
  template <typename Work>
  static void on_loop(boost::asio::io_context& io, std::weak_ptr<Impl> weak, Work work) {
    boost::asio::post(io, [weak = std::move(weak), work = std::move(work)]() mutable {
      if (auto self = weak.lock()) work(*self);
    });
  }

  class Listener final : public mqtt::iaction_listener {
   public:
    using Handler = std::function<void(const mqtt::token&, bool)>;
    explicit Listener(Handler handler) : handler_(std::move(handler)) {}
    void on_success(const mqtt::token& token) override { handler_(token, true); }
    void on_failure(const mqtt::token& token) override { handler_(token, false); }

   private:
    Handler handler_;
  };

  void connect();
  [[nodiscard]] std::string make_client();
  void on_connect_result(bool ok, const std::string& why, bool session_present);
  void on_connection_lost(const std::string& cause);
  void schedule_reconnect();
  void pump();
  void on_publish_result(void* context, bool ok);
  void take_publish_results() {
    std::vector<std::pair<void*, bool>> results;
    {
      std::lock_guard lock(inbox_->mutex);
      results.swap(inbox_->results);
      inbox_->posted = false;
    }
    for (const auto& [context, ok] : results) on_publish_result(context, ok);
    pump();  // refill the window first; the bookkeeping can wait a moment
    // Acknowledgements leave the outbox in batches: at once when many have
    // come, else within kAckFlushDelay (a crash in between only means resends).
    if (acked_.size() >= std::max<std::size_t>(64, static_cast<std::size_t>(settings_.mqtt.window) / 2)) {
      flush_acks();
    } else if (!acked_.empty() && !flush_timer_armed_) {
      flush_timer_armed_ = true;
      flush_timer_.expires_after(kAckFlushDelay);
      flush_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
        if (auto self = weak.lock(); self && !error) {
          self->flush_timer_armed_ = false;
          self->flush_acks();
        }
      });
    }
  }
  // `here`: on this thread, now (at stop); else on the writer's thread if set.
  void flush_acks(bool here = false);
  void flushed(const std::expected<std::int64_t, storage::LedgerError>& removed);
  // What every status says, the will included: who, when, and the last exchanges.
  [[nodiscard]] StatusReport base_report(bool online) const;
  void publish_status(bool online, std::optional<Backlogs> known = std::nullopt);
  void tick();
  // Every second while there is work under way; when idle, only when the
  // next status is due: an idle terminal's loop sleeps.
  [[nodiscard]] std::chrono::steady_clock::duration next_tick_in() const;
  void schedule_tick(std::chrono::steady_clock::duration after);
  // New work: look again within a second even if the loop was sleeping.
  void tick_soon() {
    if (!stopping_ && tick_timer_.expiry() > std::chrono::steady_clock::now() + kPollInterval) {
      schedule_tick(kPollInterval);
    }
  }
  void publish_alerts();
  void publish_held_alerts() {
    while (connected_ && !held_alerts_.empty()) {
      try {
        client_->publish(mqtt::make_message(topics_.alerts, held_alerts_.front(), kQos, false));
      } catch (const mqtt::exception& error) {
        note_error(std::string("alert: ") + error.what());
        return;
      }
      held_alerts_.pop_front();
    }
  }
  void note_error(const std::string& error) {
    std::lock_guard lock(status_mutex_);
    status_.last_error = error;
  }
  // A connection attempt failed or a connection was lost: status and log.
  void note_outage(const std::string& cause) {
    note_error(cause);
    const auto line = outage_.failed(cause, std::chrono::steady_clock::now(), clock_.now_ms());
    {
      std::lock_guard lock(status_mutex_);
      status_.down = true;
      status_.outage_since_ms = outage_.since_ms();
      status_.outage_cause = outage_.cause();
    }
    if (line && log_) log_("edgestock: " + *line);
  }
  void note_connected() {
    const auto line = outage_.recovered(std::chrono::steady_clock::now());
    if (!line) return;
    last_outage_until_ms_ = clock_.now_ms();
    {
      std::lock_guard lock(status_mutex_);
      status_.down = false;
    }
    if (log_) log_("edgestock: " + *line);
  }

  boost::asio::io_context& io_;
  storage::Ledger& ledger_;
  config::Settings settings_;
  const storage::Clock& clock_;
  std::string version_;
  Topics topics_;
  storage::Backoff backoff_;
  std::mt19937_64 jitter_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer tick_timer_;
  bool outbox_unreadable_ = false;  // the last read of the outbox failed: try again in a second
  boost::asio::steady_timer flush_timer_;
  bool flush_timer_armed_ = false;
  bool flush_under_way_ = false;  // acknowledgements are being written on the writer's thread

  // Paho 1.2 does not copy these: they must outlive every connect, and the
  // clients below (declared after them, so destroyed first).
  mqtt::connect_options connect_options_;
  std::unique_ptr<Listener> connect_listener_;
  std::unique_ptr<Listener> publish_listener_;
  std::unique_ptr<mqtt::async_client> client_;
  // The client of the connection before, destroyed one connection later: a
  // late callback from Paho's threads may still be using it.
  std::unique_ptr<mqtt::async_client> retired_client_;

  bool tls_ = false;
  bool connected_ = false;
  bool connecting_ = false;
  bool client_used_ = false;         // client_ has been connected: the next connect makes a new one
  std::uint64_t client_number_ = 0;  // counts the clients made; the current one's number
  bool stopping_ = false;
  std::uint64_t epoch_ = 1;
  // A publish's user context is a number standing for (connection, seq), so
  // that acknowledgements from an earlier connection are told apart. Paho
  // carries it as a pointer it never dereferences; a number kept here, not
  // bits packed into the pointer, works with 32-bit pointers too.
  struct Publish {
    std::uint64_t epoch = 0;
    storage::Seq seq;
    std::chrono::steady_clock::time_point sent_at{};
    std::int64_t occurred_at_ms = 0;  // the move's time, wall clock
  };
  std::unordered_map<std::uintptr_t, Publish> publishes_;
  std::uintptr_t next_publish_ = 1;
  void* remember_publish(const storage::Move& move) {
    const auto id = next_publish_;
    next_publish_ = next_publish_ == std::numeric_limits<std::uintptr_t>::max() ? 1 : next_publish_ + 1;
    publishes_[id] = Publish{epoch_, move.seq, std::chrono::steady_clock::now(), move.occurred_at_ms};
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    return reinterpret_cast<void*>(id);
  }
  std::optional<Publish> recall_publish(void* context) {
    const auto found = publishes_.find(reinterpret_cast<std::uintptr_t>(context));
    if (found == publishes_.end()) return std::nullopt;
    const auto publish = found->second;
    publishes_.erase(found);
    return publish;
  }
  storage::Seq cursor_;                    // last seq read ahead from the outbox on this connection
  std::deque<storage::OutboxItem> ready_;  // read ahead, not yet published
  std::size_t in_flight_ = 0;
  std::vector<storage::Seq> acked_;
  // Publish results, filled on Paho's threads; shared with the listener so
  // that it needs no reference to the forwarder to store them.
  struct PublishInbox {
    std::mutex mutex;
    std::vector<std::pair<void*, bool>> results;
    bool posted = false;
  };
  std::shared_ptr<PublishInbox> inbox_ = std::make_shared<PublishInbox>();
  AlertTracker alerts_;
  std::function<std::vector<DeviceState>()> devices_;
  std::function<void(const std::string&)> log_;
  std::function<void(std::function<void()>)> writer_;  // runs ledger writes off the loop; empty: here
  std::function<void(ConfigMessage)> config_handler_;  // empty: config topics not subscribed
  std::size_t config_cap_ = 65'536;
  std::string config_state_;  // the last state, published again on each connect
  OutageLog outage_{"MQTT broker " + settings_.mqtt.broker};
  std::int64_t last_outage_until_ms_ = 0;
  // The backlog the last status showed, and whether moves or acknowledgements
  // came since: a material change is published without waiting for the interval.
  std::int64_t reported_backlog_ = -1;
  bool backlog_may_have_changed_ = false;
  std::deque<std::string> held_alerts_;
  std::chrono::steady_clock::time_point last_status_sent_{};

  mutable std::mutex status_mutex_;
  ForwarderStatus status_;
};

std::string MqttForwarder::Impl::start() {
  const auto& mqtt = settings_.mqtt;
  if (auto problem = make_client(); !problem.empty()) return problem;

  connect_options_.set_keep_alive_interval(mqtt.keepalive_s);
  // A cluster: Paho tries each node in turn at every connect, from the first;
  // a failed round waits the same backoff as one broker would.
  if (!mqtt.brokers.empty()) {
    auto nodes = std::make_shared<mqtt::string_collection>(mqtt.broker);
    for (const auto& node : mqtt.brokers) nodes->push_back(node);
    connect_options_.set_servers(nodes);
  }
  connect_options_.set_connect_timeout(10);
  connect_options_.set_max_inflight(mqtt.window);
  // A persistent session: the broker keeps this terminal's session (and, for
  // subscriptions, what it queued meanwhile) across disconnects. Each
  // connection gets a fresh Paho client (see make_client()), so Paho never
  // resends its own copies: the outbox resends what was not acknowledged.
  if (mqtt.version == 5) {
    connect_options_.set_mqtt_version(MQTTVERSION_5);
    connect_options_.set_clean_start(false);
    connect_options_.set_properties({{mqtt::property::SESSION_EXPIRY_INTERVAL, mqtt.session_expiry_s}});
  } else {
    connect_options_.set_mqtt_version(MQTTVERSION_3_1_1);
    connect_options_.set_clean_session(false);
  }
  if (!mqtt.username.empty()) connect_options_.set_user_name(mqtt.username);
  if (!mqtt.password_file.empty()) {
    const auto password = config::read_secret_file("mqtt.password_file", mqtt.password_file);
    if (!password) return password.error();
    connect_options_.set_password(*password);
  }
  const std::string offline = status_json(base_report(false));
  connect_options_.set_will(mqtt::will_options(topics_.status, offline, kQos, true));
  tls_ = config::broker_uses_tls(mqtt.broker);
  if (tls_) {
    mqtt::ssl_options ssl;
    if (!mqtt.tls.ca_file.empty()) ssl.set_trust_store(mqtt.tls.ca_file);
    if (!mqtt.tls.cert_file.empty()) ssl.set_key_store(mqtt.tls.cert_file);
    if (!mqtt.tls.key_file.empty()) ssl.set_private_key(mqtt.tls.key_file);
    ssl.set_enable_server_cert_auth(mqtt.tls.verify);
    ssl.set_verify(mqtt.tls.verify);
    // No OpenSSL error callback: Paho 1.2 calls it through a pointer to an
    // options object it does not keep (a use-after-free); the failed connect
    // reports the problem instead.
    connect_options_.set_ssl(std::move(ssl));
  }

  connect_listener_ =
      std::make_unique<Listener>([&io = io_, weak = weak_from_this(), tls = tls_](const mqtt::token& token, bool ok) {
        std::string why = ok ? std::string() : describe_failure(token, tls);
        const bool session_present = ok && token.get_connect_response().is_session_present();
        on_loop(io, weak, [ok, why, session_present](Impl& impl) { impl.on_connect_result(ok, why, session_present); });
      });
  // PUBACKs arrive by the thousand: they are collected here and handed to the
  // event loop in bursts, one wake-up for all that arrived meanwhile.
  publish_listener_ = std::make_unique<Listener>(
      [&io = io_, weak = weak_from_this(), inbox = inbox_](const mqtt::token& token, bool ok) {
        bool post = false;
        {
          std::lock_guard lock(inbox->mutex);
          inbox->results.push_back({token.get_user_context(), ok});
          post = !std::exchange(inbox->posted, true);
        }
        if (post) on_loop(io, weak, [](Impl& impl) { impl.take_publish_results(); });
      });
  on_loop(io_, weak_from_this(), [](Impl& impl) {
    impl.connect();
    impl.tick();
  });
  return {};
}

void MqttForwarder::Impl::connect() {
  if (stopping_ || connected_ || connecting_) return;
  if (client_used_) {
    // Never reuse a client that has been connected: after a lost connection
    // Paho C 1.3 resends its own in-flight copies on a resumed session, and
    // those arrived corrupted in our broker-restart test (paho.mqtt.c issue
    // 1592). A fresh client has none; the outbox resends instead.
    retired_client_ = std::move(client_);
    if (auto problem = make_client(); !problem.empty()) {
      note_error(problem);
      schedule_reconnect();
      return;
    }
  }
  connecting_ = true;
  {
    std::lock_guard lock(status_mutex_);
    ++status_.connect_attempts;
  }
  try {
    client_->connect(connect_options_, nullptr, *connect_listener_);
  } catch (const mqtt::exception& error) {
    connecting_ = false;
    note_outage(std::string("connect: ") + error.what());
    schedule_reconnect();
  }
}

std::string MqttForwarder::Impl::make_client() {
  const auto& mqtt = settings_.mqtt;
  try {
    mqtt::create_options create(mqtt.version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    // Paho fails publishes once this many are queued, even while connected.
    create.set_max_buffered_messages(std::max(mqtt.window * 2, 100));
    client_ = std::make_unique<mqtt::async_client>(mqtt.broker, settings_.terminal, create);
  } catch (const mqtt::exception& error) {
    return "mqtt.broker '" + mqtt.broker + "' cannot be used: " + error.what();
  }
  client_used_ = false;
  // A retired client may still report its own lost connection (the broker
  // drops it when the new one connects under the same id): not ours.
  client_->set_connection_lost_handler(
      [&io = io_, weak = weak_from_this(), client = ++client_number_](const std::string& cause) {
        on_loop(io, weak, [cause, client](Impl& impl) {
          if (client == impl.client_number_) impl.on_connection_lost(cause);
        });
      });
  // Config pushes (the only messages subscribed to): copied off Paho's
  // thread, a payload over the cap as its size only, handled on the loop.
  client_->set_message_callback(
      [&io = io_, weak = weak_from_this(), cap = config_cap_](const mqtt::const_message_ptr& m) {
        if (!m) return;
        auto topic = m->get_topic();
        const auto& payload = m->get_payload_ref();
        const bool oversized = payload.size() > cap;
        std::string text = oversized ? std::string() : payload.str();
        const auto size = payload.size();
        on_loop(io, weak, [topic = std::move(topic), text = std::move(text), oversized, size](Impl& impl) mutable {
          if (impl.config_handler_)
            impl.config_handler_(ConfigMessage{std::move(topic), std::move(text), oversized, size});
        });
      });
  return {};
}

void MqttForwarder::Impl::on_connect_result(bool ok, const std::string& why, bool session_present) {
  connecting_ = false;
  if (stopping_) return;
  if (!ok) {
    note_outage(why);
    schedule_reconnect();
    return;
  }
  note_connected();
  connected_ = true;
  client_used_ = true;
  ++epoch_;
  // Publishes older than the connection before this one get no more answers
  // (their client is destroyed by now): forget them.
  std::erase_if(publishes_, [this](const auto& entry) { return entry.second.epoch + 2 < epoch_; });
  cursor_ = storage::Seq{0};  // everything not yet acknowledged goes again
  ready_.clear();
  in_flight_ = 0;
  backoff_.reset();
  {
    std::lock_guard lock(status_mutex_);
    status_.connected = true;
    ++status_.connects;
    status_.session_present = session_present;
    status_.last_error.clear();
  }
  publish_status(true);
  publish_held_alerts();
  subscribe_config();
  if (!config_state_.empty()) publish_config_state(config_state_);
  pump();
}

// Every connect: the retained documents come again, so a change made while
// the terminal was away is never missed (the same version twice is a no-op).
void MqttForwarder::Impl::subscribe_config() {
  if (!config_handler_) return;
  try {
    client_->subscribe(topics_.config_site, kQos);
    client_->subscribe(topics_.config_terminal, kQos);
    client_->subscribe(topics_.keys, kQos);
    client_->subscribe(topics_.command, kQos);
  } catch (const mqtt::exception& error) {
    note_error(std::string("subscribe to config: ") + error.what());
  }
}

void MqttForwarder::Impl::publish_config_state(const std::string& json) {
  config_state_ = json;
  if (!connected_) return;  // sent at the next connect
  try {
    client_->publish(mqtt::make_message(topics_.config_state, json, kQos, true));
  } catch (const mqtt::exception& error) {
    note_error(std::string("config state: ") + error.what());
  }
}

bool MqttForwarder::Impl::publish_command_ack(const std::string& json) {
  if (!connected_) return false;
  try {
    client_->publish(mqtt::make_message(topics_.command_ack, json, kQos, false));
    return true;
  } catch (const mqtt::exception& error) {
    note_error(std::string("command ack: ") + error.what());
    return false;
  }
}

void MqttForwarder::Impl::on_connection_lost(const std::string& cause) {
  connected_ = false;
  ++epoch_;
  in_flight_ = 0;
  {
    std::lock_guard lock(status_mutex_);
    status_.connected = false;
  }
  note_outage("connection lost" + (cause.empty() ? std::string() : ": " + cause));
  schedule_reconnect();
}

void MqttForwarder::Impl::schedule_reconnect() {
  if (stopping_) return;
  const auto wait = backoff_.next(std::uniform_real_distribution<double>(0.0, 1.0)(jitter_));
  reconnect_timer_.expires_after(wait);
  reconnect_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    if (auto self = weak.lock(); self && !error) self->connect();
  });
}

void MqttForwarder::Impl::pump() {
  const auto window = static_cast<std::size_t>(settings_.mqtt.window);
  std::int64_t published = 0;
  while (connected_ && !stopping_ && in_flight_ < window) {
    if (ready_.empty()) {
      // Read ahead in chunks: one query per chunk, not one per acknowledgement.
      auto items =
          ledger_.outbox().due(storage::kDestinationMqtt, clock_.now_ms(), std::max<std::size_t>(window, 256), cursor_);
      if (!items) {
        // Not "nothing to send": the next tick reads again.
        note_error("cannot read the outbox: " + items.error().message);
        outbox_unreadable_ = true;
        break;
      }
      outbox_unreadable_ = false;
      if (items->empty()) break;
      cursor_ = items->back().move.seq;
      ready_.assign(std::make_move_iterator(items->begin()), std::make_move_iterator(items->end()));
    }
    const auto& item = ready_.front();
    auto message = mqtt::make_message(topics_.events, stock_event_json(item.move), kQos, false);
    try {
      client_->publish(message, remember_publish(item.move), *publish_listener_);
    } catch (const mqtt::exception& error) {
      // Not sent: it goes again after the reconnect, which starts from the outbox.
      note_error(std::string("publish: ") + error.what());
      break;
    }
    ready_.pop_front();
    ++in_flight_;
    ++published;
  }
  if (published > 0) {
    std::lock_guard lock(status_mutex_);
    status_.published += published;
    status_.last_publish_ms = clock_.now_ms();
  }
}

void MqttForwarder::Impl::on_publish_result(void* context, bool ok) {
  const auto publish = recall_publish(context);
  if (!publish) return;  // from a connection long gone: it goes again anyway
  const bool current = publish->epoch == epoch_;
  if (current && in_flight_ > 0) --in_flight_;
  if (!ok) {
    // The cursor has moved past it: only a new connection sends it again.
    if (current && connected_) {
      note_error("a publish failed; reconnecting to send it again");
      connected_ = false;
      ++epoch_;
      in_flight_ = 0;
      try {
        client_->disconnect();
      } catch (const mqtt::exception&) {
      }
      schedule_reconnect();
    }
    return;
  }
  // A PUBACK from any connection, current or earlier, means the broker has it.
  acked_.push_back(publish->seq);
  std::lock_guard lock(status_mutex_);
  status_.ack_seconds.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - publish->sent_at).count());
  status_.delivery_seconds.observe(static_cast<double>(clock_.now_ms() - publish->occurred_at_ms) / 1000.0);
}

void MqttForwarder::Impl::flush_acks(bool here) {
  if (acked_.empty() || flush_under_way_) return;
  // The acknowledged events leave the outbox in one transaction and one
  // fsync: on the writer's thread when the agent gave one, so that the loop
  // does not wait for the disk; the result comes back to the loop.
  const bool on_this_thread = here || !writer_;
  auto write = [weak = weak_from_this(), &io = io_, &ledger = ledger_, acked = std::exchange(acked_, {}),
                on_this_thread]() mutable {
    auto removed = ledger.outbox().mark_sent(storage::kDestinationMqtt, acked);
    if (on_this_thread) {
      if (auto self = weak.lock()) self->flushed(removed);
      return;
    }
    on_loop(io, weak, [removed = std::move(removed)](Impl& impl) mutable { impl.flushed(removed); });
  };
  if (on_this_thread) {
    write();
    return;
  }
  flush_under_way_ = true;
  writer_(std::move(write));
}

void MqttForwarder::Impl::flushed(const std::expected<std::int64_t, storage::LedgerError>& removed) {
  flush_under_way_ = false;
  if (removed) {
    std::lock_guard lock(status_mutex_);
    status_.acknowledged += *removed;
  } else {
    // Not recorded as sent: the events stay queued and go again. Harmless.
    note_error("cannot mark events sent: " + removed.error().message);
  }
  if (stopping_) return;
  backlog_may_have_changed_ = true;
  pump();
  tick_soon();
  if (!acked_.empty()) flush_acks();  // those that came while the disk was busy
}

StatusReport MqttForwarder::Impl::base_report(bool online) const {
  StatusReport report;
  report.online = online;
  report.version = version_;
  report.site = settings_.site;
  report.terminal = settings_.terminal;
  report.at_ms = clock_.now_ms();
  report.clock_problem = ledger_.clock_check().problem(report.at_ms);
  report.last_publish_ms = status().last_publish_ms;
  report.last_odoo_sync_ms = ledger_.catalogue().last_pulled_ms();
  return report;
}

void MqttForwarder::Impl::publish_status(bool online, std::optional<Backlogs> known) {
  if (!connected_) return;
  StatusReport report = base_report(online);
  const Backlogs backlogs = known ? std::move(*known) : read_backlogs();
  const auto& mqtt_backlog = backlogs.mqtt;
  const auto& odoo_backlog = backlogs.odoo;
  if (mqtt_backlog && odoo_backlog) {
    report.backlog_mqtt = *mqtt_backlog;
    report.backlog_odoo = *odoo_backlog;
    reported_backlog_ = *mqtt_backlog + *odoo_backlog;
  } else {
    report.ledger_error = (mqtt_backlog ? odoo_backlog : mqtt_backlog).error().message;
  }
  if (devices_) report.devices = devices_();
  if (outage_.since_ms() > 0 && !outage_.down()) {
    report.last_outage_since_ms = outage_.since_ms();
    report.last_outage_until_ms = last_outage_until_ms_;
    report.last_outage_cause = outage_.cause();
  }
  if (const auto last = ledger_.audit().tail(1); !last.empty()) {
    report.audit_entry = last.front().number;
    report.audit_hash = last.front().hash;
  }
  const std::string text = status_json(report);
  try {
    client_->publish(mqtt::make_message(topics_.status, text, kQos, true));
  } catch (const mqtt::exception& error) {
    note_error(std::string("status: ") + error.what());
  }
}

void MqttForwarder::Impl::tick() {
  if (stopping_) return;
  pump();
  const auto now = std::chrono::steady_clock::now();
  if (connected_ && now - last_status_sent_ >= std::chrono::seconds(settings_.mqtt.status_interval_s)) {
    last_status_sent_ = now;
    publish_status(true);
    publish_alerts();
  } else if (connected_ && backlog_may_have_changed_) {
    backlog_may_have_changed_ = false;
    if (auto backlogs = read_backlogs(); backlog_changed_materially(backlogs))
      publish_status(true, std::move(backlogs));
  }
  schedule_tick(next_tick_in());
}

std::chrono::steady_clock::duration MqttForwarder::Impl::next_tick_in() const {
  // Offline, nothing can be sent: the reconnect timer and connect() take over.
  const bool busy =
      (connected_ && (in_flight_ > 0 || !ready_.empty() || !acked_.empty() || backlog_may_have_changed_)) ||
      outbox_unreadable_;
  if (busy) return kPollInterval;
  const auto every = std::chrono::steady_clock::duration(std::chrono::seconds(settings_.mqtt.status_interval_s));
  const auto due = last_status_sent_ + every - std::chrono::steady_clock::now();
  return std::clamp<std::chrono::steady_clock::duration>(due, kPollInterval, every);
}

void MqttForwarder::Impl::schedule_tick(std::chrono::steady_clock::duration after) {
  tick_timer_.expires_after(after);
  tick_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    if (auto self = weak.lock(); self && !error) self->tick();
  });
}

void MqttForwarder::Impl::publish_alerts() {
  AlertFacts facts;
  const auto now_ms = clock_.now_ms();
  auto stock = ledger_.stock();
  auto backlog = ledger_.outbox().backlog(storage::kDestinationMqtt);
  auto exceptions = ledger_.outbox().open_exceptions();
  if (!stock || !backlog || !exceptions) {
    // Alerts computed from an unreadable ledger would all be wrong (every
    // line "below its reorder point"): raise none, say why, try next time.
    note_error("alerts not evaluated, the ledger cannot be read: " + (!stock     ? stock.error()
                                                                      : !backlog ? backlog.error()
                                                                                 : exceptions.error())
                                                                         .message);
    return;
  }
  facts.stock = std::move(*stock);
  facts.reorder_points = ledger_.catalogue().reorder_points();
  facts.today = storage::utc_date(now_ms);
  facts.expiring_lots = ledger_.catalogue().lots_expiring_by(storage::utc_date(now_ms, settings_.alerts.expiry_days));
  facts.backlog = *backlog;
  facts.backlog_threshold = settings_.mqtt.backlog_alert;
  facts.exceptions = std::move(*exceptions);
  facts.database_budget = settings_.alerts.database_budget;
  std::error_code ignored;
  const auto& path = ledger_.options().path;
  facts.database_bytes = static_cast<std::int64_t>(std::filesystem::file_size(path, ignored));
  const auto wal = std::filesystem::file_size(path.string() + "-wal", ignored);
  if (!ignored) facts.database_bytes += static_cast<std::int64_t>(wal);
  for (const auto& alert : alerts_.raised(evaluate_alerts(facts))) {
    const std::string text =
        alert_json(AlertReport{alert.kind, settings_.site, settings_.terminal, now_ms, alert.message});
    try {
      client_->publish(mqtt::make_message(topics_.alerts, text, kQos, false));
    } catch (const mqtt::exception& error) {
      note_error(std::string("alert: ") + error.what());
    }
  }
}

void MqttForwarder::Impl::stop() {
  stopping_ = true;
  reconnect_timer_.cancel();
  tick_timer_.cancel();
  flush_timer_.cancel();
  flush_under_way_ = false;  // a write handed over earlier may still come back: harmless, it is idempotent
  flush_acks(true);
  if (!client_) return;
  try {
    if (client_->is_connected()) {
      const std::string offline = status_json(base_report(false));
      client_->publish(mqtt::make_message(topics_.status, offline, kQos, true))->wait_for(std::chrono::seconds(2));
      client_->disconnect()->wait_for(std::chrono::seconds(2));
    }
  } catch (const mqtt::exception& error) {
    note_error(std::string("disconnect: ") + error.what());
  }
  connected_ = false;
  std::lock_guard lock(status_mutex_);
  status_.connected = false;
}

MqttForwarder::MqttForwarder(boost::asio::io_context& io, storage::Ledger& ledger, const config::Settings& settings,
                             const storage::Clock& clock, std::string version)
    : impl_(std::make_shared<Impl>(io, ledger, settings, clock, std::move(version))) {}

MqttForwarder::~MqttForwarder() = default;

std::string MqttForwarder::start() {
  return impl_->start();
}
void MqttForwarder::wake() {
  impl_->wake();
}
void MqttForwarder::set_log(std::function<void(const std::string&)> log) {
  impl_->set_log(std::move(log));
}
void MqttForwarder::set_config_handler(std::function<void(ConfigMessage)> handler, std::size_t max_bytes) {
  impl_->set_config_handler(std::move(handler), max_bytes);
}
void MqttForwarder::publish_config_state(const std::string& json) {
  impl_->publish_config_state(json);
}

bool MqttForwarder::publish_command_ack(const std::string& json) {
  return impl_->publish_command_ack(json);
}
std::vector<std::string> MqttForwarder::take_held_alerts() {
  return impl_->take_held_alerts();
}
void MqttForwarder::hold_alerts(const std::vector<std::string>& alerts) {
  impl_->hold_alerts(alerts);
}
void MqttForwarder::set_writer(std::function<void(std::function<void()>)> writer) {
  impl_->set_writer(std::move(writer));
}
void MqttForwarder::set_device_states(std::function<std::vector<DeviceState>()> devices) {
  impl_->set_device_states(std::move(devices));
}
void MqttForwarder::raise_alert(const std::string& kind, const std::string& message) {
  impl_->raise_alert(kind, message);
}
void MqttForwarder::stop() {
  impl_->stop_from_anywhere();
}
ForwarderStatus MqttForwarder::status() const {
  return impl_->status();
}

}  // namespace edgestock::sync
