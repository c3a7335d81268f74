// The forwarder against a real mosquitto, checked by an independent subscriber.
#include <signal.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/outbox.hpp"
#include "mqtt_helpers.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;

TEST_CASE("stock events arrive complete, in seq order, with their fields", "[mqtt]") {
  MosquittoBroker broker;
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/#");
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  fill_ledger(*ledger, 3000);
  REQUIRE(ledger->catalogue().mark_pulled());  // as a catalogue pull would
  auto settings = mqtt_settings(broker.uri());
  settings.mqtt.window = 50;
  {
    RunningForwarder running(*ledger, settings, clock);
    REQUIRE(running.start_problem().empty());
    REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == 3000; }, 60s));
    REQUIRE(wait_until([&] { return ledger->outbox().backlog(storage::kDestinationMqtt).value() == 0; }, 20s));
    const auto status = running.forwarder().status();
    CHECK(status.connected);
    CHECK(status.acknowledged == 3000);

    // Moves recorded while running go out too, once woken.
    REQUIRE(ledger->record(issue("2")));
    running.forwarder().wake();
    REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == 3001; }, 20s));
  }
  const auto messages = subscriber.messages();
  const auto tally = tally_events(messages);
  CHECK(complete_and_in_order(tally, 3001));
  const auto moves = ledger->moves_after(storage::Seq{0}, 1).value();
  bool found_first = false;
  for (const auto& message : messages) {
    if (!message.topic.ends_with("/events")) continue;
    const auto event = nlohmann::json::parse(message.payload);
    if (event["seq"] == 1) {
      found_first = true;
      CHECK(message.topic == "edgestock/stjames/ward3-t1/events");
      CHECK(event["id"] == moves[0].id.str());
      CHECK(event["kind"] == "receipt");
      CHECK(event["qty"] == "10");
      CHECK(event["schema"] == 1);
    }
  }
  CHECK(found_first);
  // The status on connect carries the audit log's last entry then (the 3000th).
  const auto entries = ledger->audit().tail(2);
  REQUIRE(entries.size() == 2);
  bool found_online = false;
  for (const auto& message : messages) {
    if (!message.topic.ends_with("/status")) continue;
    const auto status = nlohmann::json::parse(message.payload);
    if (status["state"] != "online") continue;
    found_online = true;
    CHECK(status["audit"]["entry"] == entries[0].number);
    CHECK(status["audit"]["hash"] == entries[0].hash);
    CHECK(status["last_odoo_sync"] == "2026-11-18T11:06:40.000Z");
    break;
  }
  CHECK(found_online);
  // The last status the forwarder left behind says offline (clean stop).
  Subscriber late(broker.uri(), "late-reader", "edgestock/stjames/ward3-t1/status");
  REQUIRE(wait_until([&] { return late.count() > 0; }, 10s));
  const auto status = nlohmann::json::parse(late.messages().back().payload);
  CHECK(late.messages().back().retained);
  CHECK(status["state"] == "offline");
}

TEST_CASE("with a writer thread, acknowledgements leave the outbox there, not on the loop", "[mqtt]") {
  MosquittoBroker broker;
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/events");
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  fill_ledger(*ledger, 500);
  // The agent's scan worker in small: one thread that runs what it is given.
  boost::asio::io_context writer_io;
  auto writer_work = boost::asio::make_work_guard(writer_io);
  std::thread writer_thread([&] { writer_io.run(); });
  std::atomic<int> writes{0};
  std::atomic<bool> off_the_writer{false};
  const auto writer_id = writer_thread.get_id();
  {
    RunningForwarder running(*ledger, mqtt_settings(broker.uri()), clock, [&](std::function<void()> job) {
      boost::asio::post(writer_io, [&, job = std::move(job)] {
        if (std::this_thread::get_id() != writer_id) off_the_writer = true;
        ++writes;
        job();
      });
    });
    REQUIRE(running.start_problem().empty());
    REQUIRE(wait_until([&] { return ledger->outbox().backlog(storage::kDestinationMqtt).value() == 0; }, 30s));
    REQUIRE(wait_until([&] { return running.forwarder().status().acknowledged == 500; }, 20s));
  }
  CHECK(writes > 0);
  CHECK_FALSE(off_the_writer);
  CHECK(complete_and_in_order(tally_events(subscriber.messages()), 500));
  writer_work.reset();
  writer_thread.join();
}

TEST_CASE("a broker restarted mid-stream loses nothing", "[mqtt]") {
  MosquittoBroker broker;
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/events");
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  constexpr int kEvents = 20000;
  fill_ledger(*ledger, kEvents);
  RunningForwarder running(*ledger, mqtt_settings(broker.uri()), clock);
  REQUIRE(wait_until([&] { return subscriber.count() >= 3000; }, 60s));
  CHECK_FALSE(running.forwarder().status().session_present);  // a new terminal: no session yet
  broker.stop(SIGTERM);                                       // mosquitto saves its queues on a clean stop
  const auto before_stop = tally_events(subscriber.messages());
  CHECK(before_stop.ids.size() < static_cast<std::size_t>(kEvents));
  // Up to the stop, first arrivals are in seq order.
  CHECK(complete_and_in_order(before_stop, static_cast<std::int64_t>(before_stop.ids.size())));
  broker.start();
  REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == kEvents; }, 120s));
  REQUIRE(wait_until([&] { return ledger->outbox().backlog(storage::kDestinationMqtt).value() == 0; }, 20s));
  const auto tally = tally_events(subscriber.messages());
  // After its restart mosquitto 2.0.11 may hand the subscriber messages it
  // restored from persistence after newer ones: complete, not always in order.
  CHECK(complete(tally, kEvents));
  CHECK(running.forwarder().status().connects >= 2);
  // The session is persistent: the broker kept it across its restart.
  CHECK(running.forwarder().status().session_present);
  INFO("duplicates after the restart: " << tally.duplicates);
}

TEST_CASE("a wrong password is reported, retried, and loses nothing", "[mqtt]") {
  MosquittoBroker::Options options;
  options.user = "ward3-t1";
  options.password = "right-horse-battery";
  MosquittoBroker broker(options);
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/#", nullptr, "ward3-t1", "right-horse-battery");
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  fill_ledger(*ledger, 200);
  auto settings = mqtt_settings(broker.uri());
  settings.mqtt.username = "ward3-t1";
  settings.mqtt.password_file = (dir / "mqtt.pass").string();
  write_secret(dir / "mqtt.pass", "wrong-password\n");
  {
    RunningForwarder running(*ledger, settings, clock);
    REQUIRE(running.start_problem().empty());
    REQUIRE(wait_until([&] { return !running.forwarder().status().last_error.empty(); }, 20s));
    CHECK_THAT(running.forwarder().status().last_error,
               Catch::Contains("not authorized (check mqtt.username and mqtt.password_file)"));
    // Several refused attempts later, still nothing went out, and the log
    // said it once (not once per retry).
    const auto refusals = [&] {
      const auto log = broker.log();
      std::size_t n = 0;
      for (auto at = log.find("not authorised"); at != std::string::npos; at = log.find("not authorised", at + 1)) ++n;
      return n;
    };
    REQUIRE(wait_until([&] { return refusals() >= 4; }, 30s));
    CHECK_FALSE(running.forwarder().status().connected);
    CHECK(ledger->outbox().backlog(storage::kDestinationMqtt).value() == 200);
    CHECK(subscriber.count() == 0);
    const auto log = running.log();
    REQUIRE(log.size() == 1);
    CHECK_THAT(log[0], Catch::Contains("MQTT broker " + broker.uri() + " unreachable: ") &&
                           Catch::Contains("check mqtt.username and mqtt.password_file"));
  }
  write_secret(dir / "mqtt.pass", "right-horse-battery\n");
  RunningForwarder fixed(*ledger, settings, clock);
  REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == 200; }, 30s));
  CHECK(complete_and_in_order(tally_events(subscriber.messages()), 200));
}

TEST_CASE("settings the forwarder cannot use are refused at start", "[mqtt]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  auto settings = mqtt_settings("tcp://127.0.0.1:1");
  settings.mqtt.password_file = (dir / "absent.pass").string();
  RunningForwarder missing_secret(*ledger, settings, clock);
  CHECK_THAT(missing_secret.start_problem(), Catch::Contains("cannot read mqtt.password_file"));
  settings.mqtt.password_file.clear();
  settings.mqtt.broker = "carrier-pigeon://ward3";
  RunningForwarder bad_uri(*ledger, settings, clock);
  CHECK_THAT(bad_uri.start_problem(), Catch::Contains("cannot be used"));
}

TEST_CASE("MQTT 5 works the same way", "[mqtt]") {
  MosquittoBroker broker;
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/events");
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  fill_ledger(*ledger, 1000);
  auto settings = mqtt_settings(broker.uri());
  settings.mqtt.version = 5;
  RunningForwarder running(*ledger, settings, clock);
  REQUIRE(running.start_problem().empty());
  REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == 1000; }, 30s));
  CHECK(complete_and_in_order(tally_events(subscriber.messages()), 1000));
  REQUIRE(wait_until([&] { return ledger->outbox().backlog(storage::kDestinationMqtt).value() == 0; }, 20s));
  // The session expiry reaches the broker: it keeps the session across a restart.
  CHECK_FALSE(running.forwarder().status().session_present);
  broker.stop(SIGTERM);
  REQUIRE(wait_until([&] { return !running.forwarder().status().connected; }, 20s));
  broker.start();
  REQUIRE(wait_until([&] { return running.forwarder().status().connects >= 2; }, 30s));
  CHECK(running.forwarder().status().session_present);
}

TEST_CASE("alerts reach the alerts topic once per condition", "[mqtt][alerts]") {
  MosquittoBroker broker;
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/#");
  const auto on_topic = [&](const char* suffix) {
    std::vector<Received> found;
    for (auto& message : subscriber.messages()) {
      if (message.topic.ends_with(suffix)) found.push_back(message);
    }
    return found;
  };
  TempDir dir;
  ManualClock clock;  // 2026-11-18
  auto ledger = open_ledger(dir / "ledger.db", clock);
  auto& catalogue = ledger->catalogue();
  REQUIRE(catalogue.upsert(storage::Product{101, "Nitrile gloves M", "5012345678900", "GLV-M",
                                            storage::UnitOfMeasure("Units"), "lot", true, ""}));
  REQUIRE(catalogue.upsert(storage::ReorderRule{storage::LocationCode("WARD3"), 101, qty("10"), qty("50")}));
  REQUIRE(catalogue.upsert(storage::Lot{7, 101, "LOT-A", "2026-11-30"}));
  REQUIRE(ledger->record(receipt("4", "05012345678900", "LOT-A")));
  auto settings = mqtt_settings(broker.uri());
  settings.alerts.expiry_days = 30;
  RunningForwarder running(*ledger, settings, clock);
  REQUIRE(wait_until([&] { return on_topic("/alerts").size() >= 2; }, 20s));
  // Three more status intervals (1 s each): the same conditions are not announced again.
  const auto statuses = on_topic("/status").size();
  REQUIRE(wait_until([&] { return on_topic("/status").size() >= statuses + 3; }, 20s));
  const auto connects = running.forwarder().status().connects;
  std::set<std::string> kinds;
  for (const auto& message : on_topic("/alerts")) {
    const auto alert = nlohmann::json::parse(message.payload);
    kinds.insert(alert.at("kind").get<std::string>());
    CHECK(alert["terminal"] == "ward3-t1");
  }
  CHECK(kinds == std::set<std::string>{"below_reorder_point", "expiry_near"});
  CHECK(on_topic("/alerts").size() == 2);
  CHECK(connects == 1);
}

TEST_CASE("a broker that is down is logged at once, its return too, and the status says since when and why", "[mqtt]") {
  MosquittoBroker broker;
  broker.stop(SIGTERM);  // its port is known and nothing listens there
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  fill_ledger(*ledger, 10);
  RunningForwarder running(*ledger, mqtt_settings(broker.uri()), clock);
  REQUIRE(wait_until([&] { return !running.log().empty(); }, 20s));
  CHECK_THAT(running.log()[0], Catch::StartsWith("edgestock: MQTT broker " + broker.uri() + " unreachable: "));
  CHECK(running.forwarder().status().down);
  CHECK(running.forwarder().status().outage_since_ms == clock.now_ms());
  const auto outage_started = clock.now_ms();
  clock.advance(90'000);
  broker.start();
  Subscriber status(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/status");
  REQUIRE(wait_until([&] { return running.forwarder().status().connected; }, 30s));
  REQUIRE(wait_until(
      [&] {
        for (const auto& line : running.log()) {
          if (line.find("reachable again after") != std::string::npos) return true;
        }
        return false;
      },
      10s));
  REQUIRE(wait_until([&] { return status.count() >= 1; }, 20s));
  const auto report = nlohmann::json::parse(status.messages().back().payload);
  REQUIRE(report.contains("last_outage"));
  char since[32];
  CHECK(report["last_outage"]["since"] == std::string(storage::format_rfc3339_ms(outage_started, since)));
  CHECK_FALSE(report["last_outage"]["cause"].get<std::string>().empty());
  CHECK(report["backlog"]["mqtt"].get<std::int64_t>() >= 0);
}

TEST_CASE("the retained status follows a material change of the backlog, not only the interval", "[mqtt]") {
  MosquittoBroker broker;
  Subscriber status(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/status");
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  auto settings = mqtt_settings(broker.uri());
  settings.mqtt.status_interval_s = 3600;
  RunningForwarder running(*ledger, settings, clock);
  REQUIRE(wait_until([&] { return status.count() >= 1; }, 20s));  // the status at connect
  const auto shown = [&] {
    return nlohmann::json::parse(status.messages().back().payload)["backlog"]["mqtt"].get<std::int64_t>();
  };
  CHECK(shown() == 0);
  fill_ledger(*ledger, 500);
  running.forwarder().wake();
  // The 500 events go out; a status within seconds says so, with no hour's wait.
  REQUIRE(wait_until([&] { return status.count() >= 2; }, 20s));
  REQUIRE(wait_until([&] { return ledger->outbox().backlog(storage::kDestinationMqtt).value() == 0; }, 20s));
  REQUIRE(wait_until([&] { return status.count() >= 2 && shown() == 0; }, 20s));
}

TEST_CASE("alerts held while offline are sent by the forwarder that replaces the old one", "[mqtt][alerts]") {
  MosquittoBroker broker;
  Subscriber alerts(broker.uri(), "pharmacy-desk", "edgestock/stjames/ward3-t1/alerts");
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  auto settings = mqtt_settings(broker.uri());
  broker.stop(SIGTERM);  // the terminal is offline when the recalled lot is scanned
  std::vector<std::string> held;
  {
    RunningForwarder old(*ledger, settings, clock);
    old.forwarder().raise_alert("recalled_lot", "lot BAD1 of gtin:05012345670027 was scanned");
    // raise_alert hands the alert to the loop: wait until the forwarder holds it.
    REQUIRE(wait_until(
        [&] {
          old.on_loop([&] {
            auto taken = old.forwarder().take_held_alerts();
            held.insert(held.end(), taken.begin(), taken.end());
          });
          return !held.empty();
        },
        20s));
  }
  REQUIRE(held.size() == 1);
  broker.start();
  RunningForwarder replacement(*ledger, settings, clock);
  replacement.on_loop([&] { replacement.forwarder().hold_alerts(held); });
  REQUIRE(wait_until([&] { return alerts.count() >= 1; }, 20s));
  CHECK_THAT(alerts.messages().front().payload, Catch::Contains("lot BAD1 of gtin:05012345670027 was scanned"));
}
