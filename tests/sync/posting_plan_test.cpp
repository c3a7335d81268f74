// The posting planner: which pickings a run of moves becomes. Pure: moves in,
// postings out; expected values written out by hand.
#include "edgestock/sync/posting_plan.hpp"

#include <catch2/catch.hpp>

using namespace edgestock;
using namespace edgestock::sync;
using storage::LocationCode;
using storage::MoveKind;
using storage::Quantity;

namespace {

constexpr std::int64_t kStart = 1'795'000'000'000;  // 2026-11-18T11:06:40Z

// Odoo ids of the test site (as in tests/odoo/fixture.json).
OdooSite site() {
  OdooSite s;
  s.locations = {{"WARD3", 11}, {"THEATRE2", 13}};
  s.supplier = 1;
  s.consumption = 5;
  s.consumption_by_cost_centre = {{"CC-CARDIO", 21}, {"CC-ORTHO", 22}};
  s.inventory_loss = 3;
  s.scrap = 4;
  s.product = [](const storage::ProductRef& p) -> std::expected<std::int64_t, std::string> {
    if (p.gtin == "05012345678900") return 101;
    if (p.gtin == "05099999999990") return std::unexpected("product 05099999999990 is archived in Odoo");
    return std::unexpected("product " + p.gtin + " is unknown to the catalogue");
  };
  return s;
}

struct Moves {
  Moves() { list.reserve(2000); }  // references from add() stay valid
  std::vector<storage::Move> list;
  storage::Move& add(MoveKind kind, std::int64_t minute, std::int64_t units, const char* from, const char* to,
                     const char* cost_centre = "", const char* gtin = "05012345678900") {
    storage::Move m;
    m.occurred_at_ms = kStart + minute * 60'000;
    m.id = storage::MoveId::generate(m.occurred_at_ms + static_cast<std::int64_t>(list.size()));
    m.seq = storage::Seq{static_cast<std::int64_t>(list.size()) + 1};
    m.request.kind = kind;
    m.request.product.gtin = gtin;
    m.request.qty = Quantity::units(units);
    m.request.from = LocationCode(from);
    m.request.to = LocationCode(to);
    m.request.cost_centre = cost_centre;
    list.push_back(m);
    return list.back();
  }
};

}  // namespace

TEST_CASE("issues are batched per store, cost centre and window; the batch is named by its first move", "[posting]") {
  Moves moves;
  const auto& first = moves.add(MoveKind::issue, 0, 2, "WARD3", "CONSUME", "CC-CARDIO");
  moves.add(MoveKind::issue, 1, 1, "WARD3", "CONSUME", "CC-ORTHO");
  moves.add(MoveKind::issue, 2, 3, "WARD3", "CONSUME", "CC-CARDIO");
  moves.add(MoveKind::issue, 20, 1, "WARD3", "CONSUME", "CC-CARDIO");  // past the 15 min window
  const BatchLimits limits{std::chrono::minutes(15), 200};
  const auto plan = plan_postings(moves.list, site(), limits);
  CHECK(plan.held.empty());
  REQUIRE(plan.postings.size() == 3);
  const auto& cardio = plan.postings[0];
  CHECK(cardio.batch_id == "batch-" + first.id.str());
  CHECK(cardio.origin == "EDGE:batch-" + first.id.str());
  CHECK(cardio.picking_type == "outgoing");
  CHECK(cardio.from == 11);
  CHECK(cardio.to == 21);
  REQUIRE(cardio.lines.size() == 2);
  CHECK(cardio.lines[0].origin == "EDGE:" + first.id.str());
  CHECK(cardio.lines[0].product == 101);
  CHECK(cardio.lines[1].qty == Quantity::units(3));
  CHECK(plan.postings[1].to == 22);  // ortho's consumption location
  CHECK(plan.postings[2].lines.size() == 1);
  CHECK(plan.postings[2].to == 21);
  // The same moves always plan the same batches: the identity is fixed.
  const auto again = plan_postings(moves.list, site(), limits);
  for (std::size_t i = 0; i < plan.postings.size(); ++i) CHECK(again.postings[i].origin == plan.postings[i].origin);
}

TEST_CASE("a batch is capped in lines", "[posting]") {
  Moves moves;
  for (int i = 0; i < 1000; ++i) moves.add(MoveKind::issue, 0, 1, "WARD3", "CONSUME");
  const auto plan = plan_postings(moves.list, site(), BatchLimits{std::chrono::minutes(15), 200});
  REQUIRE(plan.postings.size() == 5);
  for (const auto& posting : plan.postings) CHECK(posting.lines.size() == 200);
  CHECK(plan.postings[0].to == 5);  // no cost centre: the site's consumption location
}

TEST_CASE("each kind books where DESIGN.md says", "[posting]") {
  Moves moves;
  moves.add(MoveKind::receipt, 0, 10, "SUPPLIER", "WARD3");
  moves.add(MoveKind::transfer, 0, 4, "WARD3", "THEATRE2");
  moves.add(MoveKind::count, 0, -3, "", "WARD3");  // counted 3 fewer than expected
  moves.add(MoveKind::adjust, 0, 2, "", "THEATRE2");
  moves.add(MoveKind::count, 0, 0, "", "WARD3");  // the count agreed
  moves.add(MoveKind::scrap, 0, 1, "WARD3", "SCRAP");
  moves.add(MoveKind::return_to_store, 0, 1, "CONSUME", "WARD3", "CC-ORTHO");
  const auto plan = plan_postings(moves.list, site(), BatchLimits{});
  CHECK(plan.held.empty());
  REQUIRE(plan.nothing_to_post.size() == 1);
  CHECK(plan.nothing_to_post[0] == moves.list[4].id);
  REQUIRE(plan.postings.size() == 6);
  const auto at = [&](std::size_t i) { return std::pair{plan.postings[i].from, plan.postings[i].to}; };
  CHECK(plan.postings[0].picking_type == "incoming");
  CHECK(at(0) == std::pair<std::int64_t, std::int64_t>{1, 11});
  CHECK(at(1) == std::pair<std::int64_t, std::int64_t>{11, 13});
  CHECK(at(2) == std::pair<std::int64_t, std::int64_t>{11, 3});  // the loss leaves the store
  CHECK(plan.postings[2].lines[0].qty == Quantity::units(3));    // positive: the direction is the picking's
  CHECK(at(3) == std::pair<std::int64_t, std::int64_t>{3, 13});
  CHECK(plan.postings[4].operation == Operation::scrap);
  CHECK(plan.postings[4].batch_id == moves.list[5].id.str());
  CHECK(at(4) == std::pair<std::int64_t, std::int64_t>{11, 4});
  CHECK(at(5) == std::pair<std::int64_t, std::int64_t>{22, 11});
}

TEST_CASE("a reversal books the opposite of the move it reverses", "[posting]") {
  Moves moves;
  const auto issued = moves.add(MoveKind::issue, 0, 2, "WARD3", "CONSUME", "CC-CARDIO");
  auto& reversal = moves.add(MoveKind::reversal, 1, 2, "", "", "", "");
  reversal.request.reverses = issued.id;
  auto& orphan = moves.add(MoveKind::reversal, 1, 2, "", "", "", "");
  orphan.request.reverses = storage::MoveId::generate(kStart - 1);
  auto s = site();
  s.original = [&](const storage::MoveId& id) -> std::optional<storage::Move> {
    if (id == issued.id) return issued;
    return std::nullopt;
  };
  const auto plan = plan_postings(moves.list, s, BatchLimits{});
  REQUIRE(plan.postings.size() == 2);
  CHECK(plan.postings[1].from == 21);
  CHECK(plan.postings[1].to == 11);
  CHECK(plan.postings[1].lines[0].product == 101);
  REQUIRE(plan.held.size() == 1);
  CHECK(plan.held[0].move == orphan.id);
  CHECK_THAT(plan.held[0].reason, Catch::Contains("which this ledger does not hold"));
}

TEST_CASE("what cannot be posted is held with its reason and holds up nothing else", "[posting]") {
  Moves moves;
  moves.add(MoveKind::issue, 0, 1, "WARD3", "CONSUME", "", "05000000000000");  // unknown product
  moves.add(MoveKind::issue, 0, 1, "WARD3", "CONSUME", "", "05099999999990");  // archived
  moves.add(MoveKind::issue, 0, 1, "WARD9", "CONSUME");                        // unmapped store
  moves.add(MoveKind::issue, 0, 1, "WARD3", "CONSUME", "CC-NEURO");            // cost centre without a location
  moves.add(MoveKind::issue, 0, 1, "WARD3", "CONSUME");                        // fine
  const auto plan = plan_postings(moves.list, site(), BatchLimits{});
  REQUIRE(plan.held.size() == 4);
  CHECK_THAT(plan.held[0].reason, Catch::Contains("unknown to the catalogue"));
  CHECK_THAT(plan.held[1].reason, Catch::Contains("archived in Odoo"));
  CHECK_THAT(plan.held[2].reason, Catch::Contains("location WARD9 is not known in Odoo"));
  CHECK_THAT(plan.held[3].reason, Catch::Contains("cost centre CC-NEURO has no consumption location"));
  REQUIRE(plan.postings.size() == 1);
  CHECK(plan.postings[0].lines.size() == 1);
  CHECK(plan.postings[0].lines[0].move == moves.list[4].id);
}

TEST_CASE("a lot Odoo does not know: a receipt creates it, anything else is held", "[posting]") {
  Moves moves;
  moves.add(MoveKind::receipt, 0, 5, "SUPPLIER", "WARD3").request.lot = "NEW-1";
  moves.add(MoveKind::issue, 0, 1, "WARD3", "CONSUME").request.lot = "NEW-1";
  moves.add(MoveKind::issue, 0, 1, "WARD3", "CONSUME").request.lot = "L-KNOWN";
  auto s = site();
  s.lot = [](std::int64_t product, const std::string& lot) -> std::expected<std::int64_t, std::string> {
    if (product == 101 && lot == "L-KNOWN") return 9001;
    return std::unexpected("lot " + lot + " is unknown to Odoo");
  };
  const auto plan = plan_postings(moves.list, s, BatchLimits{});
  REQUIRE(plan.postings.size() == 2);
  CHECK(plan.postings[0].lines[0].lot == "NEW-1");
  CHECK(plan.postings[0].lines[0].lot_id == 0);  // created by name
  CHECK(plan.postings[1].lines[0].lot_id == 9001);
  REQUIRE(plan.held.size() == 1);
  CHECK(plan.held[0].move == moves.list[1].id);
  CHECK_THAT(plan.held[0].reason, Catch::Contains("lot NEW-1 is unknown to Odoo"));
}
