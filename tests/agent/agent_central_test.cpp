// Config pushed by central IT, through the real agent and a real mosquitto:
// a signed push is applied live, health-checked and kept (also across a
// restart); a forged one changes nothing and says why; a push that cuts the
// terminal off its broker undoes itself and reports it from the old broker.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent_process.hpp"
#include "central_desk.hpp"
#include "edgestock/config/push.hpp"
#include "edgestock/config/signing.hpp"
#include "edgestock/storage/ledger.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_subscriber.hpp"
#include "scanner_link.hpp"
#include "temp_dir.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;

TEST_CASE("a signed push is applied live and kept; a forged one is refused and changes nothing", "[agent][central]") {
  MosquittoBroker broker;
  TempDir dir("agent-central");
  CentralDesk desk{broker, dir};
  Subscriber states(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/config/state");
  const int first_port = free_loopback_port();
  desk.write_terminal_config(first_port, 20);
  pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(first_port); }, 20s));

  const int pushed_port = free_loopback_port();
  desk.publish(desk.signed_document(1, R"({"scanners": {"tcp": {"port": )" + std::to_string(pushed_port) + "}}}"));
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "applied"; }, 30s));
  CHECK(latest_state(states)["version"] == 1);
  CHECK(latest_state(states)["last_good"]["site"] == 1);
  const auto applied_hash = latest_state(states)["settings_hash"].get<std::string>();
  REQUIRE(wait_until([&] { return accepts_connections(pushed_port); }, 20s));
  CHECK_FALSE(accepts_connections(first_port));

  // Forged: signed, then changed. Nothing moves; the state says why.
  auto forged = desk.signed_document(2, R"({"scanners": {"tcp": {"port": 1}}})");
  forged.replace(forged.find("\"port\": 1"), 9, "\"port\": 2");
  desk.publish(forged);
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "refused"; }, 30s));
  CHECK_THAT(latest_state(states)["reasons"][0].get<std::string>(), Catch::Contains("0 of the trusted keys signed it"));
  CHECK(latest_state(states)["settings_hash"] == applied_hash);
  CHECK(accepts_connections(pushed_port));

  // After a restart the applied push still holds (persisted beside the ledger),
  // and the forged document, retained on the broker, is refused again.
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK((std::filesystem::status(dir / "central-config.json").permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
  agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(pushed_port); }, 20s));
  ::kill(agent, SIGTERM);
  ::waitpid(agent, &status, 0);
}

TEST_CASE("a push that cuts the terminal off its broker is rolled back and reported from the old one",
          "[agent][central]") {
  MosquittoBroker broker;
  TempDir dir("agent-central-rollback");
  CentralDesk desk{broker, dir};
  Subscriber states(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/config/state");
  const int port = free_loopback_port();
  desk.write_terminal_config(port, 2);
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  const int nowhere = free_loopback_port();  // nothing listens there
  desk.publish(desk.signed_document(
      5, R"({"mqtt": {"broker": "tcp://127.0.0.1:)" + std::to_string(nowhere) + R"(", "reconnect_min_ms": 50}})"));
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "rolled_back"; }, 40s));
  const auto state = latest_state(states);
  CHECK(state["version"] == 5);
  CHECK_THAT(state["reasons"][0].get<std::string>(), Catch::Contains("was not reached"));
  CHECK(state["last_good"]["site"].is_null());
  // Scanning went on all along, on the same port.
  CHECK(accepts_connections(port));
  // The audit log has the push from receipt to rollback.
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  std::ifstream log(dir / "agent.log");
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  CHECK_THAT(text, Catch::Contains("site config version 5 rolled back: the MQTT broker tcp://127.0.0.1:"));
}

TEST_CASE("a push applied while a nurse is scanning loses no scan", "[agent][central]") {
  MosquittoBroker broker;
  TempDir dir("agent-central-scanning");
  CentralDesk desk{broker, dir};
  Subscriber states(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/config/state");
  const int port = free_loopback_port();
  desk.write_terminal_config(port, 20,
                             R"("session": {"default_location": "WARD3", "operators": {"nurse-042": ["issue"]}}, )");
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  ScannerLink nurse(port);
  nurse.send("OP:nurse-042");
  REQUIRE(nurse.wait_for("OK hello nurse-042"));
  constexpr int kIssues = 60;
  for (int i = 1; i <= kIssues; ++i) {
    // Halfway, central IT changes the session rules and the alerts (the
    // forwarder is rebuilt): the nurse's session and connection go on.
    if (i == kIssues / 2) {
      desk.publish(
          desk.signed_document(1, R"({"session": {"idle_logout_s": 900, "operators": {"nurse-042": ["issue", "count"]}},
                 "alerts": {"expiry_days": 45}})"));
    }
    nurse.send("5012345670010");
    nurse.send("CMD:CONFIRM");
    REQUIRE(nurse.wait_for("OK recorded #" + std::to_string(i) + " "));
  }
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "applied"; }, 30s));
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  storage::SystemClock clock;
  auto options = storage::LedgerOptions{};
  options.path = dir / "ledger.db";
  options.terminal = storage::TerminalId("ward3-t1");
  options.site = storage::SiteId("stjames");
  auto ledger = storage::Ledger::open(options, clock);
  REQUIRE(ledger.has_value());
  CHECK((*ledger)->last_seq().value == kIssues);  // every confirmed issue, once
}

TEST_CASE("every kind of bad push, through the broker, is refused with its reason and changes nothing",
          "[agent][central]") {
  MosquittoBroker broker;
  TempDir dir("agent-central-refusals");
  CentralDesk desk{broker, dir};
  Subscriber states(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/config/state");
  const int port = free_loopback_port();
  desk.write_terminal_config(port, 20, "", R"("max_push_bytes": 2048, )");
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  desk.publish(desk.signed_document(2, R"({"session": {"auto_confirm_s": 40}})"));
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "applied"; }, 30s));
  const auto hash = latest_state(states)["settings_hash"].get<std::string>();

  const auto now = std::to_string(now_s());
  const auto hour_on = std::to_string(now_s() + 3600);
  auto tampered = desk.signed_document(3, R"({"session": {"auto_confirm_s": 1}})");
  tampered.replace(tampered.find("\"auto_confirm_s\": 1"), 19, "\"auto_confirm_s\": 2");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tampered", tampered},
      {"not signed: a push needs", desk.document(3, R"({"session": {"auto_confirm_s": 3}})")},
      {"older than version 2", desk.signed_document(1, R"({"session": {"auto_confirm_s": 4}})")},
      {"expired",
       desk.sign(R"({"version": 3, "issued_at": 1000, "expires_at": 2000, "target": "all", "settings": {}})")},
      {"in the future", desk.sign(R"({"version": 3, "issued_at": )" + hour_on + R"(, "expires_at": )" + hour_on +
                                  R"(0, "target": "all", "settings": {}})")},
      {"target: for site elsewhere", desk.sign(R"({"version": 3, "issued_at": )" + now + R"(, "expires_at": )" +
                                               hour_on + R"(, "target": {"site": "elsewhere"}, "settings": {}})")},
      {"needs edgestock 99.0 or newer",
       desk.sign(R"({"version": 3, "issued_at": )" + now + R"(, "expires_at": )" + hour_on +
                 R"(, "target": "all", "min_agent_version": "99.0", "settings": {}})")},
      {"over central.max_push_bytes",
       desk.signed_document(3, R"({"session": {"default_location": ")" + std::string(3000, 'W') + R"("}})")},
      {"not valid JSON", "{\"version\": 3, "},
      {"settings.mqtt.window: must be a whole number", desk.signed_document(3, R"({"mqtt": {"window": 0}})")},
      {"settings.terminal: may be set only in the terminal's own file",
       desk.signed_document(3, R"({"terminal": "ward9-t1"})")},
  };
  for (const auto& [reason, payload] : cases) {
    INFO(reason);
    desk.publish(payload);
    const std::string expected = reason == "tampered" ? "0 of the trusted keys signed it" : reason;
    REQUIRE(wait_until(
        [&] {
          const auto s = latest_state(states);
          return s.value("status", "") == "refused" && s["reasons"].dump().find(expected) != std::string::npos;
        },
        20s));
    CHECK(latest_state(states)["settings_hash"] == hash);
    CHECK(latest_state(states)["last_good"]["site"] == 2);
  }
  CHECK(accepts_connections(port));
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
}
