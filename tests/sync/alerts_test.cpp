#include <catch2/catch.hpp>

#include "edgestock/sync/alerts.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock;
using namespace edgestock::sync;
using edgestock::testing::qty;

namespace {

storage::Product gloves() {
  return {101, "Nitrile gloves M", "5012345670010", "GLV-M", storage::UnitOfMeasure("Boxes"), "none", true, ""};
}
storage::Product saline() {
  return {102, "Sodium chloride 10 ml", "5012345670027", "NACL-10", storage::UnitOfMeasure("Units"), "lot", true, ""};
}
storage::StockLine line(const char* location, const storage::Product& product, const char* lot, const char* on_hand) {
  return {storage::LocationCode(location), storage::stock_key(product), lot, product.uom, qty("0"), 0, qty(on_hand)};
}
std::vector<std::string> kinds(const std::vector<Alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& alert : alerts) out.push_back(alert.kind);
  return out;
}

}  // namespace

TEST_CASE("a catalogue product's stock key matches the projection's", "[alerts]") {
  CHECK(storage::stock_key(gloves()) == "gtin:05012345670010");
  auto coded = gloves();
  coded.barcode.clear();
  CHECK(storage::stock_key(coded) == "code:GLV-M");
  coded.default_code.clear();
  CHECK(storage::stock_key(coded) == "odoo:101");
}

TEST_CASE("nothing to say when all is well", "[alerts]") {
  AlertFacts facts;
  facts.today = "2026-11-24";
  facts.backlog = 10;
  facts.backlog_threshold = 100;
  facts.stock = {line("WARD3", gloves(), "", "12")};
  facts.reorder_points = {{storage::LocationCode("WARD3"), gloves(), qty("10")}};
  CHECK(evaluate_alerts(facts).empty());
}

TEST_CASE("each condition raises its alert with a readable message", "[alerts]") {
  AlertFacts facts;
  facts.today = "2026-11-24";
  facts.backlog = 101;
  facts.backlog_threshold = 100;
  facts.exceptions = {{7, "odoo", {}, storage::Seq{12}, "product gtin:05012345678900 is archived in Odoo", 0}};
  facts.database_bytes = 5000;
  facts.database_budget = 4096;
  facts.stock = {line("WARD3", gloves(), "", "6"), line("WARD3", gloves(), "", "2"),
                 line("WARD3", saline(), "NS1", "40"), line("WARD3", saline(), "NS0", "3"),
                 line("THEATRE2", saline(), "NS1", "0")};
  facts.reorder_points = {{storage::LocationCode("WARD3"), gloves(), qty("10")},
                          {storage::LocationCode("THEATRE2"), gloves(), qty("1")}};
  facts.expiring_lots = {{saline(), "NS1", "2026-12-01"}, {saline(), "NS0", "2026-11-20"}};
  const auto alerts = evaluate_alerts(facts);
  CHECK(kinds(alerts) == std::vector<std::string>{"backlog", "sync_exception", "database_size", "below_reorder_point",
                                                  "below_reorder_point", "expiry_near", "expired_lot"});
  CHECK(alerts[0].message == "101 stock events wait to be sent (alert at 100)");
  CHECK(alerts[1].key == "exception|7");
  CHECK(alerts[1].message ==
        "move #12 could not be posted to odoo: product gtin:05012345678900 is archived in Odoo (edgestock exceptions "
        "show 7)");
  CHECK(alerts[3].message == "Nitrile gloves M at WARD3: 8 Boxes on hand, reorder point 10");
  CHECK(alerts[4].message == "Nitrile gloves M at THEATRE2: 0 Boxes on hand, reorder point 1");
  CHECK(alerts[5].message == "Sodium chloride 10 ml lot NS1 expires on 2026-12-01: 40 Units at WARD3");
  CHECK(alerts[6].message == "Sodium chloride 10 ml lot NS0 expired on 2026-11-20: 3 Units at WARD3");
}

TEST_CASE("an alert is raised once, and again only after it cleared", "[alerts]") {
  AlertTracker tracker;
  const Alert low{"below_reorder_point", "reorder|WARD3|gtin:1", "low"};
  const Alert late{"backlog", "backlog", "late"};
  CHECK(tracker.raised({low}).size() == 1);
  CHECK(tracker.raised({low}).empty());
  const auto second = tracker.raised({low, late});
  REQUIRE(second.size() == 1);
  CHECK(second[0].kind == "backlog");
  CHECK(tracker.raised({late}).empty());
  CHECK(tracker.raised({low, late}).size() == 1);
}
