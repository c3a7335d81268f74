// Posting batches in the ledger: fixed before the first send, settled with
// their baselines in one transaction, failed into the exception queue.
#include <catch2/catch.hpp>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/storage/postings.hpp"
#include "ledger_fixtures.hpp"
#include "temp_dir.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

namespace {
const std::string kGloves = "gtin:05012345678900";
Quantity on_hand(Ledger& ledger) {
  const auto line = ledger.stock_line(LocationCode("WARD3"), kGloves, "").value();
  return line ? line->on_hand() : Quantity{};
}
}  // namespace

TEST_CASE("a batch is fixed once, with its moves, before it is sent", "[postings]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(issue("2")));
  auto& postings = ledger->postings();
  const std::vector<NewPostingBatch> batches{{"batch-a", "EDGE:batch-a", R"({"lines":2})", {Seq{1}, Seq{2}}},
                                             {"batch-b", "EDGE:batch-b", R"({"lines":1})", {Seq{3}}}};
  CHECK(postings.fix(batches).value() == 2);
  CHECK(postings.fix(batches).value() == 0);  // idempotent
  auto open = postings.open(clock.now_ms()).value();
  REQUIRE(open.size() == 2);
  CHECK(open[0].batch_id == "batch-a");
  CHECK(open[0].state == "fixed");
  CHECK(open[0].plan == R"({"lines":2})");
  CHECK(open[0].seqs == std::vector<Seq>{Seq{1}, Seq{2}});
  const std::vector<Seq> asked{Seq{1}, Seq{3}, Seq{4}};
  CHECK(postings.batched(asked).value() == std::vector<Seq>{Seq{1}, Seq{3}});

  REQUIRE(postings.mark_sent("batch-a"));
  CHECK(postings.batch("batch-a").value().state == "sent");
  CHECK(postings.batch("batch-a").value().attempts == 1);
  REQUIRE(postings.mark_retry("batch-a", "HTTP 503", clock.now_ms() + 30'000));
  CHECK(postings.open(clock.now_ms()).value().size() == 1);  // a not yet due
  clock.advance(30'000);
  CHECK(postings.open(clock.now_ms()).value().size() == 2);
  CHECK_FALSE(postings.mark_sent("batch-zzz").has_value());
  const std::vector<NewPostingBatch> empty{{"batch-c", "EDGE:batch-c", "{}", {}}};
  CHECK(postings.fix(empty).error().code == LedgerError::Code::invalid_move);
}

TEST_CASE("settling a batch confirms its moves and sets the baselines in one step", "[postings]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  REQUIRE(ledger->set_baseline(LocationCode("WARD3"), kGloves, "", UnitOfMeasure("Units"), qty("50"), 1));
  REQUIRE(ledger->record(issue("2")));
  REQUIRE(ledger->record(issue("3")));
  CHECK(on_hand(*ledger) == qty("45"));
  const std::vector<NewPostingBatch> batch{{"batch-a", "EDGE:batch-a", "{}", {Seq{1}}}};
  REQUIRE(ledger->postings().fix(batch));
  REQUIRE(ledger->postings().mark_sent("batch-a"));
  // Odoo booked the first issue, and a central transfer of 10 arrived meanwhile: its quant reads 58.
  const std::vector<Ledger::Baseline> read{{LocationCode("WARD3"), kGloves, "", UnitOfMeasure("Units"), qty("58")}};
  REQUIRE(ledger->settle_posting("batch-a", 77, read, clock.now_ms()));
  const auto line = ledger->stock_line(LocationCode("WARD3"), kGloves, "").value().value();
  CHECK(line.baseline == qty("58"));
  CHECK(line.pending == qty("-3"));  // the second issue still waits
  CHECK(ledger->outbox().backlog(kDestinationOdoo).value() == 1);
  CHECK(ledger->postings().batch("batch-a").value().state == "done");
  CHECK(ledger->postings().batch("batch-a").value().odoo_id == 77);
  REQUIRE(ledger->settle_posting("batch-a", 77, read, clock.now_ms()));  // twice: harmless
  CHECK(on_hand(*ledger) == qty("55"));
  CHECK(ledger->audit().tail(1).front().action == "posted");
  CHECK_FALSE(ledger->audit().verify().first_broken.has_value());
  // A baseline in another unit refuses the whole settlement: nothing changes.
  const std::vector<NewPostingBatch> second{{"batch-b", "EDGE:batch-b", "{}", {Seq{2}}}};
  REQUIRE(ledger->postings().fix(second));
  const std::vector<Ledger::Baseline> boxes{{LocationCode("WARD3"), kGloves, "", UnitOfMeasure("Boxes"), qty("5")}};
  CHECK(ledger->settle_posting("batch-b", 78, boxes, clock.now_ms()).error().code == LedgerError::Code::unit_mismatch);
  CHECK(ledger->postings().batch("batch-b").value().state == "fixed");
  CHECK(on_hand(*ledger) == qty("55"));
  CHECK(ledger->outbox().backlog(kDestinationOdoo).value() == 1);
}

TEST_CASE("a failed batch sends its moves to the exception queue; a split one frees them", "[postings]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(issue("1")));
  auto& postings = ledger->postings();
  const std::vector<NewPostingBatch> batches{{"batch-a", "EDGE:batch-a", "{}", {Seq{1}, Seq{2}}},
                                             {"move-3", "EDGE:move-3", "{}", {Seq{3}}}};
  REQUIRE(postings.fix(batches));
  REQUIRE(postings.mark_split("batch-a", "ValidationError in a batch of 2"));
  const std::vector<Seq> first_two{Seq{1}, Seq{2}};
  CHECK(postings.batched(first_two).value().empty());  // planned again, one by one
  const std::vector<NewPostingBatch> single{{"move-1", "EDGE:move-1", "{}", {Seq{1}}}};
  REQUIRE(postings.fix(single));
  REQUIRE(postings.mark_failed("move-3", "odoo.exceptions.UserError: lot required"));
  const auto exceptions = ledger->outbox().open_exceptions().value();
  REQUIRE(exceptions.size() == 1);
  CHECK(exceptions[0].seq == Seq{3});
  CHECK(exceptions[0].reason == "odoo.exceptions.UserError: lot required");
  CHECK(ledger->outbox().backlog(kDestinationOdoo).value() == 2);
  CHECK_FALSE(postings.mark_failed("move-3", "again").has_value());  // no longer open
}

TEST_CASE("the transfers Odoo expects are replaced as a whole; one with a live batch is taken", "[postings]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  auto& catalogue = ledger->catalogue();
  const std::vector<ExpectedTransfer> first{
      {41,
       "WH/INT/00041",
       "assigned",
       14,
       11,
       "2026-11-18 09:00:00",
       "",
       {{7, 101, "L1", qty("10")}, {8, 102, "", qty("6")}}},
      {42, "WH/INT/00042", "done", 14, 11, "2026-11-18 08:00:00", "2026-11-18 08:30:00", {{9, 101, "L2", qty("2.5")}}}};
  REQUIRE(catalogue.replace_expected(first));
  auto read = catalogue.expected_transfers();
  REQUIRE(read.size() == 2);
  CHECK(read[0].picking_id == 42);  // scheduled first
  CHECK(read[0].done());
  CHECK(read[0].date_done == "2026-11-18 08:30:00");
  CHECK(read[0].lines.size() == 1);
  CHECK(read[0].lines[0].qty == qty("2.5"));
  CHECK(read[1].lines.size() == 2);
  CHECK(read[1].lines[0].lot == "L1");
  CHECK(read[1].lines[1].odoo_move == 8);
  // The next pull's answer replaces it all: 41 was received, 43 is new.
  REQUIRE(catalogue.replace_expected({{43, "WH/INT/00043", "confirmed", 14, 11, "2026-11-19 09:00:00", "", {}}}));
  read = catalogue.expected_transfers();
  REQUIRE(read.size() == 1);
  CHECK(read[0].picking_id == 43);
  CHECK(read[0].lines.empty());

  for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(issue("1")));
  auto& postings = ledger->postings();
  const std::vector<NewPostingBatch> batches{{"receipt-a", "EDGE:receipt-a", "{}", {Seq{1}}, 43},
                                             {"receipt-b", "EDGE:receipt-b", "{}", {Seq{2}}, 44},
                                             {"batch-c", "EDGE:batch-c", "{}", {Seq{3}}}};
  REQUIRE(postings.fix(batches));
  CHECK(postings.expected_taken().value() == std::vector<std::int64_t>{43, 44});
  // A batch that failed frees its transfer: a person's retry may match it again.
  REQUIRE(postings.mark_failed("receipt-b", "cancelled in Odoo"));
  CHECK(postings.expected_taken().value() == std::vector<std::int64_t>{43});
}

TEST_CASE("a pull's quants rebase the stock lines, except those whose moves Odoo may already hold", "[postings]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  const LocationCode ward("WARD3");
  const std::string masks = "gtin:05099999999996";
  const std::string swabs = "code:SWAB-01";
  REQUIRE(ledger->set_baseline(ward, kGloves, "", UnitOfMeasure("Units"), qty("50"), clock.now_ms()));
  REQUIRE(ledger->set_baseline(ward, masks, "", UnitOfMeasure("Units"), qty("10"), clock.now_ms()));
  REQUIRE(ledger->set_baseline(ward, swabs, "", UnitOfMeasure("Boxes"), qty("4"), clock.now_ms()));
  REQUIRE(ledger->record(issue("2")));  // gloves, pending -2, in a batch sent to Odoo below
  REQUIRE(ledger->postings().fix(std::vector<NewPostingBatch>{{"batch-a", "EDGE:batch-a", "{}", {Seq{1}}}}));
  REQUIRE(ledger->postings().mark_sent("batch-a"));
  clock.advance(1000);

  Ledger::PulledStock pulled;
  pulled.locations = {ward};
  pulled.read_started_ms = clock.now_ms();
  pulled.quants = {{ward, kGloves, "", UnitOfMeasure("Units"), qty("48")},  // holds the sent issue, maybe
                   {ward, swabs, "", UnitOfMeasure("Units"), qty("40")},    // Odoo counts swabs in units now
                   {ward, "code:NEW-1", "L7", UnitOfMeasure("Units"), qty("3")}};
  // Masks: Odoo holds none at the ward any more; but the pull could not map
  // every quant, so that is not known, and the line is left.
  pulled.complete = false;
  auto rebased = ledger->rebase_from_pull(pulled).value();
  CHECK(rebased.rebased == 1);  // the new line
  CHECK(rebased.in_flight == 1);
  CHECK(rebased.unit_changed == 1);
  CHECK(ledger->stock_line(ward, kGloves, "").value()->baseline == qty("50"));
  CHECK(ledger->stock_line(ward, masks, "").value()->baseline == qty("10"));
  CHECK(ledger->stock_line(ward, swabs, "").value()->baseline == qty("4"));
  CHECK(ledger->stock_line(ward, "code:NEW-1", "L7").value()->baseline == qty("3"));

  // Complete this time: the masks line is known to be empty in Odoo.
  pulled.complete = true;
  pulled.read_started_ms = clock.now_ms() + 1;
  rebased = ledger->rebase_from_pull(pulled).value();
  CHECK(rebased.rebased == 1);
  CHECK(rebased.unchanged == 1);
  CHECK(ledger->stock_line(ward, masks, "").value()->baseline.is_zero());

  // A read that began before a line's baseline was last set (a posting
  // settled it meanwhile from a later read) leaves that line.
  REQUIRE(ledger->set_baseline(ward, masks, "", UnitOfMeasure("Units"), qty("6"), clock.now_ms() + 5));
  pulled.read_started_ms = clock.now_ms() + 2;
  pulled.quants.push_back({ward, masks, "", UnitOfMeasure("Units"), qty("9")});
  rebased = ledger->rebase_from_pull(pulled).value();
  CHECK(rebased.newer == 1);
  CHECK(ledger->stock_line(ward, masks, "").value()->baseline == qty("6"));
  CHECK(ledger->audit().verify().intact());
}
