// The reconciliation report from what both sides hold. Pure.
#include "edgestock/sync/reconcile.hpp"

#include <catch2/catch.hpp>

using namespace edgestock;
using namespace edgestock::sync;
using storage::LocationCode;
using storage::Quantity;

namespace {
constexpr std::int64_t kNov30 = 1'796'040'000'000;  // 2026-11-30T12:00:00Z
constexpr std::int64_t kDec1 = 1'796'126'400'000;   // 2026-12-01T12:00:00Z
constexpr std::int64_t kHour = 3'600'000;

storage::StockLine line(const char* location, const char* key, const char* lot, int baseline, int pending) {
  storage::StockLine l;
  l.location = LocationCode(location);
  l.product_key = key;
  l.lot = lot;
  l.uom = storage::UnitOfMeasure("Units");
  l.baseline = Quantity::units(baseline);
  l.pending = Quantity::units(pending);
  return l;
}
}  // namespace

TEST_CASE("accounting months are UTC calendar months", "[reconcile]") {
  CHECK(month_of(kNov30) == "2026-11");
  CHECK(month_of(kDec1) == "2026-12");
}

TEST_CASE("a ledger that agrees with Odoo reconciles clean", "[reconcile]") {
  ReconcileInput in;
  in.now_ms = kNov30;
  in.local = {line("WARD3", "gtin:1", "", 40, 0)};
  in.odoo = {{LocationCode("WARD3"), "gtin:1", "", Quantity::units(40)}};
  in.moves = {{"m1", kNov30 - kHour, true}};
  in.bookings = {{"m1", kNov30 - kHour / 2}};
  const auto report = reconcile(in);
  CHECK_FALSE(report.loud());
  CHECK(report.drifted() == 0);
  CHECK(report.unknown.empty());
  CHECK(report.waiting.empty());
  CHECK(report.late.empty());
  REQUIRE(report.stock.size() == 1);
}

TEST_CASE("twice, missing, unknown, waiting, late and changed stock are each reported", "[reconcile]") {
  ReconcileInput in;
  in.now_ms = kDec1;
  in.local = {line("WARD3", "gtin:1", "", 40, -2), line("WARD3", "gtin:2", "L1", 5, 0)};
  // Odoo: gtin:1 went to 50 (a central transfer arrived); gtin:3 is there and not here.
  in.odoo = {{LocationCode("WARD3"), "gtin:1", "", Quantity::units(30)},
             {LocationCode("WARD3"), "gtin:1", "", Quantity::units(20)},
             {LocationCode("WARD3"), "gtin:3", "", Quantity::units(7)}};
  in.moves = {{"posted-twice", kDec1 - 2 * kHour, true},
              {"lost", kDec1 - 3 * kHour, true},
              {"old-wait", kDec1 - 30 * kHour, false},
              {"new-wait", kDec1 - kHour, false},
              {"month-end", kNov30, true}};
  in.bookings = {{"posted-twice", kDec1 - kHour},
                 {"posted-twice", kDec1 - kHour},
                 {"other-terminal", kDec1 - kHour},
                 {"month-end", kDec1}};
  const auto report = reconcile(in);
  CHECK(report.loud());
  CHECK(report.twice == std::vector<std::string>{"posted-twice"});
  CHECK(report.missing == std::vector<std::string>{"lost"});
  CHECK(report.unknown == std::vector<std::string>{"other-terminal"});
  REQUIRE(report.waiting.size() == 1);
  CHECK(report.waiting[0].move_id == "old-wait");
  REQUIRE(report.late.size() == 1);
  CHECK(report.late[0].move_id == "month-end");  // happened in November, booked in December
  REQUIRE(report.stock.size() == 3);
  CHECK(report.stock[0].odoo == Quantity::units(50));  // two quants of one line add up
  CHECK(report.stock[0].baseline == Quantity::units(40));
  CHECK(report.stock[0].differs());
  CHECK(report.stock[1].odoo == Quantity::units(0));  // gtin:2 L1: Odoo holds none
  CHECK(report.stock[2].product_key == "gtin:3");
  CHECK_FALSE(report.stock[2].differs());  // never scanned here: nothing to compare
  CHECK(report.drifted() == 2);
}

TEST_CASE("a move received into an expected transfer is found by that transfer, not by its own origin",
          "[reconcile][receipt]") {
  ReconcileInput in;
  in.now_ms = kNov30;
  // Both booked by transfer 41 (no EDGE:<id> move in Odoo); r3 by 42, which Odoo holds as cancelled.
  in.moves = {{"r1", kNov30 - kHour, true, 41}, {"r2", kNov30 - kHour, true, 41}, {"r3", kNov30 - kHour, true, 42}};
  in.transfer_states = {{41, "done"}, {42, "cancel"}};
  auto report = reconcile(in);
  CHECK(report.missing == std::vector<std::string>{"r3"});
  CHECK(report.loud());
  in.transfer_states[42] = "done";
  report = reconcile(in);
  CHECK(report.missing.empty());
  CHECK_FALSE(report.loud());
  in.transfer_states.erase(42);  // not in Odoo at all
  CHECK(reconcile(in).missing == std::vector<std::string>{"r3"});
}
