// `edgestock exceptions`: list, show, retry, void and map the moves Odoo
// could not take, each in the audit log; bad command lines change nothing.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "commands.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "ledger_fixtures.hpp"
#include "temp_dir.hpp"

using namespace edgestock;
using namespace edgestock::agent;
using edgestock::testing::issue;

namespace {

struct Desk {
  Desk() {
    std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1",
        "ledger": {"path": ")" << (dir / "ledger.db").string()
                                          << R"("},
        "odoo": {"enabled": true, "url": "http://127.0.0.1:1", "locations": ["WARD3"],
                 "posting": {"enabled": true, "supplier_location_id": 1, "consumption_location_id": 5,
                             "inventory_loss_location_id": 3, "scrap_location_id": 4,
                             "picking_type": {"incoming": 1, "internal": 2, "outgoing": 3}}}})";
    auto options = edgestock::testing::ledger_options(dir / "ledger.db");
    options.terminal = storage::TerminalId("ward3-t1");
    options.site = storage::SiteId("stjames");
    auto ledger = edgestock::testing::open_ledger(options, clock);
    for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(issue("2")));
    REQUIRE(
        ledger->outbox().mark_exception("odoo", storage::Seq{1}, "product gtin:05012345678900 is archived in Odoo"));
    REQUIRE(ledger->outbox().mark_exception("odoo", storage::Seq{2}, "lot L1 is unknown to Odoo"));
  }
  int run(const std::vector<std::string>& args) {
    out.str("");
    err.str("");
    auto line = args;
    line.insert(line.begin(), "exceptions");
    line.push_back("--config");
    line.push_back((dir / "edgestock.json").string());
    const auto command = parse_command_line(line);
    if (!command) {
      err << command.error();
      return 2;
    }
    return run_command(*command, out, err);
  }
  std::unique_ptr<storage::Ledger> ledger() {
    auto options = edgestock::testing::ledger_options(dir / "ledger.db");
    options.terminal = storage::TerminalId("ward3-t1");
    options.site = storage::SiteId("stjames");
    return edgestock::testing::open_ledger(options, clock);
  }
  edgestock::testing::TempDir dir;
  edgestock::testing::ManualClock clock;
  std::ostringstream out;
  std::ostringstream err;
};

}  // namespace

TEST_CASE("exceptions are listed and shown with their reasons", "[cli][exceptions]") {
  Desk desk;
  REQUIRE(desk.run({"list"}) == 0);
  CHECK_THAT(desk.out.str(), Catch::Contains("1  odoo  seq 1  issue 2 Units of gtin:05012345678900 from WARD3"));
  CHECK_THAT(desk.out.str(), Catch::Contains("is archived in Odoo"));
  CHECK_THAT(desk.out.str(), Catch::Contains("2  odoo  seq 2"));
  REQUIRE(desk.run({"show", "2"}) == 0);
  CHECK_THAT(desk.out.str(), Catch::Contains("reason: lot L1 is unknown to Odoo"));
  CHECK(desk.run({"show", "9"}) == 1);
  CHECK_THAT(desk.err.str(), Catch::Contains("no open exception number 9"));
}

TEST_CASE("void cancels the move with a reversal that Odoo, which never had it, does not get", "[cli][exceptions]") {
  Desk desk;
  REQUIRE(desk.run({"void", "1", "--by", "pharm-lead"}) == 0);
  CHECK_THAT(desk.out.str(), Catch::Contains("exception 1 voided by reversal #4"));
  {
    auto ledger = desk.ledger();
    const auto reversal = ledger->moves_after(storage::Seq{3}, 1).value().at(0);
    CHECK(reversal.request.kind == storage::MoveKind::reversal);
    CHECK(reversal.request.operator_id.str() == "pharm-lead");
    CHECK(ledger->outbox().backlog("odoo").value() == 1);  // seq 3 only: neither the voided move nor its reversal
    CHECK(ledger->outbox().open_exceptions().value().size() == 1);
    const auto line = ledger->stock_line(storage::LocationCode("WARD3"), "gtin:05012345678900", "").value().value();
    CHECK(line.pending == edgestock::testing::qty("-4"));  // two issues of 2 stand, the voided one is undone
    CHECK(ledger->audit().tail(1).front().action == "resolve");
    CHECK_FALSE(ledger->audit().verify().first_broken.has_value());
  }
  CHECK(desk.run({"void", "1", "--by", "pharm-lead"}) == 1);  // closed already: nothing more happens
  auto ledger = desk.ledger();
  CHECK(ledger->last_seq().value == 4);
}

TEST_CASE("retry and map put the move back for the next posting round", "[cli][exceptions]") {
  Desk desk;
  REQUIRE(desk.run({"map", "1", "--product", "101", "--by", "pharm-lead"}) == 0);
  CHECK_THAT(desk.out.str(), Catch::Contains("mapped product.gtin:05012345678900 to Odoo id 101"));
  REQUIRE(desk.run({"retry", "2", "--by", "pharm-lead"}) == 0);
  auto ledger = desk.ledger();
  CHECK(ledger->outbox().open_exceptions().value().empty());
  CHECK(ledger->outbox().backlog("odoo").value() == 3);
  CHECK(ledger->catalogue().setting("map.product.gtin:05012345678900") == "101");
  const auto log = ledger->audit().tail(3);
  CHECK(log[0].action == "map");
  CHECK(log[0].actor == "pharm-lead");
}

TEST_CASE("exceptions command lines that cannot be right change nothing", "[cli][exceptions]") {
  Desk desk;
  CHECK(desk.run({"void", "1"}) == 2);
  CHECK_THAT(desk.err.str(), Catch::Contains("needs --by BADGE"));
  CHECK(desk.run({"retry", "--by", "x"}) == 2);
  CHECK_THAT(desk.err.str(), Catch::Contains("needs the exception's number"));
  CHECK(desk.run({"map", "1", "--by", "x"}) == 2);
  CHECK_THAT(desk.err.str(), Catch::Contains("one of --product, --lot or --location"));
  CHECK(desk.run({"map", "1", "--location", "WARD3", "--by", "x"}) == 2);
  CHECK_THAT(desk.err.str(), Catch::Contains("CODE=ODOO_ID"));
  CHECK(desk.run({"map", "1", "--product", "-3", "--by", "x"}) == 2);
  CHECK(desk.run({"purge", "1"}) == 2);
  CHECK_THAT(desk.err.str(), Catch::Contains("does not know 'purge'"));
  auto ledger = desk.ledger();
  CHECK(ledger->outbox().open_exceptions().value().size() == 2);
  CHECK(ledger->last_seq().value == 3);
}
