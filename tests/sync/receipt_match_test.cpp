// Receipts matched to the transfers Odoo expects (receipt_match.hpp) and the
// planner's use of them (posting_plan.hpp). Pure; expected values by hand.
#include "edgestock/sync/receipt_match.hpp"

#include <catch2/catch.hpp>

#include "edgestock/storage/dates.hpp"
#include "edgestock/sync/posting_plan.hpp"

using namespace edgestock;
using namespace edgestock::sync;
using storage::ExpectedTransfer;
using storage::Quantity;

namespace {

constexpr std::int64_t kWard = 11;
constexpr std::int64_t kTheatre = 13;
constexpr std::int64_t kCentral = 30;
constexpr std::int64_t kSaline = 101;
constexpr std::int64_t kGloves = 102;
constexpr std::int64_t kDispatch = 1'795'000'000'000;  // 2026-11-18T11:06:40Z, when central validated
constexpr auto kWindow = std::chrono::hours(72);

ExpectedTransfer transfer(std::int64_t id, const char* state, std::int64_t to, const char* scheduled,
                          std::vector<storage::ExpectedLine> lines) {
  ExpectedTransfer t{id, "WH/INT/000" + std::to_string(id), state, kCentral, to, scheduled, "", std::move(lines)};
  if (t.done()) t.date_done = storage::odoo_datetime(kDispatch);
  return t;
}

storage::ExpectedLine line(std::int64_t product, const char* lot, std::int64_t units) {
  return {0, product, lot, Quantity::units(units)};
}

ReceivedScan scan(std::int64_t product, const char* lot, std::int64_t units, std::int64_t to = kWard,
                  std::int64_t at = kDispatch + 3'600'000) {
  return {product, lot, Quantity::units(units), to, at};
}

}  // namespace

TEST_CASE("a receipt goes into the open transfer to its location that has its product and lot", "[receipt]") {
  const std::vector expected{
      transfer(1, "assigned", kTheatre, "2026-11-18 08:00:00", {line(kSaline, "L1", 10)}),
      transfer(2, "assigned", kWard, "2026-11-18 09:00:00", {line(kSaline, "L2", 10)}),
      transfer(3, "assigned", kWard, "2026-11-18 08:30:00", {line(kSaline, "L1", 10), line(kGloves, "", 5)}),
  };
  const std::vector scans{scan(kSaline, "L2", 4), scan(kSaline, "L1", 10), scan(kGloves, "", 5),
                          scan(kSaline, "L9", 1, kTheatre), scan(kGloves, "", 1, kTheatre)};
  const auto matches = match_receipts(scans, expected, kWindow);
  REQUIRE(matches.size() == 5);
  CHECK(matches[0].fate == ReceiptFate::into_open);  // its lot is on 2, though 3 is scheduled earlier
  CHECK(matches[0].picking == 2);
  CHECK(matches[1].picking == 3);
  CHECK(matches[2].picking == 3);
  // Another lot than central chose: what arrived is what is booked.
  CHECK(matches[3].fate == ReceiptFate::into_open);
  CHECK(matches[3].picking == 1);
  // No transfer to the theatre has gloves.
  CHECK(matches[4].fate == ReceiptFate::no_expected);
  CHECK(matches[4].picking == 0);
}

TEST_CASE("room runs out: the next scan of the lot goes to the next transfer, then over-receives", "[receipt]") {
  const std::vector expected{
      transfer(5, "assigned", kWard, "2026-11-18 08:00:00", {line(kSaline, "", 6)}),
      transfer(6, "confirmed", kWard, "2026-11-19 08:00:00", {line(kSaline, "", 4)}),
  };
  const std::vector scans{scan(kSaline, "L1", 6), scan(kSaline, "L1", 3), scan(kSaline, "L1", 1),
                          scan(kSaline, "L1", 2)};
  const auto matches = match_receipts(scans, expected, kWindow);
  CHECK(matches[0].picking == 5);
  CHECK(matches[1].picking == 6);
  CHECK(matches[2].picking == 6);
  // Both full: still into an open transfer with the product (the earlier one), Odoo books the extra.
  CHECK(matches[3].fate == ReceiptFate::into_open);
  CHECK(matches[3].picking == 5);
}

TEST_CASE("a done transfer is confirmed by what agrees with it; more or another lot is a mismatch", "[receipt]") {
  const std::vector expected{transfer(7, "done", kWard, "2026-11-18 08:00:00", {line(kSaline, "L1", 10)})};
  SECTION("scans adding up to what central booked confirm it") {
    const std::vector scans{scan(kSaline, "L1", 4), scan(kSaline, "L1", 6)};
    const auto matches = match_receipts(scans, expected, kWindow);
    CHECK(matches[0].fate == ReceiptFate::confirms_done);
    CHECK(matches[1].fate == ReceiptFate::confirms_done);
    CHECK(matches[1].picking == 7);
  }
  SECTION("one more than booked") {
    const std::vector scans{scan(kSaline, "L1", 10), scan(kSaline, "L1", 1)};
    const auto matches = match_receipts(scans, expected, kWindow);
    CHECK(matches[0].fate == ReceiptFate::confirms_done);
    CHECK(matches[1].fate == ReceiptFate::mismatch);
    CHECK(matches[1].picking == 7);
    CHECK(matches[1].reason ==
          "received 1 of lot L1, which does not agree with WH/INT/0007 (booked into the store by central, 0 left to "
          "confirm); check the delivery, then map or void this receipt");
  }
  SECTION("another lot") {
    const auto matches = match_receipts(std::vector{scan(kSaline, "L2", 10)}, expected, kWindow);
    CHECK(matches[0].fate == ReceiptFate::mismatch);
    CHECK(matches[0].reason.find("10 left to confirm, lot L1") != std::string::npos);
  }
  SECTION("outside the window it is not a candidate: a receipt with no expected transfer") {
    const auto late = kDispatch + std::chrono::milliseconds(kWindow).count() + 1;
    const auto matches = match_receipts(std::vector{scan(kSaline, "L1", 10, kWard, late)}, expected, kWindow);
    CHECK(matches[0].fate == ReceiptFate::no_expected);
  }
}

TEST_CASE("a done transfer with room comes before an open one: it was dispatched already", "[receipt]") {
  const std::vector expected{
      transfer(8, "assigned", kWard, "2026-11-17 08:00:00", {line(kSaline, "", 10)}),
      transfer(9, "done", kWard, "2026-11-18 08:00:00", {line(kSaline, "", 10)}),
  };
  const auto matches = match_receipts(std::vector{scan(kSaline, "L1", 10), scan(kSaline, "L1", 3)}, expected, kWindow);
  CHECK(matches[0].fate == ReceiptFate::confirms_done);
  CHECK(matches[0].picking == 9);
  CHECK(matches[1].fate == ReceiptFate::into_open);
  CHECK(matches[1].picking == 8);
}

// -- the planner

namespace {

constexpr std::int64_t kScanAt = kDispatch + 3'600'000;

OdooSite receiving_site(std::vector<ExpectedTransfer> expected, std::int64_t now_ms) {
  OdooSite s;
  s.locations = {{"WARD3", kWard}};
  s.supplier = 1;
  s.product = [](const storage::ProductRef& p) -> std::expected<std::int64_t, std::string> {
    return p.gtin == "05012345678900" ? kSaline : kGloves;
  };
  s.lot = [](std::int64_t, const std::string& lot) -> std::expected<std::int64_t, std::string> {
    if (lot == "L1") return 501;
    return std::unexpected("unknown lot");
  };
  s.receipts.expected = std::move(expected);
  s.receipts.quiet = std::chrono::minutes(30);
  s.receipts.now_ms = now_ms;
  return s;
}

storage::Move receipt(int n, const char* gtin, const char* lot, std::int64_t units, std::int64_t minute) {
  storage::Move m;
  m.occurred_at_ms = kScanAt + minute * 60'000;
  m.id = storage::MoveId::generate(m.occurred_at_ms + n);
  m.seq = storage::Seq{n};
  m.request.kind = storage::MoveKind::receipt;
  m.request.product.gtin = gtin;
  m.request.lot = lot;
  m.request.qty = Quantity::units(units);
  m.request.to = storage::LocationCode("WARD3");
  return m;
}

}  // namespace

TEST_CASE("a transfer's receipts wait until it is complete or quiet, then post as one", "[receipt][posting]") {
  const std::vector expected{
      transfer(2, "assigned", kWard, "2026-11-18 09:00:00", {line(kSaline, "L1", 10), line(kGloves, "", 5)})};
  const std::vector moves{receipt(1, "05012345678900", "L1", 6, 0), receipt(2, "05012345678901", "", 5, 2)};
  SECTION("part arrived, scanned 10 minutes ago: waiting") {
    const auto plan = plan_postings(moves, receiving_site(expected, kScanAt + 12 * 60'000), {});
    CHECK(plan.postings.empty());
    CHECK(plan.waiting.size() == 2);
  }
  SECTION("part arrived, 30 minutes without a scan: posted with what arrived") {
    const auto plan = plan_postings(moves, receiving_site(expected, kScanAt + 32 * 60'000), {});
    REQUIRE(plan.postings.size() == 1);
    const auto& p = plan.postings[0];
    CHECK(p.operation == Operation::receive);
    CHECK(p.expected == 2);
    CHECK(p.expected_name == "WH/INT/0002");
    CHECK(p.from == kCentral);
    CHECK(p.to == kWard);
    CHECK(p.batch_id == "receipt-" + moves[0].id.str());
    REQUIRE(p.lines.size() == 2);
    CHECK(p.lines[0].lot_id == 501);
    CHECK(p.lines[1].qty == Quantity::units(5));
    CHECK_FALSE(p.review);
  }
  SECTION("everything arrived: posted at once") {
    auto all = moves;
    all.push_back(receipt(3, "05012345678900", "L1", 4, 3));
    const auto plan = plan_postings(all, receiving_site(expected, kScanAt + 4 * 60'000), {});
    REQUIRE(plan.postings.size() == 1);
    CHECK(plan.postings[0].lines.size() == 3);
    CHECK(plan.waiting.empty());
  }
}

TEST_CASE("a receipt nothing expects is a new incoming picking flagged for review", "[receipt][posting]") {
  const std::vector expected{transfer(7, "done", kWard, "2026-11-18 08:00:00", {line(kSaline, "L1", 10)})};
  const std::vector moves{receipt(1, "05012345678901", "", 2, 0), receipt(2, "05012345678900", "L1", 10, 1),
                          receipt(3, "05012345678900", "L2", 1, 2)};
  const auto plan = plan_postings(moves, receiving_site(expected, kScanAt + 2 * 60'000), {});
  REQUIRE(plan.postings.size() == 2);
  CHECK(plan.postings[0].operation == Operation::picking);
  CHECK(plan.postings[0].picking_type == "incoming");
  CHECK(plan.postings[0].review);
  CHECK(plan.postings[0].lines.size() == 1);
  // The done transfer is complete: confirmed at once, nothing to send.
  CHECK(plan.postings[1].operation == Operation::confirm);
  CHECK(plan.postings[1].expected == 7);
  // Lot L2 of a product central booked as L1: a person checks it.
  REQUIRE(plan.held.size() == 1);
  CHECK(plan.held[0].move == moves[2].id);
}
