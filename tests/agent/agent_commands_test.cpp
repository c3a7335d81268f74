// Key rotations and commands from central IT, through the real agent and a
// real mosquitto: a rotation retires a key (a push it signs is refused, one
// signed by the new key is applied, also after a restart); a command is run
// once and answered on .../cmd/ack, its recording refused (also after a
// restart), an unsigned or unknown one refused with its reason.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "agent_process.hpp"
#include "central_desk.hpp"
#include "edgestock/config/central_command.hpp"
#include "edgestock/config/key_rotation.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/ledger.hpp"
#include "scanner_link.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

constexpr const char* kStateTopic = "edgestock/stjames/ward3-t1/config/state";
constexpr const char* kCommandTopic = "edgestock/stjames/ward3-t1/cmd";

void stop_agent(pid_t agent) {
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
}

std::string command(const std::string& name, const std::string& nonce) {
  return R"({"command": ")" + name + R"(", "nonce": ")" + nonce + R"(", "issued_at": )" + std::to_string(now_s() - 5) +
         R"(, "expires_at": )" + std::to_string(now_s() + 600) + R"(, "target": {"site": "stjames"}})";
}

// The acks received so far for `nonce`.
std::vector<Json> acks_for(const Subscriber& acks, const std::string& nonce) {
  std::vector<Json> out;
  for (const auto& m : acks.messages()) {
    auto json = Json::parse(m.payload);
    if (json.value("nonce", "") == nonce) out.push_back(std::move(json));
  }
  return out;
}

}  // namespace

TEST_CASE("a key rotation retires a leaked key from the centre", "[agent][central][keys]") {
  MosquittoBroker broker;
  TempDir dir("agent-keys");
  CentralDesk desk{broker, dir};  // desk.key: the key every terminal was installed with
  const auto successor = config::generate_signing_key().value();
  Subscriber states(broker.uri(), "it-desk", kStateTopic);
  const int port = free_loopback_port();
  desk.write_terminal_config(port, 20);
  pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));

  // Signed by the old key while it is still trusted: add the successor, retire the old key.
  const auto rotation = R"({"version": 1, "issued_at": )" + std::to_string(now_s() - 5) + R"(, "expires_at": )" +
                        std::to_string(now_s() + 3600) + R"(, "target": "all", "trusted_keys": [")" +
                        successor.public_key + R"("], "retired": [")" + config::key_id(desk.key.public_key) + R"("]})";
  desk.publish(config::sign_key_rotation(rotation, desk.key.private_key).value(), "edgestock/keys");
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "keys_rotated"; }, 30s));
  CHECK(latest_state(states)["keys_version"] == 1);

  // The retired key signs nothing any more, though the terminal's own file still lists it.
  desk.publish(desk.signed_document(1, R"({"session": {"auto_confirm_s": 11}})"));
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "refused"; }, 30s));
  CHECK_THAT(latest_state(states)["reasons"][0].get<std::string>(), Catch::Contains("0 of the trusted keys signed it"));
  const auto by_successor =
      config::sign_push(desk.document(2, R"({"session": {"auto_confirm_s": 12}})"), successor.private_key).value();
  desk.publish(by_successor);
  REQUIRE(wait_until([&] { return latest_state(states).value("status", "") == "applied"; }, 30s));
  CHECK(latest_state(states)["version"] == 2);

  // After a restart the rotation holds: the old key's push is still refused.
  stop_agent(agent);
  agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  desk.publish(desk.signed_document(3, R"({"session": {"auto_confirm_s": 13}})"));
  REQUIRE(wait_until(
      [&] {
        const auto s = latest_state(states);
        return s.value("status", "") == "refused" && s["version"] == 3;
      },
      30s));
  CHECK(latest_state(states)["last_good"]["site"] == 2);
  CHECK(latest_state(states)["keys_version"] == 1);
  stop_agent(agent);
  std::ifstream log(dir / "agent.log");
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  CHECK_THAT(text, Catch::Contains("key rotation 1: 1 keys added, retired " + config::key_id(desk.key.public_key)));
}

TEST_CASE("a command from central IT runs once and is answered; its recording is refused", "[agent][central][cmd]") {
  MosquittoBroker broker;
  TempDir dir("agent-commands");
  CentralDesk desk{broker, dir};
  Subscriber acks(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/cmd/ack");
  Subscriber status(broker.uri(), "it-status", "edgestock/stjames/ward3-t1/status");
  const int port = free_loopback_port();
  desk.write_terminal_config(port, 20,
                             R"("session": {"default_location": "WARD3", "operators": {"nurse-042": ["issue"]}}, )");
  pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  REQUIRE(wait_until([&] { return status.count() > 0; }, 20s));  // connected and subscribed
  {
    ScannerLink nurse(port);
    nurse.send("OP:nurse-042");
    nurse.send("5012345670010");
    nurse.send("CMD:CONFIRM");
    REQUIRE(nurse.wait_for("OK recorded #1 "));
  }

  const auto report = config::sign_central_command(command("report", "report-0001"), desk.key.private_key).value();
  // The subscription is made at connect; a command published before it would be lost, so it is sent until answered.
  REQUIRE(wait_until(
      [&] {
        if (acks_for(acks, "report-0001").empty()) desk.publish(report, kCommandTopic, false);
        return wait_until([&] { return !acks_for(acks, "report-0001").empty(); }, 2s);
      },
      30s));
  const auto answer = acks_for(acks, "report-0001").front();
  CHECK(answer["status"] == "done");
  CHECK(answer["command"] == "report");
  CHECK(answer["terminal"] == "ward3-t1");
  CHECK(answer["result"]["moves"]["issue"] == 1);
  CHECK(answer["result"]["health"].contains("status"));
  CHECK(answer["result"]["destinations"]["mqtt"].contains("pending"));

  // The same bytes again: refused as a replay, not run twice.
  desk.publish(report, kCommandTopic, false);
  REQUIRE(wait_until([&] { return acks_for(acks, "report-0001").size() == 2; }, 20s));
  CHECK(acks_for(acks, "report-0001")[1]["status"] == "refused");
  CHECK_THAT(acks_for(acks, "report-0001")[1]["reasons"][0].get<std::string>(),
             Catch::Contains("was used already: a replayed command"));

  // Unsigned, and a command it does not know.
  desk.publish(command("replay", "unsigned-0001"), kCommandTopic, false);
  desk.publish(config::sign_central_command(command("reboot", "reboot-0001"), desk.key.private_key).value(),
               kCommandTopic, false);
  REQUIRE(wait_until([&] { return !acks_for(acks, "unsigned-0001").empty() && !acks_for(acks, "reboot-0001").empty(); },
                     20s));
  CHECK_THAT(acks_for(acks, "unsigned-0001")[0]["reasons"][0].get<std::string>(), Catch::Contains("not signed"));
  CHECK_THAT(acks_for(acks, "reboot-0001")[0]["reasons"].dump(), Catch::Contains("must be \\\"resync\\\""));

  // replay runs (nothing waits in the exception queue); resync says Odoo is not running here.
  desk.publish(config::sign_central_command(command("replay", "replay-0001"), desk.key.private_key).value(),
               kCommandTopic, false);
  desk.publish(config::sign_central_command(command("resync", "resync-0001"), desk.key.private_key).value(),
               kCommandTopic, false);
  REQUIRE(wait_until([&] { return !acks_for(acks, "replay-0001").empty() && !acks_for(acks, "resync-0001").empty(); },
                     20s));
  CHECK(acks_for(acks, "replay-0001")[0]["status"] == "done");
  CHECK(acks_for(acks, "replay-0001")[0]["result"]["replayed"] == 0);
  CHECK(acks_for(acks, "resync-0001")[0]["status"] == "failed");
  CHECK_THAT(acks_for(acks, "resync-0001")[0]["reasons"][0].get<std::string>(), Catch::Contains("Odoo is not running"));

  // After a restart the nonce is still remembered.
  stop_agent(agent);
  CHECK((std::filesystem::status(dir / "central-commands.json").permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
  Subscriber restarted(broker.uri(), "it-status-2", "edgestock/stjames/ward3-t1/status");
  agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until(
      [&] {
        for (const auto& m : restarted.messages()) {
          if (m.payload.find(R"("state":"online")") != std::string::npos) return true;
        }
        return false;
      },
      20s));
  desk.publish(report, kCommandTopic, false);
  REQUIRE(wait_until([&] { return acks_for(acks, "report-0001").size() == 3; }, 20s));
  CHECK(acks_for(acks, "report-0001")[2]["status"] == "refused");
  stop_agent(agent);

  // The audit log: each command received, done or refused.
  storage::SystemClock clock;
  storage::LedgerOptions options;
  options.path = dir / "ledger.db";
  options.terminal = storage::TerminalId("ward3-t1");
  options.site = storage::SiteId("stjames");
  auto ledger = storage::Ledger::open(options, clock);
  REQUIRE(ledger.has_value());
  std::map<std::string, int> actions;
  for (const auto& entry : (*ledger)->audit().tail(200)) {
    if (entry.actor == "central") ++actions[entry.action];
  }
  CHECK(actions["command_received"] == 3);  // report, replay, resync
  CHECK(actions["command_done"] == 2);
  CHECK(actions["command_failed"] == 1);
  CHECK(actions["command_refused"] == 4);  // the replay twice, unsigned, reboot
  CHECK((*ledger)->audit().verify().intact());
}

TEST_CASE("central IT publishes with edgestock config publish and reads the fleet with config status",
          "[agent][central][cli]") {
  MosquittoBroker broker;
  TempDir dir("agent-fleet");
  CentralDesk desk{broker, dir};
  {
    std::ofstream(dir / "desk.key") << desk.key.private_key << "\n";
    std::filesystem::permissions(dir / "desk.key",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  const int port = free_loopback_port();
  desk.write_terminal_config(port, 20);
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  auto edgestock = [&](const std::string& args) {
    const auto said = dir / "said.txt";
    const int code = std::system((std::string(EDGESTOCK_BINARY) + " " + args + " >" + said.string() + " 2>&1").c_str());
    std::ifstream in(said);
    return std::pair{WEXITSTATUS(code), std::string((std::istreambuf_iterator<char>(in)), {})};
  };
  std::ofstream(dir / "push.json") << desk.document(4, R"({"session": {"auto_confirm_s": 25}})");
  const auto broker_option = " --broker " + broker.uri();
  // Unsigned: not sent.
  auto [code, said] = edgestock("config publish " + (dir / "push.json").string() + broker_option);
  CHECK(code == 1);
  CHECK_THAT(said, Catch::Contains("is not signed (give --key)"));
  std::tie(code, said) = edgestock("config publish " + (dir / "push.json").string() + broker_option + " --key " +
                                   (dir / "desk.key").string());
  REQUIRE(code == 0);
  CHECK_THAT(said, Catch::Contains("to edgestock/stjames/config (retained)"));
  // The terminal applies it; status shows it, from the broker's retained state.
  REQUIRE(wait_until(
      [&] {
        std::tie(code, said) = edgestock("config status --site stjames --wait-ms 2000" + broker_option);
        return code == 0 && said.find("ward3-t1") != std::string::npos && said.find("applied") != std::string::npos;
      },
      30s));
  CHECK_THAT(said, Catch::Matches("(.|\n)*ward3-t1 +applied +4 +4/- +0 (.|\n)*"));
  std::tie(code, said) = edgestock("config status --site elsewhere --wait-ms 1000" + broker_option);
  CHECK(code == 1);
  CHECK_THAT(said, Catch::Contains("no terminal of site elsewhere has reported"));
  std::tie(code, said) = edgestock("config status --site stjames --broker tcp://127.0.0.1:1 --wait-ms 1000");
  CHECK(code == 1);
  CHECK_THAT(said, Catch::Contains("cannot reach the broker"));
  stop_agent(agent);
}
