// bench-mqtt: drain a backlog of stock events from the ledger to a local
// mosquitto, against a raw Paho publisher sending the same payloads with the
// same QoS and window, and against `mosquitto_pub -l`, all in one run.
//
//   bench-mqtt [--events N] [--runs N] [--window N]
#include <mqtt/async_client.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_support.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"
#include "edgestock/sync/stock_event.hpp"
#include "ledger_fixtures.hpp"
#include "mosquitto_broker.hpp"

using namespace edgestock;
using namespace edgestock::bench;

namespace {

// Publishes every payload at QoS 1 with at most `window` unacknowledged.
double raw_paho_rate(const std::string& uri, const std::vector<std::string>& payloads, int window) {
  mqtt::create_options create(MQTTVERSION_3_1_1);
  create.set_max_buffered_messages(window * 2);
  mqtt::async_client client(uri, "bench-raw", create);
  mqtt::connect_options options;
  options.set_max_inflight(window);
  // The same session as the agent's connection: persistent.
  options.set_clean_session(false);
  options.set_keep_alive_interval(30);
  client.connect(options)->wait();
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
  std::size_t acked = 0;
  struct Listener : mqtt::iaction_listener {
    std::function<void()> done;
    void on_success(const mqtt::token&) override { done(); }
    void on_failure(const mqtt::token&) override { done(); }
  } listener;
  listener.done = [&] {
    std::lock_guard lock(mutex);
    --in_flight;
    ++acked;
    changed.notify_one();
  };
  const auto start = Clock::now();
  for (const auto& payload : payloads) {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    client.publish(mqtt::make_message("bench/raw/events", payload, 1, false), nullptr, listener);
  }
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return acked == payloads.size(); });
  }
  const double seconds = micros_since(start) / 1e6;
  client.disconnect()->wait();
  return static_cast<double>(payloads.size()) / seconds;
}

double mosquitto_pub_rate(int port, const std::filesystem::path& lines, std::size_t count) {
  const std::string command =
      "mosquitto_pub -h 127.0.0.1 -p " + std::to_string(port) + " -q 1 -t bench/pub/events -l < " + lines.string();
  const auto start = Clock::now();
  if (std::system(command.c_str()) != 0) std::cerr << "mosquitto_pub failed\n";
  return static_cast<double>(count) / (micros_since(start) / 1e6);
}

double forwarder_rate(const std::string& uri, const std::filesystem::path& filled, const std::filesystem::path& dir,
                      std::size_t count, int window) {
  const auto path = dir / "drain.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  std::filesystem::copy_file(filled, path);
  storage::SystemClock clock;
  auto ledger = testing::open_ledger(path, clock);
  config::Settings settings;
  settings.site = "stjames";
  settings.terminal = "ward3-t1";
  settings.mqtt.enabled = true;
  settings.mqtt.broker = uri;
  settings.mqtt.window = window;
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  sync::MqttForwarder forwarder(io, *ledger, settings, clock, "bench");
  const auto start = Clock::now();
  if (auto problem = forwarder.start(); !problem.empty()) std::cerr << problem << "\n";
  std::thread loop([&] { io.run(); });
  testing::wait_until([&] { return static_cast<std::size_t>(forwarder.status().acknowledged) >= count; },
                      std::chrono::minutes(5));
  const double rate = static_cast<double>(count) / (micros_since(start) / 1e6);
  forwarder.stop();
  work.reset();
  io.stop();
  loop.join();
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = int_arg(argc, argv, "--events", 100'000);
  const int runs = int_arg(argc, argv, "--runs", 3);
  const int window = int_arg(argc, argv, "--window", 100);
  testing::TempDir dir("bench-mqtt");
  testing::MosquittoBroker broker;

  const auto filled = dir / "filled.db";
  std::vector<std::string> payloads;
  {
    storage::SystemClock clock;
    auto ledger = testing::open_ledger(filled, clock);
    std::vector<storage::MoveRequest> batch;
    for (int done = 0; done < events;) {
      batch.clear();
      for (int i = 0; i < 5000 && done < events; ++i, ++done) batch.push_back(testing::issue("1"));
      if (!ledger->record_all(batch)) std::cerr << "fill failed\n";
    }
    const auto moves = ledger->moves_after(storage::Seq{0}, static_cast<std::size_t>(events)).value();
    for (const auto& move : moves) {
      payloads.push_back(sync::stock_event_json(move));
    }
  }
  std::filesystem::remove(filled.string() + ".lock");
  const auto lines = dir / "payloads.txt";
  {
    std::ofstream out(lines);
    for (const auto& payload : payloads) out << payload << "\n";
  }
  std::cout << "bench-mqtt: " << events << " events of ~" << payloads.front().size() << " bytes, QoS 1, window "
            << window << ", " << runs << " runs, mosquitto on loopback\n";
  std::vector<double> raw, pub, drain, ratio;
  for (int run = 0; run < runs; ++run) {
    const double r = raw_paho_rate(broker.uri(), payloads, window);
    const double p = mosquitto_pub_rate(broker.port(), lines, payloads.size());
    const double d = forwarder_rate(broker.uri(), filled, dir.path(), payloads.size(), window);
    raw.push_back(r);
    pub.push_back(p);
    drain.push_back(d);
    ratio.push_back(d / r);
    std::cerr << "  run " << run + 1 << ": raw Paho " << fixed(r, 0) << "/s, mosquitto_pub " << fixed(p, 0)
              << "/s, ledger drain " << fixed(d, 0) << "/s\n";
  }
  std::cout << "\nmedians (events per second)\n"
            << "raw Paho publisher          " << fixed(median(raw), 0) << "\n"
            << "mosquitto_pub -l            " << fixed(median(pub), 0) << "\n"
            << "edgestock drain from ledger " << fixed(median(drain), 0) << "\n"
            << "\ndrain / raw Paho            " << fixed(median(ratio)) << "  (target >= 0.80)\n";
  return 0;
}
