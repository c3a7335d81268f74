#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

namespace {
Quantity on_hand(Ledger& ledger, const char* location, const char* lot = "") {
  const auto line = ledger.stock_line(LocationCode(location), "gtin:05012345678900", lot).value();
  return line ? line->on_hand() : Quantity{};
}
}  // namespace

TEST_CASE("recorded moves get gapless seqs, ids and survive reopening", "[ledger]") {
  TempDir dir;
  ManualClock clock;
  std::vector<Move> recorded;
  {
    auto ledger = open_ledger(dir / "ledger.db", clock);
    for (int i = 0; i < 5; ++i) {
      auto move = ledger->record(receipt("3"));
      REQUIRE(move.has_value());
      recorded.push_back(*move);
      clock.advance(10);
    }
  }
  auto ledger = open_ledger(dir / "ledger.db", clock);
  CHECK(ledger->last_seq().value == 5);
  const auto moves = ledger->moves_after(Seq{0}, 100).value();
  REQUIRE(moves.size() == 5);
  for (std::size_t i = 0; i < moves.size(); ++i) {
    CHECK(moves[i].seq.value == static_cast<std::int64_t>(i + 1));
    CHECK(moves[i].id == recorded[i].id);
    CHECK(moves[i].terminal.str() == "ward3-t1");
    CHECK(moves[i].site.str() == "stjames");
    CHECK(moves[i].request.qty == qty("3"));
    CHECK(moves[i].occurred_at_ms == recorded[i].occurred_at_ms);
  }
  CHECK(on_hand(*ledger, "WARD3") == qty("15"));
  CHECK(ledger->record(issue("2")).value().seq.value == 6);
}

TEST_CASE("every field of a move is stored exactly", "[ledger]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  MoveRequest r = issue("2.5", "05012345678900", "LOT-7");
  r.product.code = "GLV-M";
  r.product.odoo_id = 812;
  r.expiry = "2027-03-31";
  r.serial = "SN1";
  r.reason = "patient use";
  r.encounter = "ENC-91f3";
  r.raw = "]C101050123456789001017LOT-7";
  r.occurred_at_ms = 1'795'000'000'123;
  const auto move = ledger->record(r).value();
  const auto found = ledger->find_move(move.id).value().value();
  const auto& f = found.request;
  CHECK(f.kind == MoveKind::issue);
  CHECK(f.product.gtin == "05012345678900");
  CHECK(f.product.code == "GLV-M");
  CHECK(f.product.odoo_id == 812);
  CHECK(f.lot == "LOT-7");
  CHECK(f.expiry == "2027-03-31");
  CHECK(f.serial == "SN1");
  CHECK(f.qty.to_string() == "2.5");
  CHECK(f.uom.str() == "Units");
  CHECK(f.from.str() == "WARD3");
  CHECK(f.to.str() == "CONSUME");
  CHECK(f.operator_id.str() == "nurse-042");
  CHECK(f.reason == "patient use");
  CHECK(f.cost_centre == "CC-W3");
  CHECK(f.encounter == "ENC-91f3");
  CHECK(f.raw == r.raw);
  CHECK(found.occurred_at_ms == 1'795'000'000'123);
  CHECK_FALSE(ledger->find_move(MoveId::generate(1)).value().has_value());
}

TEST_CASE("the projection follows receipts, issues, transfers, counts and reversals", "[ledger]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  REQUIRE(ledger->record(receipt("20")));
  REQUIRE(ledger->record(issue("3")));
  MoveRequest transfer = receipt("5");
  transfer.kind = MoveKind::transfer;
  transfer.from = LocationCode("WARD3");
  transfer.to = LocationCode("THEATRE");
  REQUIRE(ledger->record(transfer));
  CHECK(on_hand(*ledger, "WARD3") == qty("12"));
  CHECK(on_hand(*ledger, "THEATRE") == qty("5"));

  MoveRequest count = receipt("0");
  count.kind = MoveKind::count;
  count.to = LocationCode("WARD3");
  count.counted = qty("10");
  count.expected = qty("12");
  const auto counted = ledger->record(count).value();
  CHECK(counted.request.qty == qty("-2"));
  CHECK(on_hand(*ledger, "WARD3") == qty("10"));

  const auto wrong = ledger->record(issue("4")).value();
  CHECK(on_hand(*ledger, "WARD3") == qty("6"));
  MoveRequest undo;
  undo.kind = MoveKind::reversal;
  undo.reverses = wrong.id;
  undo.operator_id = OperatorId("nurse-042");
  undo.reason = "scanned the wrong box";
  const auto reversal = ledger->record(undo).value();
  CHECK(reversal.request.reverses == wrong.id);
  CHECK(reversal.request.qty == qty("4"));
  CHECK(reversal.request.from.str() == "WARD3");
  CHECK(on_hand(*ledger, "WARD3") == qty("10"));

  SECTION("a move is reversed at most once, and a reversal never") {
    const auto again = ledger->record(undo);
    REQUIRE_FALSE(again.has_value());
    CHECK_THAT(again.error().message, Catch::Contains("already reversed"));
    MoveRequest undo_undo = undo;
    undo_undo.reverses = reversal.id;
    const auto nested = ledger->record(undo_undo);
    REQUIRE_FALSE(nested.has_value());
    CHECK_THAT(nested.error().message, Catch::Contains("itself a reversal"));
    MoveRequest unknown = undo;
    unknown.reverses = MoveId::generate(5);
    CHECK(ledger->record(unknown).error().code == LedgerError::Code::not_found);
    CHECK(ledger->last_seq().value == 6);
  }
}

TEST_CASE("stock may go negative: an issue is never blocked by the projection", "[ledger]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  REQUIRE(ledger->record(issue("2")));
  CHECK(on_hand(*ledger, "WARD3") == qty("-2"));
}

TEST_CASE("on hand is the server baseline plus moves Odoo has not confirmed", "[ledger]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  const auto key = "gtin:05012345678900";
  REQUIRE(ledger->set_baseline(LocationCode("WARD3"), key, "", UnitOfMeasure("Units"), qty("50"), clock.now_ms()));
  const auto first = ledger->record(issue("5")).value();
  REQUIRE(ledger->record(issue("1")));
  auto line = ledger->stock_line(LocationCode("WARD3"), key, "").value().value();
  CHECK(line.baseline == qty("50"));
  CHECK(line.pending == qty("-6"));
  CHECK(line.on_hand() == qty("44"));

  // Odoo booked the first issue and a new pull shows 45 (50 - 5).
  REQUIRE(ledger->confirm_by_server(first.id));
  REQUIRE(ledger->confirm_by_server(first.id));  // harmless twice
  REQUIRE(ledger->set_baseline(LocationCode("WARD3"), key, "", UnitOfMeasure("Units"), qty("45"), clock.now_ms()));
  line = ledger->stock_line(LocationCode("WARD3"), key, "").value().value();
  CHECK(line.pending == qty("-1"));
  CHECK(line.on_hand() == qty("44"));
  CHECK(ledger->confirm_by_server(MoveId::generate(3)).error().code == LedgerError::Code::not_found);
  CHECK(ledger->set_baseline(LocationCode("WARD3"), key, "", UnitOfMeasure("Boxes"), qty("1"), 0).error().code ==
        LedgerError::Code::unit_mismatch);
}

TEST_CASE("bad moves get a clear error and write nothing", "[ledger]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  REQUIRE(ledger->record(receipt("10")));
  const auto audit_before = ledger->audit().verify().entries_checked;

  MoveRequest no_location = issue();
  no_location.from = LocationCode();
  auto result = ledger->record(no_location);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == LedgerError::Code::invalid_move);
  CHECK_THAT(result.error().message, Catch::Contains("nothing was recorded"));

  result = ledger->record(issue("0"));
  REQUIRE_FALSE(result.has_value());
  CHECK_THAT(result.error().message, Catch::Contains("cannot be zero"));

  MoveRequest boxes = issue("1");
  boxes.uom = UnitOfMeasure("Boxes");
  result = ledger->record(boxes);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == LedgerError::Code::unit_mismatch);

  REQUIRE(ledger->catalogue().upsert(
      Product{812, "Gloves M", "5012345678900", "GLV-M", UnitOfMeasure("Units"), "none", true, ""}));
  MoveRequest elsewhere = receipt("1");
  elsewhere.to = LocationCode("THEATRE");
  elsewhere.uom = UnitOfMeasure("Pairs");
  result = ledger->record(elsewhere);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == LedgerError::Code::unit_mismatch);
  CHECK_THAT(result.error().message, Catch::Contains("counted in Units"));

  CHECK(ledger->last_seq().value == 1);
  CHECK(ledger->moves_after(Seq{0}, 10).value().size() == 1);
  CHECK(on_hand(*ledger, "WARD3") == qty("10"));
  CHECK_FALSE(ledger->stock_line(LocationCode("THEATRE"), "gtin:05012345678900", "").value().has_value());
  CHECK(ledger->outbox().backlog(kDestinationMqtt).value() == 1);
  CHECK(ledger->audit().verify().entries_checked == audit_before);
  CHECK(ledger->record(issue("1")).value().seq.value == 2);
}

TEST_CASE("record_all writes every move or none", "[ledger]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  std::vector<MoveRequest> good{receipt("10"), issue("1"), issue("2")};
  const auto moves = ledger->record_all(good).value();
  REQUIRE(moves.size() == 3);
  CHECK(moves[2].seq.value == 3);

  std::vector<MoveRequest> mixed{issue("1"), issue("0"), issue("1")};
  const auto refused = ledger->record_all(mixed);
  REQUIRE_FALSE(refused.has_value());
  CHECK_THAT(refused.error().message, Catch::Contains("cannot be zero"));
  CHECK(ledger->last_seq().value == 3);
  CHECK(on_hand(*ledger, "WARD3") == qty("7"));
  CHECK(ledger->record(issue("1")).value().seq.value == 4);
  CHECK(ledger->audit().verify().intact());
}

TEST_CASE("many threads record at once: every move durable once, seq gapless", "[ledger][group-commit]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  constexpr int kThreads = 6;
  constexpr int kPerThread = 150;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every tenth request is bad: it must fail alone, not its batch.
        auto result = ledger->record(i % 10 == 9 ? issue("0") : receipt("1"));
        if (result) ids[static_cast<std::size_t>(t)].push_back(result->id.str());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::map<std::string, int> seen;
  std::size_t total = 0;
  for (const auto& list : ids) {
    total += list.size();
    for (const auto& id : list) ++seen[id];
  }
  CHECK(total == kThreads * kPerThread * 9 / 10);
  CHECK(seen.size() == total);
  const auto moves = ledger->moves_after(Seq{0}, 100000).value();
  REQUIRE(moves.size() == total);
  for (std::size_t i = 0; i < moves.size(); ++i) {
    CHECK(moves[i].seq.value == static_cast<std::int64_t>(i + 1));
    CHECK(seen.count(moves[i].id.str()) == 1);
  }
  CHECK(on_hand(*ledger, "WARD3") == Quantity::units(static_cast<std::int64_t>(total)));
  CHECK(ledger->audit().verify().intact());
}
