#include <catch2/catch.hpp>
#include <set>

#include "edgestock/storage/move.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;
using edgestock::testing::issue;
using edgestock::testing::qty;
using edgestock::testing::receipt;

TEST_CASE("move kinds have their DESIGN.md names and unknown names are refused", "[move]") {
  for (auto kind : {MoveKind::receipt, MoveKind::issue, MoveKind::transfer, MoveKind::count, MoveKind::adjust,
                    MoveKind::scrap, MoveKind::return_to_store, MoveKind::reversal}) {
    CHECK(parse_move_kind(to_string(kind)) == kind);
  }
  CHECK(to_string(MoveKind::return_to_store) == "return");
  CHECK_FALSE(parse_move_kind("dispense").has_value());
  CHECK_FALSE(parse_move_kind("").has_value());
  MoveRequest bogus = issue();
  bogus.kind = static_cast<MoveKind>(42);
  CHECK(check_move_request(bogus).value() == "unknown move kind");
}

TEST_CASE("move ids are version 7 UUIDs, unique and time-ordered", "[move]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = MoveId::generate(1'795'000'000'000 + i);
    REQUIRE(MoveId::parse(id.str()).has_value());
    CHECK(id.str()[14] == '7');
    seen.insert(id.str());
  }
  CHECK(seen.size() == 1000);
  CHECK(MoveId::generate(1000).str() < MoveId::generate(2000).str());
  CHECK(MoveId::generate(0x0123456789ab).str().substr(0, 13) == "01234567-89ab");
  CHECK_FALSE(MoveId::parse("not-a-uuid").has_value());
  CHECK_FALSE(MoveId::parse("0190f1e2-3c4d-4e5f-8a6b-7c8d9e0f1a2b").has_value());  // version 4
  CHECK_FALSE(MoveId::parse("0190F1E2-3C4D-7E5F-8A6B-7C8D9E0F1A2B").has_value());  // not canonical
}

TEST_CASE("acceptable requests of every kind pass the rules", "[move]") {
  CHECK_FALSE(check_move_request(issue()).has_value());
  CHECK_FALSE(check_move_request(receipt()).has_value());
  MoveRequest transfer = receipt();
  transfer.kind = MoveKind::transfer;
  CHECK_FALSE(check_move_request(transfer).has_value());
  MoveRequest count = receipt("0");
  count.kind = MoveKind::count;
  count.counted = qty("7");
  count.expected = qty("9");
  count.qty = qty("-2");
  CHECK_FALSE(check_move_request(count).has_value());
  MoveRequest adjust = receipt("-1.5");
  adjust.kind = MoveKind::adjust;
  CHECK_FALSE(check_move_request(adjust).has_value());
}

TEST_CASE("bad requests are refused with a reason a person can act on", "[move]") {
  struct Case {
    const char* what;
    MoveRequest request;
    const char* reason;
  };
  auto with = [](MoveRequest r, auto change) {
    change(r);
    return r;
  };
  const Case cases[] = {
      {"issue without from", with(issue(), [](auto& r) { r.from = LocationCode(); }), "needs the location it leaves"},
      {"receipt without to", with(receipt(), [](auto& r) { r.to = LocationCode(); }), "needs the location it enters"},
      {"zero issue", issue("0"), "cannot be zero"},
      {"negative issue", issue("-1"), "cannot be negative"},
      {"no product", with(issue(), [](auto& r) { r.product = {}; }), "no product"},
      {"no unit", with(issue(), [](auto& r) { r.uom = UnitOfMeasure(); }), "no unit of measure"},
      {"bad expiry", with(issue(), [](auto& r) { r.expiry = "2027-02-30"; }), "not a date"},
      {"transfer to itself",
       with(receipt(),
            [](auto& r) {
              r.kind = MoveKind::transfer;
              r.from = r.to;
            }),
       "two different"},
      {"count without expected",
       with(receipt(),
            [](auto& r) {
              r.kind = MoveKind::count;
              r.counted = qty("1");
            }),
       "counted and the expected"},
      {"count with wrong delta",
       with(receipt("5"),
            [](auto& r) {
              r.kind = MoveKind::count;
              r.counted = qty("1");
              r.expected = qty("1");
            }),
       "counted minus expected"},
      {"reversal without target", with(issue(), [](auto& r) { r.kind = MoveKind::reversal; }), "must name the move"},
      {"issue naming a reversed move", with(issue(), [](auto& r) { r.reverses = MoveId::generate(1); }),
       "only a reversal"},
      {"over-long lot", with(issue(), [](auto& r) { r.lot = std::string(300, 'L'); }), "longer than 256"},
      {"over-long scan", with(issue(), [](auto& r) { r.raw = std::string(5000, '0'); }), "longer than 4096"},
      {"issue of more than one move may carry",
       with(issue(), [](auto& r) { r.qty = Quantity::micros(Quantity::kMaxMicros + 1); }),
       "larger than one move may carry (1000000000)"},
      {"adjustment far below zero",
       with(issue(),
            [](auto& r) {
              r.kind = MoveKind::adjust;
              r.to = r.from;
              r.qty = Quantity::micros(-Quantity::kMaxMicros - 1);
            }),
       "larger than one move may carry"},
      {"count of more than one move may carry",
       with(receipt(),
            [](auto& r) {
              r.kind = MoveKind::count;
              r.counted = Quantity::micros(Quantity::kMaxMicros + 1);
              r.expected = Quantity{};
              r.qty = *r.counted;
            }),
       "counted quantity is larger"},
      {"count of a negative quantity",
       with(receipt(),
            [](auto& r) {
              r.kind = MoveKind::count;
              r.counted = qty("-1");
              r.expected = Quantity{};
              r.qty = *r.counted;
            }),
       "counted quantity cannot be negative"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto reason = check_move_request(c.request);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains(c.reason));
  }
}

TEST_CASE("each kind moves stock the way a store expects", "[move]") {
  const auto effects = [](const MoveRequest& r) { return stock_effects(r); };
  MoveRequest transfer = receipt("4");
  transfer.kind = MoveKind::transfer;
  const auto t = effects(transfer);
  REQUIRE(t.size() == 2);
  CHECK(t[0].location.str() == "PHARM");
  CHECK(t[0].delta == qty("-4"));
  CHECK(t[1].location.str() == "WARD3");
  CHECK(t[1].delta == qty("4"));

  const auto i = effects(issue("2"));
  REQUIRE(i.size() == 1);
  CHECK(i[0].location.str() == "WARD3");
  CHECK(i[0].delta == qty("-2"));

  const auto r = effects(receipt("10"));
  REQUIRE(r.size() == 1);
  CHECK(r[0].location.str() == "WARD3");
  CHECK(r[0].delta == qty("10"));
  CHECK(r[0].product_key == "gtin:05012345678900");
}

TEST_CASE("a count where the ledger expected less than nothing is accepted", "[move]") {
  // Issues are never blocked, so the projection can be below zero when the
  // shelf is counted: the count must still be recorded, bringing it back.
  MoveRequest r = receipt();
  r.kind = MoveKind::count;
  r.counted = qty("4");
  r.expected = qty("-3");
  r.qty = qty("7");
  CHECK_FALSE(check_move_request(r).has_value());
}
