#include "agent.hpp"

#include <boost/asio/post.hpp>
#include <csignal>
#include <sstream>

#include "central_commands.hpp"
#include "central_config.hpp"
#include "control_socket.hpp"
#include "edgestock/config/secret_file.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"
#include "exceptions_command.hpp"
#include "health.hpp"
#include "http_endpoint.hpp"
#include "ledger_settings.hpp"
#include "odoo_schedule.hpp"
#include "scan_inputs.hpp"
#include "scan_worker.hpp"

#ifndef EDGESTOCK_VERSION
#define EDGESTOCK_VERSION "0.1.0"
#endif

namespace edgestock::agent {
namespace {

// The secret in `path`, "" when no file is set.
std::expected<std::string, std::string> secret_or_none(const char* key, const std::string& path) {
  if (path.empty()) return std::string();
  return config::read_secret_file(key, path);
}

}  // namespace

Agent::Agent(std::string config_path, AgentLog& log)
    : config_path_(std::move(config_path)),
      log_(log),
      retention_timer_(io_),
      stop_signals_(io_, SIGINT, SIGTERM),
      reload_signals_(io_, SIGHUP),
      service_(
          io_, [this] { return status_line(); },
          [this](std::function<void()> done) {
            if (scans_) {
              scans_->run(std::move(done));
            } else {
              done();
            }
          }) {}

Agent::~Agent() {
  stop();
}

std::string Agent::start(const config::Settings& settings) {
  settings_ = settings;
  started_at_ms_ = config_applied_ms_ = clock_.now_ms();
  auto ledger = storage::Ledger::open(ledger_options(settings_, false), clock_);
  if (!ledger) return ledger.error().message;
  ledger_ = std::move(*ledger);
  for (const auto& notice : ledger_->notices()) log_.problem("edgestock: ledger: " + notice);

  // Central IT's pushed config, kept beside the ledger, laid over the local file.
  CentralConfig::Hooks hooks;
  hooks.apply = [this](const config::Settings& next) { return apply(next); };
  hooks.health_problem = [this](std::int64_t since_ms) { return health_problem(since_ms); };
  hooks.publish_state = [this](const std::string& json) {
    if (forwarder_) forwarder_->publish_config_state(json);
  };
  hooks.log = [this](const std::string& line) { log_.problem(line); };
  hooks.audit = [this](const std::string& action, const std::string& detail) {
    if (auto entry = ledger_->audit().append("central", action, "config", detail); !entry) {
      log_.problem("edgestock: audit: " + entry.error().message);
    }
  };
  central_ = std::make_unique<CentralConfig>(
      io_, std::filesystem::path(settings_.ledger.path).parent_path() / "central-config.json", config_path_,
      settings_.site, settings_.terminal, clock_, std::move(hooks));
  if (auto problem = central_->load(); !problem.empty()) log_.problem("central config: " + problem);
  start_central_commands();
  if (auto effective = central_->effective(read_local_file()); effective) {
    settings_ = *effective;
  } else {
    log_.problem("central config: the pushed settings no longer fit the local file (" + effective.error().front() +
                 "); running with the local file alone");
  }

  auto password = secret_or_none("mqtt.password_file", settings_.mqtt.password_file);
  if (!password) return password.error();
  mqtt_password_ = std::move(*password);
  if (settings_.odoo.enabled) {
    auto key = config::read_secret_file("odoo.api_key_file", settings_.odoo.api_key_file);
    if (!key) return key.error();
    odoo_key_ = std::move(*key);
  }

  // Scans: journal, decode, session, ledger, on the scan worker's thread;
  // what concerns the forwarder is posted to the loop where it lives.
  ScanWorker::Callbacks callbacks;
  callbacks.recorded = [this] {
    boost::asio::post(io_, [this] {
      if (forwarder_) forwarder_->wake();
    });
  };
  callbacks.alert = [this](const std::string& kind, const std::string& text) { post_alert(kind, text); };
  callbacks.log = [this](const std::string& line) { log_.info(line); };
  scans_ = std::make_unique<ScanWorker>(*ledger_, settings_, clock_, std::move(callbacks), &counters_);
  if (settings_.mqtt.enabled) {
    if (auto problem = start_forwarder(settings_); !problem.empty()) return problem;
  }
  ScanInputs::Handlers handlers;
  // The answer is sent on the loop, where the connection lives.
  handlers.answer = [this](const std::string& source, const scanners::LineSplitter::Line& line,
                           const std::function<void(std::string)>& reply) {
    scans_->scan(source, line, [this, reply](std::vector<std::string> lines) {
      boost::asio::post(io_, [reply, lines = std::move(lines)]() mutable {
        for (auto& text : lines) reply(std::move(text));
      });
    });
  };
  handlers.closed = [this](const std::string& source) { scans_->source_closed(source); };
  handlers.to_log = [this](const std::string& source, const scanners::LineSplitter::Line& line) {
    scans_->scan(source, line, [this, source](const std::vector<std::string>& lines) {
      for (const auto& text : lines) log_.info(source + ": " + text);
    });
  };
  inputs_ = std::make_unique<ScanInputs>(io_, std::move(handlers));
  if (auto problem = inputs_->open(settings_.scanners); !problem.empty()) return problem;
  if (settings_.http.enabled) {
    if (auto problem = start_http(settings_.http); !problem.empty()) return problem;
  }
  if (auto problem = start_control(); !problem.empty()) return problem;
  if (settings_.odoo.enabled) start_odoo();
  prune();
  wait_for_signals();
  log_.info("edgestock " EDGESTOCK_VERSION " running: terminal " + settings_.terminal + " at site " + settings_.site +
            ", ledger " + settings_.ledger.path + ", mqtt " + (settings_.mqtt.enabled ? settings_.mqtt.broker : "off") +
            ", scans over tcp " + inputs_->tcp_description() + ", health and metrics " +
            (http_ ? settings_.http.bind + ":" + std::to_string(http_->port()) : std::string("off")));
  service_.ready();
  return "";
}

void Agent::run() {
  io_.run();
}

std::string Agent::start_forwarder(const config::Settings& settings) {
  auto forwarder = std::make_unique<sync::MqttForwarder>(io_, *ledger_, settings, clock_, EDGESTOCK_VERSION);
  forwarder->set_log([this](const std::string& line) { log_.problem(line); });
  forwarder->set_writer([this](std::function<void()> job) { scans_->run(std::move(job)); });
  forwarder->set_config_handler(
      [this](const sync::ConfigMessage& message) {
        if (message.topic.ends_with("/cmd")) {
          if (commands_) commands_->on_message(message);
        } else if (central_) {
          central_->on_message(message);
        }
      },
      static_cast<std::size_t>(settings.central.max_push_bytes));
  forwarder->set_device_states([this] { return inputs_ ? inputs_->devices() : std::vector<sync::DeviceState>{}; });
  if (auto problem = forwarder->start(); !problem.empty()) return problem;
  if (central_ && !central_->state().empty()) forwarder->publish_config_state(central_->state());
  forwarder_ = std::move(forwarder);
  return "";
}

void Agent::start_odoo() {
  odoo_ = std::make_unique<OdooSchedule>(
      settings_, odoo_key_, *ledger_, [this](const std::string& line) { log_.problem(line); },
      [this](const std::string& kind, const std::string& text) { post_alert(kind, text); }, &odoo_last_success_ms_);
}

std::string Agent::start_http(const config::HttpSettings& http) {
  http_.reset();
  if (!http.enabled) return "";
  try {
    http_ = std::make_unique<HttpEndpoint>(io_, http.bind, static_cast<std::uint16_t>(http.port),
                                           [this](const std::string& target) { return answer_http(target); });
  } catch (const std::exception& error) {
    return "cannot serve health and metrics on " + http.bind + ":" + std::to_string(http.port) + ": " + error.what();
  }
  return "";
}

// Staff commands that write the ledger the agent holds (exceptions retry,
// void, map) come over the control socket and run on the scan worker's
// thread, where every other ledger write runs.
std::string Agent::start_control() {
  const auto path = control_socket_path(settings_);
  try {
    control_ = std::make_unique<ControlSocket>(
        io_, path, [this](const std::string& request, unsigned uid, ControlSocket::Reply reply) {
          auto command = parse_exceptions_request(request);
          if (!command)
            return reply({2, "", "edgestock exceptions: the agent refused the request: " + command.error() + "\n"});
          command->by += " (uid " + std::to_string(uid) + ")";
          log_.info("control socket: exceptions " + command->action + " " + std::to_string(command->exception) +
                    " by " + command->by);
          scans_->run([this, command = std::move(*command), reply = std::move(reply)] {
            std::ostringstream out;
            std::ostringstream err;
            const int exit = run_exceptions_on(*ledger_, command, out, err);
            boost::asio::post(io_, [this] {
              if (forwarder_) forwarder_->wake();  // a reversal to publish
            });
            reply({exit, out.str(), err.str()});
          });
        });
  } catch (const std::exception& error) {
    return std::string("cannot make the control socket for staff commands: ") + error.what();
  }
  return "";
}

void Agent::restart_odoo() {
  auto old = std::move(odoo_);
  if (!old) {
    // Either Odoo was off, or a schedule is still being retired: the new one
    // starts when that is done.
    if (odoo_retiring_ == 0 && settings_.odoo.enabled) start_odoo();
    return;
  }
  // Stopping waits for the call in flight (up to Odoo's timeout): not on the loop.
  ++odoo_retiring_;
  retiring_.emplace_back([this, old = std::move(old)]() mutable {
    old.reset();
    boost::asio::post(io_, [this] {
      if (--odoo_retiring_ == 0 && !stopping_ && settings_.odoo.enabled && !odoo_) start_odoo();
    });
  });
}

// Alerts from the scan worker and the Odoo thread are raised on the loop,
// where the forwarder lives (a reload may replace it).
void Agent::post_alert(const std::string& kind, const std::string& text) {
  boost::asio::post(io_, [this, kind, text] {
    if (forwarder_) forwarder_->raise_alert(kind, text);
  });
}

std::string Agent::read_local_file() const {
  return config::read_text_file(config_path_).value_or("");
}

// What a pushed config must pass to be kept, from the facts /healthz reads:
// the broker reached (when MQTT is on), every scanner open, the ledger
// readable, and Odoo reached since its settings changed. A backlog, the
// exception queue or the clock never roll a push back.
std::string Agent::health_problem(std::int64_t since_ms) {
  const auto facts = health_facts(snapshot());
  if (facts.mqtt_enabled && !facts.mqtt_connected) {
    return "the MQTT broker " + settings_.mqtt.broker + " was not reached" +
           (facts.mqtt_error.empty() ? "" : " (" + facts.mqtt_error + ")");
  }
  for (const auto& scanner : facts.scanners) {
    if (!scanner.open)
      return "scanner " + scanner.name + " is not open" + (scanner.error.empty() ? "" : ": " + scanner.error);
  }
  if (!facts.ledger_readable) return "the ledger cannot be read: " + facts.ledger_error;
  if (settings_.odoo.enabled && odoo_rebuilt_at_ms_ >= since_ms && odoo_last_success_ms_ < odoo_rebuilt_at_ms_) {
    return "Odoo at " + settings_.odoo.url + " was not reached with the new settings";
  }
  return "";
}

// Retention: now, then every six hours.
void Agent::prune() {
  if (settings_.ledger.retention_days > 0) {
    const auto cutoff = clock_.now_ms() - std::int64_t{settings_.ledger.retention_days} * 86'400'000;
    if (auto removed = ledger_->prune_delivered(cutoff); !removed) {
      log_.problem("edgestock: retention: " + removed.error().message);
    } else if (*removed > 0) {
      log_.problem("edgestock: retention removed " + std::to_string(*removed) + " delivered moves older than " +
                   std::to_string(settings_.ledger.retention_days) + " days");
    }
  }
  retention_timer_.expires_after(std::chrono::hours(6));
  retention_timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error) prune();
  });
}

void Agent::wait_for_signals() {
  stop_signals_.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    log_.problem(std::string("edgestock: ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
    stop();
    io_.stop();
  });
  wait_for_reload();
}

void Agent::wait_for_reload() {
  reload_signals_.async_wait([this](const boost::system::error_code& error, int) {
    if (error) return;
    reload();
    wait_for_reload();
  });
}

void Agent::reload() {
  auto next = config::load_settings_file(config_path_);
  if (next) next = central_->effective(read_local_file());
  if (!next) {
    std::string text = "config reload refused: " + config_path_ + " is invalid; nothing was changed:";
    for (const auto& problem : next.error()) text += "\n  " + problem;
    log_.problem(text);
    ++reloads_refused_;
    return;
  }
  const auto said = apply(*next);
  ++(said.starts_with("config reload refused") ? reloads_refused_ : reloads_applied_);
  log_.problem(said);
}

std::string Agent::apply(const config::Settings& next) {
  const std::string refused = "config reload refused: ";
  const std::string unchanged = "; nothing was changed";
  auto password = secret_or_none("mqtt.password_file", next.mqtt.password_file);
  if (!password) return refused + password.error() + unchanged;
  std::string key;
  if (next.odoo.enabled) {
    auto read = config::read_secret_file("odoo.api_key_file", next.odoo.api_key_file);
    if (!read) return refused + read.error() + unchanged;
    key = std::move(*read);
  }
  const auto plan = plan_reload(settings_, next, {*password != mqtt_password_, key != odoo_key_});
  if (plan.refused()) return refused + plan.describe() + " changed, which needs a restart" + unchanged;
  if (!plan.changes_anything()) return "config reload: nothing changed";

  // The steps that can fail come first; if one does, those done are undone
  // in reverse and the running settings stay.
  std::vector<std::function<void()>> undo;
  auto give_up = [&](const std::string& problem) {
    for (auto step = undo.rbegin(); step != undo.rend(); ++step) (*step)();
    return refused + problem + unchanged;
  };
  // A new forwarder takes over the alerts the old one still held (raised offline).
  auto restart_forwarder = [this](const config::Settings& with) {
    std::vector<std::string> held;
    if (forwarder_) {
      forwarder_->stop();
      held = forwarder_->take_held_alerts();
      forwarder_.reset();
    }
    auto problem = start_forwarder(with);
    if (forwarder_) forwarder_->hold_alerts(held);
    return std::pair{problem, held};
  };
  if (plan.mqtt && forwarder_) {
    if (auto [problem, held] = restart_forwarder(next); !problem.empty()) {
      (void)start_forwarder(settings_);
      if (forwarder_) forwarder_->hold_alerts(held);
      return give_up(problem);
    }
    undo.emplace_back([restart_forwarder, this] { (void)restart_forwarder(settings_); });
  }
  // Connections closed by a rebuild end their sessions (logged if lines were open).
  auto reopen_scanners = [this](const config::ScannerSettings& scanners) {
    for (const auto& source : inputs_->stop()) scans_->source_closed(source);
    return inputs_->open(scanners);
  };
  if (plan.scan_inputs) {
    undo.emplace_back([this, reopen_scanners] {
      if (auto again = reopen_scanners(settings_.scanners); !again.empty()) log_.problem("edgestock: " + again);
    });
    if (auto problem = reopen_scanners(next.scanners); !problem.empty()) return give_up(problem);
  }
  if (plan.http) {
    undo.emplace_back([this] {
      if (auto again = start_http(settings_.http); !again.empty()) log_.problem("edgestock: " + again);
    });
    if (auto problem = start_http(next.http); !problem.empty()) return give_up(problem);
  }
  settings_ = next;
  mqtt_password_ = std::move(*password);
  odoo_key_ = std::move(key);
  if (plan.scan_rules) scans_->reconfigure(settings_);
  if (plan.odoo) {
    odoo_rebuilt_at_ms_ = clock_.now_ms();
    restart_odoo();
  }
  if (plan.retention) {
    retention_timer_.cancel();
    prune();
  }
  config_applied_ms_ = clock_.now_ms();  // by SIGHUP or by a push
  return "config reload: applied (rebuilt: " + plan.describe() + ")";
}

void Agent::stop() {
  if (stopping_) return;
  stopping_ = true;
  service_.stopping();
  retention_timer_.cancel();
  boost::system::error_code ignored;
  stop_signals_.cancel(ignored);
  reload_signals_.cancel(ignored);
  // No new scans first, and those handed over recorded; then Odoo (its call
  // in flight finishes); MQTT last.
  control_.reset();
  if (inputs_) inputs_->stop();
  if (scans_) scans_->stop();
  http_.reset();
  odoo_.reset();
  for (auto& thread : retiring_) thread.join();
  retiring_.clear();
  if (forwarder_) forwarder_->stop();
}

}  // namespace edgestock::agent
