// End to end through the real process: scans sent as lines over TCP to
// `edgestock run` become durable moves, the operator gets answers, the raw
// scans are journaled, and the stock events reach MQTT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>

#include "../sync/mqtt_helpers.hpp"
#include "agent_process.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "scan_agent_config.hpp"
#include "scanner_link.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;

TEST_CASE("scans over TCP become moves, answers and stock events", "[agent][mqtt]") {
  MosquittoBroker broker;
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/events");
  Subscriber central(broker.uri(), "pharmacy-desk", "edgestock/#");
  TempDir dir("agent-scan");
  {
    storage::SystemClock clock;
    auto ledger = open_ledger(dir / "ledger.db", clock);
    REQUIRE(ledger->catalogue().upsert(storage::Product{101, "Gloves M", "5012345670010", "GLV-M",
                                                        storage::UnitOfMeasure("Units"), "none", true, ""}));
    REQUIRE(ledger->catalogue().upsert(storage::Packaging{"15012345670017", 101, storage::Quantity::units(10)}));
  }
  const int scan_port = free_loopback_port();
  write_scan_agent_config(dir.path(), broker.uri(), scan_port, R"({"default_location": "WARD3",
      "operators": {"nurse-042": ["issue"]}, "cost_centres": {"WARD3": "CC-W3"},
      "recalled_lots": [{"gtin": "05012345670027", "lot": "BAD1"}]})");
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(scan_port); }, 20s));
  {
    ScannerLink scanner(scan_port);
    scanner.send("5012345670010");
    REQUIRE(scanner.wait_for("REFUSED scan your badge first"));
    scanner.send("OP:nurse-042");
    REQUIRE(scanner.wait_for("OK hello nurse-042; location WARD3"));
    {
      // A second device at the same time has a session of its own: it does
      // not inherit nurse-042's badge.
      ScannerLink other(scan_port);
      other.send("5012345670010");
      REQUIRE(other.wait_for("REFUSED scan your badge first"));
    }
    scanner.send("5012345670010");
    scanner.send("]I115012345670017");  // a box of 10
    REQUIRE(scanner.wait_for("OK issue Gloves M: 11 Units"));
    scanner.send("50123456700XX");
    REQUIRE(scanner.wait_for("REFUSED unreadable scan"));
    scanner.send("CMD:CONFIRM");
    REQUIRE(scanner.wait_for("OK recorded #1 issue 11 Units"));
    scanner.send(
        "]d20105012345670027"
        "17271231"
        "10BAD1");
    REQUIRE(scanner.wait_for("REFUSED lot BAD1 of gtin:05012345670027 is recalled"));
  }
  // The pharmacy hears of the recalled lot too, even when it was scanned
  // before the agent had reached the broker.
  auto alerts = [&] {
    std::vector<Received> found;
    for (const auto& m : central.messages()) {
      if (m.topic.ends_with("/alerts")) found.push_back(m);
    }
    return found;
  };
  const bool alerted = wait_until([&] { return !alerts().empty(); }, 20s);
  REQUIRE(alerted);
  const auto alert = nlohmann::json::parse(alerts().at(0).payload);
  CHECK(alert["kind"] == "recalled_lot");
  CHECK_THAT(alert["message"].get<std::string>(), Catch::Contains("BAD1"));
  // The retained status lists the scanners and their state.
  Subscriber status_reader(broker.uri(), "status-reader", "edgestock/stjames/ward3-t1/status");
  REQUIRE(wait_until([&] { return status_reader.count() >= 1; }, 20s));
  const auto report = nlohmann::json::parse(status_reader.messages().back().payload);
  REQUIRE(report.contains("devices"));
  CHECK(report["devices"][0]["name"] == "tcp:" + std::to_string(scan_port));
  CHECK(report["devices"][0]["open"] == true);
  REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == 1; }, 20s));
  const auto event = nlohmann::json::parse(subscriber.messages().at(0).payload);
  CHECK(event["qty"] == "11");
  CHECK(event["product"]["odoo_id"] == 101);
  CHECK(event["cost_centre"] == "CC-W3");
  CHECK(event["operator"] == "nurse-042");

  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
  storage::SystemClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  const auto scans = ledger->recent_scans(10).value();
  REQUIRE(scans.size() == 8);
  CHECK(scans[0].outcome == "refused: scan your badge first");
  CHECK(scans[2].source != scans[1].source);  // the second device
  CHECK(scans[2].outcome == "refused: scan your badge first");
  CHECK(scans[5].raw == "50123456700XX");
  CHECK_THAT(scans[5].outcome, Catch::Contains("refused: unreadable scan"));
  CHECK(scans[6].outcome == "ok: issue: 1 lines to record; next items: issue; move 1");
  CHECK(ledger->stock_line(storage::LocationCode("WARD3"), "gtin:05012345670010", "").value()->on_hand() ==
        storage::Quantity::units(-11));
}
