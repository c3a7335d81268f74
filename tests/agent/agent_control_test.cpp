// Staff commands that write the ledger while the agent holds it: `edgestock
// exceptions retry|void|map` reach the running agent over its control socket,
// which does the change on its own ledger thread. Against the real agent and
// the Odoo test server: a retried move is booked in Odoo, a voided one never.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent_process.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "control_socket.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "ledger_fixtures.hpp"
#include "mosquitto_broker.hpp"
#include "odoo_server.hpp"
#include "temp_dir.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

// An untracked product Ward 3 (location 11) holds: its EAN-13 and its unit.
std::pair<std::string, std::string> stocked_product(sync::OdooClient& odoo) {
  const auto quants = Json::parse(odoo.call("stock.quant", "search_read",
                                            R"({"domain": [["location_id", "=", 11], ["lot_id", "=", false],
                                                           ["quantity", ">", 10]], "fields": ["product_id"]})")
                                      .result);
  for (const auto& q : quants) {
    const auto p =
        Json::parse(odoo.call("product.product", "read",
                              Json{{"ids", {q["product_id"][0]}}, {"fields", {"barcode", "tracking", "uom_id"}}}.dump())
                        .result)[0];
    if (p["tracking"] == "none" && p["barcode"].is_string() && p["barcode"].get<std::string>().size() == 13) {
      return {p["barcode"].get<std::string>(), p["uom_id"][1].get<std::string>()};
    }
  }
  return {};
}

// Done Odoo moves with this origin.
std::size_t booked(sync::OdooClient& odoo, const std::string& origin) {
  return Json::parse(
             odoo.call(
                     "stock.move", "search_read",
                     Json{{"domain", {{"origin", "=", origin}, {"state", "=", "done"}}}, {"fields", {"origin"}}}.dump())
                 .result)
      .size();
}

}  // namespace

TEST_CASE("exceptions retry and void reach the running agent over its control socket", "[agent][cli][exceptions]") {
  OdooServer server(17);
  sync::OdooClient odoo(odoo_settings(server), OdooServer::kApiKey);
  REQUIRE(odoo.connect().ok());
  const auto [barcode, unit] = stocked_product(odoo);
  REQUIRE_FALSE(barcode.empty());

  TempDir dir("agent-control");
  write_secret(dir / "odoo.key", std::string(OdooServer::kApiKey) + "\n");
  const auto config = (dir / "edgestock.json").string();
  std::ofstream(config) << R"({"site": "stjames", "terminal": "ward3-t1",
      "ledger": {"path": ")"
                        << (dir / "ledger.db").string() << R"("},
      "odoo": {"enabled": true, "url": ")"
                        << server.url() << R"(", "login": "admin",
               "api_key_file": ")"
                        << (dir / "odoo.key").string() << R"(", "locations": ["WARD3"],
               "posting": {"enabled": true, "interval_s": 5, "supplier_location_id": 1,
                           "cost_centre_locations": {"CC-W3": 5}, "inventory_loss_location_id": 3,
                           "scrap_location_id": 4,
                           "picking_type": {"incoming": 1, "internal": 2, "outgoing": 3}}}})";
  // Three issues recorded before the agent starts; two held in the exception
  // queue (as a refusal by Odoo would leave them).
  std::vector<std::string> origins;
  {
    storage::SystemClock clock;
    auto options = ledger_options(dir / "ledger.db");
    options.terminal = storage::TerminalId("ward3-t1");
    options.site = storage::SiteId("stjames");
    options.destinations = {"odoo"};
    auto ledger = open_ledger(options, clock);
    for (int i = 0; i < 3; ++i) {
      auto request = issue("1", "0" + barcode);
      request.uom = storage::UnitOfMeasure(unit);
      const auto move = ledger->record(request);
      REQUIRE(move.has_value());
      origins.push_back("EDGE:" + move->id.str());
    }
    REQUIRE(ledger->outbox().mark_exception("odoo", storage::Seq{1}, "held by the test until IT retries it"));
    REQUIRE(ledger->outbox().mark_exception("odoo", storage::Seq{2}, "held by the test until IT voids it"));
  }
  const auto socket = dir / "ledger.db.control";
  const pid_t agent = start_agent(config, dir / "agent.log");
  const auto agent_log = [&] {
    std::ifstream in(dir / "agent.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::ostringstream out;
  std::ostringstream err;
  const auto exceptions = [&](std::vector<std::string> args) {
    out.str("");
    err.str("");
    args.insert(args.begin(), "exceptions");
    args.insert(args.end(), {"--config", config});
    return agent::run_command(agent::parse_command_line(args).value(), out, err);
  };
  if (!wait_until([&] { return std::filesystem::is_socket(socket); }, 20s)) FAIL("no control socket: " << agent_log());
  struct stat status {};
  REQUIRE(::stat(socket.c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);  // the service user (and root) only

  // The agent posts the move nothing holds; the other two wait for a person.
  if (!wait_until([&] { return booked(odoo, origins[2]) == 1; }, 60s)) FAIL("not posted: " << agent_log());
  CHECK(booked(odoo, origins[0]) == 0);

  // retry: the agent puts it back, and books it at its next round.
  REQUIRE(exceptions({"retry", "1", "--by", "it-desk"}) == 0);
  CHECK_THAT(out.str(), Catch::Contains("exception 1 is posted again"));
  if (!wait_until([&] { return booked(odoo, origins[0]) == 1; }, 60s)) FAIL("not posted: " << agent_log());
  // void: a reversal; Odoo, which never had the move, gets neither.
  REQUIRE(exceptions({"void", "2", "--by", "it-desk"}) == 0);
  CHECK_THAT(out.str(), Catch::Contains("exception 2 voided by reversal #4"));
  CHECK(exceptions({"retry", "2", "--by", "it-desk"}) == 1);
  CHECK_THAT(err.str(), Catch::Contains("no open exception number 2"));
  REQUIRE(exceptions({"list"}) == 0);  // reads the ledger itself, beside the agent
  CHECK_THAT(out.str(), Catch::Contains("no open exceptions"));

  // What the socket refuses, in the agent's words; nothing changes.
  const auto listed = agent::ask_agent(socket, R"({"command": "exceptions", "action": "list"})");
  REQUIRE(listed.has_value());
  CHECK(listed->exit == 2);
  CHECK_THAT(listed->err, Catch::Contains("the agent takes retry, void and map here"));
  const auto nameless = agent::ask_agent(socket, R"({"command": "exceptions", "action": "retry", "id": 1})");
  REQUIRE(nameless.has_value());
  CHECK_THAT(nameless->err, Catch::Contains("says not who asks"));
  const auto huge = agent::ask_agent(socket, std::string(5000, 'x'));
  REQUIRE(huge.has_value());
  CHECK(huge->exit == 2);
  CHECK_THAT(huge->err, Catch::Contains("longer than 4096 bytes"));
  const auto garbage = agent::ask_agent(socket, "retry 1");
  REQUIRE(garbage.has_value());
  CHECK_THAT(garbage->err, Catch::Contains("not a JSON object"));

  ::kill(agent, SIGTERM);
  int exit_status = 0;
  ::waitpid(agent, &exit_status, 0);
  CHECK(WIFEXITED(exit_status));
  CHECK_FALSE(std::filesystem::exists(socket));  // removed at the clean stop
  CHECK(booked(odoo, origins[0]) == 1);
  CHECK(booked(odoo, origins[1]) == 0);
  CHECK(booked(odoo, origins[2]) == 1);
  storage::SystemClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  CHECK(ledger->outbox().open_exceptions().value().empty());
  CHECK(ledger->audit().verify().intact());
  CHECK_THAT(agent_log(), Catch::Contains("control socket: exceptions void 2 by it-desk (uid "));

  // With the ledger held and no agent to ask, the command says both.
  auto again = exceptions({"retry", "1", "--by", "it-desk"});
  CHECK(again == 1);
  CHECK_THAT(err.str(), Catch::Contains("open for writing in another process"));
  CHECK_THAT(err.str(), Catch::Contains("does not answer"));
}
