#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "commands.hpp"
#include "odoo_server.hpp"
#include "temp_dir.hpp"

using namespace edgestock::agent;
using edgestock::testing::OdooServer;

TEST_CASE("edgestock pull fills the catalogue from Odoo", "[odoo][cli]") {
  OdooServer server(18);
  edgestock::testing::TempDir dir;
  edgestock::testing::write_secret(dir / "odoo.key", std::string(OdooServer::kApiKey) + "\n");
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1",
      "ledger": {"path": ")" << (dir / "ledger.db").string()
                                        << R"("},
      "odoo": {"enabled": true, "url": ")"
                                        << server.url() << R"(", "login": "admin",
               "api_key_file": ")" << (dir / "odoo.key").string()
                                        << R"(", "locations": ["WARD3"]}})";
  Command pull = parse_command_line({"pull", "--config", (dir / "edgestock.json").string()}).value();
  std::ostringstream out;
  std::ostringstream err;
  REQUIRE(run_command(pull, out, err) == 0);
  INFO(err.str());
  CHECK_THAT(out.str(), Catch::StartsWith("Odoo 18: catalogue pull (since the start)"));
  CHECK_THAT(out.str(), Catch::Contains("1 locations"));
  pull.full = true;
  std::ostringstream again;
  REQUIRE(run_command(pull, again, err) == 0);
  CHECK_THAT(again.str(), Catch::StartsWith("Odoo 18: catalogue pull (full)"));

  // Nothing posted yet: reconciliation agrees, as a table and as JSON.
  Command reconcile = parse_command_line({"reconcile", "--config", (dir / "edgestock.json").string()}).value();
  std::ostringstream table;
  REQUIRE(run_command(reconcile, table, err) == 0);
  CHECK_THAT(table.str(), Catch::Contains("reconciled: every posted move is in Odoo once"));
  reconcile.json = true;
  std::ostringstream json;
  REQUIRE(run_command(reconcile, json, err) == 0);
  CHECK_THAT(json.str(), Catch::StartsWith(R"({"drifted":0,)"));

  edgestock::testing::write_secret(dir / "odoo.key", "wrong-key\n");
  std::ostringstream refused;
  CHECK(run_command(pull, out, refused) == 1);
  CHECK_THAT(refused.str(), Catch::Contains("refused login 'admin'"));
  CHECK_THAT(refused.str(), !Catch::Contains("wrong-key"));
}
