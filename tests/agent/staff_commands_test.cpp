// The commands support staff and IT use beside a running agent, against the
// real agent and a real mosquitto: scan hands scans to the agent as a scanner
// does, moves shows where each move has reached, status reads the backlog and
// asks the agent's /healthz, audit verify checks the chain. Exit codes are
// part of what is tested (docs/operations.md).
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "agent_process.hpp"
#include "edgestock/storage/ledger.hpp"
#include "ledger_commands.hpp"
#include "mosquitto_broker.hpp"
#include "odoo_server.hpp"
#include "temp_dir.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

TEST_CASE("--since reads a date, a UTC time or a time ago", "[cli][moves]") {
  using edgestock::agent::parse_since;
  constexpr std::int64_t kNow = 1'796'300'000'000;
  CHECK(parse_since("2026-12-03", kNow) == 1'796'256'000'000);  // date -u -d 2026-12-03 +%s
  CHECK(parse_since("2026-12-03T08:30:00Z", kNow) == 1'796'286'600'000);
  CHECK(parse_since("90m", kNow) == kNow - 5'400'000);
  CHECK(parse_since("8h", kNow) == kNow - 28'800'000);
  CHECK(parse_since("2d", kNow) == kNow - 172'800'000);
  CHECK_FALSE(parse_since("yesterday", kNow));
  CHECK_FALSE(parse_since("2026-13-03", kNow));
  CHECK_FALSE(parse_since("-5h", kNow));
  CHECK_FALSE(parse_since("h", kNow));
}

TEST_CASE("scan, moves, status and audit verify beside a running agent", "[agent][cli]") {
  MosquittoBroker broker;
  TempDir dir("staff-commands");
  const int scan_port = free_loopback_port();
  const int http_port = free_loopback_port();
  const auto config = (dir / "edgestock.json").string();
  std::ofstream(config) << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                        << (dir / "ledger.db").string() << R"("},
      "mqtt": {"enabled": true, "broker": ")"
                        << broker.uri() << R"(", "reconnect_min_ms": 50, "reconnect_max_ms": 500},
      "scanners": {"tcp": {"enabled": true, "port": )"
                        << scan_port << R"(}}, "http": {"enabled": true, "port": )" << http_port << R"(},
      "session": {"default_location": "WARD3", "operators": {"nurse-042": ["issue"]}}})";
  auto edgestock = [&](const std::string& args) {
    const auto said = dir / "said.txt";
    const int code = std::system(
        (std::string(EDGESTOCK_BINARY) + " " + args + " --config " + config + " >" + said.string() + " 2>&1").c_str());
    std::ifstream in(said);
    return std::pair{WEXITSTATUS(code), std::string((std::istreambuf_iterator<char>(in)), {})};
  };
  auto [code, said] = edgestock("scan OP:nurse-042");
  CHECK(code == 1);
  CHECK_THAT(said, Catch::Contains("does not answer on 127.0.0.1:" + std::to_string(scan_port)));

  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(scan_port) && accepts_connections(http_port); }, 20s));
  std::tie(code, said) = edgestock("scan OP:nurse-042 5012345670010 CMD:CONFIRM");
  CHECK(code == 0);
  CHECK_THAT(said, Catch::Contains("CMD:CONFIRM: OK recorded #1 "));
  // A scan the session refuses: exit 1, the reason shown.
  std::tie(code, said) = edgestock("scan OP:nobody");
  CHECK(code == 1);
  CHECK_THAT(said, Catch::Contains("OP:nobody: REFUSED"));

  // The move reaches the broker: moves says so.
  REQUIRE(wait_until(
      [&] {
        std::tie(code, said) = edgestock("moves --json");
        const auto moves = Json::parse(said, nullptr, false);
        return code == 0 && moves.is_array() && moves.size() == 1 && moves[0]["state"]["mqtt"] == "sent";
      },
      20s));
  const auto move = Json::parse(said)[0];
  CHECK(move["seq"] == 1);
  CHECK(move["kind"] == "issue");
  CHECK(move["product"] == "gtin:05012345670010");
  CHECK(move["operator"] == "nurse-042");
  std::tie(code, said) = edgestock("moves --kind receipt");
  CHECK(code == 0);
  CHECK_THAT(said, Catch::Contains("no moves match"));
  std::tie(code, said) = edgestock("moves --operator nurse-042");
  CHECK_THAT(said, Catch::Contains("#1  ") && Catch::Contains("issue") && Catch::Contains("mqtt: sent"));
  std::tie(code, said) = edgestock("moves --since tomorrow");
  CHECK(code == 2);
  CHECK_THAT(said, Catch::Contains("give a date"));
  std::tie(code, said) = edgestock("moves --kind borrowed");
  CHECK(code == 2);

  // status: nothing waits, the agent says ready.
  REQUIRE(wait_until(
      [&] {
        std::tie(code, said) = edgestock("status --json");
        const auto s = Json::parse(said, nullptr, false);
        return code == 0 && !s.is_discarded() && s["destinations"]["mqtt"]["waiting"] == 0 &&
               s["agent"]["status"] == "ready";
      },
      20s));
  CHECK(Json::parse(said)["last_seq"] == 1);
  std::tie(code, said) = edgestock("status");
  CHECK_THAT(said, Catch::Contains("mqtt: 0 waiting, 0 exceptions") && Catch::Contains("agent: ready"));

  // The broker goes away: the move recorded meanwhile waits, and status exits 1 with the agent's reason.
  broker.stop(SIGTERM);
  std::tie(code, said) = edgestock("scan OP:nurse-042 5012345670010 CMD:CONFIRM");
  CHECK(code == 0);
  REQUIRE(wait_until(
      [&] {
        std::tie(code, said) = edgestock("status");
        return code == 1 && said.find("mqtt: 1 waiting") != std::string::npos &&
               said.find("agent: degraded") != std::string::npos;
      },
      30s));
  std::tie(code, said) = edgestock("moves");
  CHECK_THAT(said, Catch::Contains("#2  ") && Catch::Contains("mqtt: waiting"));

  std::tie(code, said) = edgestock("audit verify");
  CHECK(code == 0);
  CHECK_THAT(said, Catch::Contains("entries intact"));
  std::tie(code, said) = edgestock("audit verify --json");
  CHECK(Json::parse(said)["intact"] == true);
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
  std::tie(code, said) = edgestock("status");
  CHECK_THAT(said, Catch::Contains("agent: not answering on /healthz"));
}

TEST_CASE("doctor checks the ledger, the broker, Odoo and the clock, and says how to fix each problem",
          "[agent][cli][doctor]") {
  MosquittoBroker broker;
  OdooServer odoo(17);
  TempDir dir("doctor");
  write_secret(dir / "odoo.key", std::string(OdooServer::kApiKey) + "\n");
  const auto config = (dir / "edgestock.json").string();
  std::ofstream(config) << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                        << (dir / "ledger.db").string() << R"("},
      "mqtt": {"enabled": true, "broker": ")"
                        << broker.uri() << R"("},
      "odoo": {"enabled": true, "url": ")"
                        << odoo.url() << R"(", "database": "hospital", "login": "admin", "api_key_file": ")"
                        << (dir / "odoo.key").string() << R"("},
      "scanners": {"serial": {"device": ")"
                        << (dir / "ttyACM0").string() << R"("}}})";
  auto doctor = [&](const std::string& args = "") {
    const auto said = dir / "said.txt";
    const int code = std::system(
        (std::string(EDGESTOCK_BINARY) + " doctor " + args + " --config " + config + " >" + said.string() + " 2>&1")
            .c_str());
    std::ifstream in(said);
    return std::pair{WEXITSTATUS(code), std::string((std::istreambuf_iterator<char>(in)), {})};
  };
  // No ledger yet, and no scanner plugged in.
  auto [code, said] = doctor();
  CHECK(code == 1);
  CHECK_THAT(said, Catch::Contains("PROBLEM  ledger file: " + (dir / "ledger.db").string() + " does not exist"));
  CHECK_THAT(said, Catch::Contains("PROBLEM  serial scanner: " + (dir / "ttyACM0").string() + " cannot be read"));
  CHECK_THAT(said, Catch::Contains("fix: plug the scanner in"));
  CHECK_THAT(said, Catch::Contains("ok       broker: " + broker.uri() + ": connected, published and received"));
  CHECK_THAT(said, Catch::Contains("ok       odoo: " + odoo.url() + ": Odoo 17 over JSON-RPC as admin"));
  CHECK_THAT(said, Catch::Contains("ok       odoo rights: admin can read every model the agent reads"));
  CHECK_THAT(said, Catch::Contains("ok       clock: within 5 min of Odoo's"));

  {
    storage::SystemClock clock;
    storage::LedgerOptions options;
    options.path = dir / "ledger.db";
    options.terminal = storage::TerminalId("ward3-t1");
    options.site = storage::SiteId("stjames");
    REQUIRE(storage::Ledger::open(options, clock).has_value());
  }
  std::ofstream(dir / "ttyACM0") << "";
  std::tie(code, said) = doctor();
  INFO(said);
  CHECK(code == 0);
  CHECK_THAT(said, Catch::Contains("ok       ledger: 0 moves, audit chain of"));
  CHECK_THAT(said, Catch::Contains("all checks passed"));

  // A ledger others can read, a broker gone, Odoo refusing the key.
  std::filesystem::permissions(dir / "ledger.db", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  broker.stop(SIGTERM);
  write_secret(dir / "odoo.key", "not-the-key\n");
  std::tie(code, said) = doctor("--json");
  CHECK(code == 1);
  const auto checks = Json::parse(said);
  std::map<std::string, Json> by_check;
  for (const auto& c : checks) by_check[c["check"].get<std::string>()] = c;
  CHECK(by_check["ledger file"]["ok"] == false);
  CHECK_THAT(by_check["ledger file"]["fix"].get<std::string>(), Catch::StartsWith("chmod 600 "));
  CHECK(by_check["broker"]["ok"] == false);
  CHECK(by_check["odoo"]["ok"] == false);
  CHECK(by_check["config"]["ok"] == true);
}
