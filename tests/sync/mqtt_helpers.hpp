#pragma once
// Shared pieces of the MQTT integration tests.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"
#include "ledger_fixtures.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_subscriber.hpp"

namespace edgestock::testing {

inline config::Settings mqtt_settings(const std::string& broker_uri) {
  config::Settings settings;
  settings.site = "stjames";
  settings.terminal = "ward3-t1";
  settings.mqtt.enabled = true;
  settings.mqtt.broker = broker_uri;
  settings.mqtt.reconnect_min_ms = 50;
  settings.mqtt.reconnect_max_ms = 500;
  settings.mqtt.status_interval_s = 1;
  return settings;
}

// Records `count` moves (receipts and issues) in batches.
inline void fill_ledger(storage::Ledger& ledger, int count) {
  std::vector<storage::MoveRequest> batch;
  for (int done = 0; done < count;) {
    batch.clear();
    for (int i = 0; i < 2000 && done < count; ++i, ++done) {
      batch.push_back(done % 4 == 0 ? receipt("10") : issue("1"));
    }
    if (!ledger.record_all(batch)) throw std::runtime_error("fill_ledger failed");
  }
}

// The forwarder on its own event-loop thread, as the agent runs it.
class RunningForwarder {
 public:
  // `writer`, when given, is where the forwarder writes the outbox (MqttForwarder::set_writer).
  RunningForwarder(storage::Ledger& ledger, const config::Settings& settings, const storage::Clock& clock,
                   std::function<void(std::function<void()>)> writer = {})
      : forwarder_(io_, ledger, settings, clock, "test") {
    if (writer) forwarder_.set_writer(std::move(writer));
    forwarder_.set_log([this](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_.push_back(line);
    });
    problem_ = forwarder_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningForwarder() {
    forwarder_.stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  [[nodiscard]] const std::string& start_problem() const { return problem_; }
  sync::MqttForwarder& forwarder() { return forwarder_; }
  // Runs `work` on the forwarder's loop and waits for it (for the calls
  // that belong on the loop).
  void on_loop(const std::function<void()>& work) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  }
  // What the forwarder told the log so far.
  std::vector<std::string> log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

 private:
  std::mutex log_mutex_;
  std::vector<std::string> log_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  sync::MqttForwarder forwarder_;
  std::string problem_;
  std::thread thread_;
};

// Stock events received, by first arrival; duplicates (at-least-once) counted.
struct EventTally {
  std::vector<std::int64_t> first_seen_seqs;
  std::set<std::string> ids;
  std::size_t duplicates = 0;
};

inline EventTally tally_events(const std::vector<Received>& messages) {
  EventTally tally;
  for (const auto& message : messages) {
    if (!message.topic.ends_with("/events")) continue;
    const auto event = nlohmann::json::parse(message.payload);
    if (tally.ids.insert(event.at("id").get<std::string>()).second) {
      tally.first_seen_seqs.push_back(event.at("seq").get<std::int64_t>());
    } else {
      ++tally.duplicates;
    }
  }
  return tally;
}

// True when every seq 1..count arrived, in whatever order.
inline bool complete(const EventTally& tally, std::int64_t count) {
  std::set<std::int64_t> seqs(tally.first_seen_seqs.begin(), tally.first_seen_seqs.end());
  return static_cast<std::int64_t>(seqs.size()) == count && *seqs.begin() == 1 && *seqs.rbegin() == count;
}

// True when the first arrivals are exactly seq 1..count, in order; otherwise
// says where they are not.
inline bool complete_and_in_order(const EventTally& tally, std::int64_t count) {
  if (static_cast<std::int64_t>(tally.first_seen_seqs.size()) != count) {
    std::cerr << tally.first_seen_seqs.size() << " distinct events, expected " << count << "\n";
    return false;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    if (tally.first_seen_seqs[static_cast<std::size_t>(i)] != i + 1) {
      std::cerr << "arrival " << i << " is seq " << tally.first_seen_seqs[static_cast<std::size_t>(i)]
                << "; around it:";
      for (std::int64_t j = std::max<std::int64_t>(0, i - 3); j < std::min(count, i + 8); ++j) {
        std::cerr << " " << tally.first_seen_seqs[static_cast<std::size_t>(j)];
      }
      std::cerr << "\n";
      return false;
    }
  }
  return true;
}

}  // namespace edgestock::testing
