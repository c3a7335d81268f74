#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/outbox.hpp"
#include "ledger_fixtures.hpp"
#include "sqlite.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

TEST_CASE("each move waits in both outboxes in seq order until acknowledged", "[outbox]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  for (int i = 0; i < 5; ++i) REQUIRE(ledger->record(receipt("1")));
  auto& outbox = ledger->outbox();
  CHECK(outbox.backlog(kDestinationMqtt).value() == 5);
  CHECK(outbox.backlog(kDestinationOdoo).value() == 5);

  auto due = outbox.due(kDestinationMqtt, clock.now_ms(), 3).value();
  REQUIRE(due.size() == 3);
  CHECK(due[0].move.seq.value == 1);
  CHECK(due[2].move.seq.value == 3);
  REQUIRE(outbox.mark_sent(kDestinationMqtt, Seq{1}));
  CHECK(outbox.backlog(kDestinationMqtt).value() == 4);
  CHECK(outbox.backlog(kDestinationOdoo).value() == 5);
  CHECK(outbox.mark_sent(kDestinationMqtt, Seq{1}).error().code == LedgerError::Code::not_found);

  SECTION("a transient failure waits for its retry time") {
    REQUIRE(outbox.mark_retry(kDestinationOdoo, Seq{1}, "HTTP 503", clock.now_ms() + 30'000));
    due = outbox.due(kDestinationOdoo, clock.now_ms(), 10).value();
    REQUIRE(due.size() == 4);
    CHECK(due[0].move.seq.value == 2);
    clock.advance(30'000);
    due = outbox.due(kDestinationOdoo, clock.now_ms(), 10).value();
    REQUIRE(due.size() == 5);
    CHECK(due[0].attempts == 1);
    CHECK(due[0].last_error == "HTTP 503");
  }
  SECTION("a permanent failure goes to the exception queue and can be replayed") {
    REQUIRE(outbox.mark_exception(kDestinationOdoo, Seq{2}, "ValidationError: product archived"));
    CHECK(outbox.backlog(kDestinationOdoo).value() == 4);
    const auto open = outbox.open_exceptions().value();
    REQUIRE(open.size() == 1);
    CHECK(open[0].seq.value == 2);
    CHECK(open[0].destination == "odoo");
    CHECK_THAT(open[0].reason, Catch::Contains("archived"));
    CHECK(outbox.replay_exception(open[0].id, "").error().code == LedgerError::Code::invalid_move);
    REQUIRE(outbox.replay_exception(open[0].id, "it-desk:alice"));
    CHECK(outbox.open_exceptions().value().empty());
    CHECK(outbox.backlog(kDestinationOdoo).value() == 5);
    CHECK(outbox.replay_exception(open[0].id, "it-desk:alice").error().code == LedgerError::Code::not_found);
    const auto entries = ledger->audit().tail(2);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].action == "exception");
    CHECK(entries[1].action == "replay");
    CHECK(entries[1].actor == "it-desk:alice");
  }
}

TEST_CASE("the audit chain verifies, and names the first entry that was tampered with", "[audit]") {
  TempDir dir;
  ManualClock clock;
  const auto path = dir / "ledger.db";
  {
    auto ledger = open_ledger(path, clock);
    for (int i = 0; i < 6; ++i) REQUIRE(ledger->record(receipt("1")));
    REQUIRE(ledger->audit().append("it-desk:bob", "config", "v12", "par levels changed"));
    const auto verdict = ledger->audit().verify();
    CHECK(verdict.intact());
    CHECK(verdict.entries_checked == 7);
    const auto last = ledger->audit().tail(1).at(0);
    CHECK(last.actor == "it-desk:bob");
    CHECK(last.hash == audit_hash(last));
  }
  auto tamper_and_verify = [&](const char* statement) {
    sqlite::Connection raw(path.string(), false);
    raw.exec(statement);
    auto ledger = open_ledger(path, clock);
    return ledger->audit().verify();
  };
  SECTION("an edited detail") {
    const auto verdict = tamper_and_verify("UPDATE audit SET detail = 'receipt 100 Units' WHERE number = 4");
    CHECK(verdict.first_broken == 4);
    CHECK_THAT(verdict.reason, Catch::Contains("contents do not match"));
  }
  SECTION("a deleted entry") {
    const auto verdict = tamper_and_verify("DELETE FROM audit WHERE number = 3");
    CHECK(verdict.first_broken == 3);
    CHECK_THAT(verdict.reason, Catch::Contains("missing"));
  }
  SECTION("an entry rewritten with a fresh hash breaks the next link") {
    const auto verdict = tamper_and_verify("UPDATE audit SET detail = 'x', hash = 'deadbeef' WHERE number = 2");
    CHECK(verdict.first_broken == 2);
  }
  SECTION("entries cut off the end while the ledger was closed") {
    const auto verdict = tamper_and_verify("DELETE FROM audit WHERE number > 4");
    CHECK(verdict.first_broken == 5);
    CHECK_THAT(verdict.reason, Catch::Contains("the log ends at entry 4, but the last entry when the ledger was last "
                                               "closed cleanly was entry 7: entries 5 to 7 were removed"));
  }
  SECTION("the last entry replaced by a forged one with a valid link") {
    auto forged = tamper_and_verify("SELECT 1");  // untouched: intact
    CHECK(forged.intact());
    AuditEntry last;
    {
      auto ledger = open_ledger(path, clock);
      last = ledger->audit().tail(1).at(0);
    }
    last.detail = "par levels left as they were";
    last.hash = audit_hash(last);
    const std::string statement =
        "UPDATE audit SET detail = '" + last.detail + "', hash = '" + last.hash + "' WHERE number = 7";
    const auto verdict = tamper_and_verify(statement.c_str());
    CHECK(verdict.first_broken == 7);
    CHECK_THAT(verdict.reason, Catch::Contains("the log was rewritten from here"));
  }
}

TEST_CASE("the end of the audit log is anchored, without false alarms after an unclean close", "[audit]") {
  TempDir dir;
  ManualClock clock;
  const auto path = dir / "ledger.db";
  auto ledger = open_ledger(path, clock);
  for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(receipt("1")));
  SECTION("entries cut off while the ledger is open are found against the last entry it wrote") {
    sqlite::Connection raw(path.string(), false);
    sqlite3_busy_timeout(raw.get(), 5000);
    raw.exec("DELETE FROM audit WHERE number = 3");
    const auto verdict = ledger->audit().verify();
    CHECK(verdict.first_broken == 3);
    CHECK_THAT(verdict.reason, Catch::Contains("the last entry this process wrote or read was entry 3"));
  }
  SECTION("entries after the anchor, with no clean close since (a power cut), are not a break") {
    ledger.reset();  // clean close: the anchor is entry 3
    ledger = open_ledger(path, clock);
    for (int i = 0; i < 2; ++i) REQUIRE(ledger->record(receipt("1")));
    ledger.reset();
    // As if that last close had never happened: the anchor still says 3.
    sqlite::Connection raw(path.string(), false);
    raw.exec(
        "UPDATE meta SET value = (SELECT number || ':' || hash FROM audit WHERE number = 3) "
        "WHERE key = 'audit_anchor'");
    ledger = open_ledger(path, clock);
    const auto verdict = ledger->audit().verify();
    CHECK(verdict.intact());
    CHECK(verdict.entries_checked == 5);
  }
}

TEST_CASE("retention prunes only old moves that reached every destination", "[retention]") {
  TempDir dir;
  ManualClock clock;
  const auto path = dir / "ledger.db";
  auto ledger = open_ledger(path, clock);
  std::vector<Move> moves;
  for (int i = 0; i < 6; ++i) moves.push_back(ledger->record(receipt("1")).value());
  auto& outbox = ledger->outbox();
  // 1-4 delivered to both destinations; 5 only to MQTT; 6 to neither.
  for (std::int64_t seq = 1; seq <= 5; ++seq) REQUIRE(outbox.mark_sent(kDestinationMqtt, Seq{seq}));
  for (std::int64_t seq = 1; seq <= 4; ++seq) REQUIRE(outbox.mark_sent(kDestinationOdoo, Seq{seq}));
  // 4 is reversed by a reversal that has not gone out yet: 4 must stay for it.
  MoveRequest undo;
  undo.kind = MoveKind::reversal;
  undo.reverses = moves[3].id;
  REQUIRE(ledger->record(undo));
  clock.advance(10);
  const auto recent = ledger->record(receipt("1")).value();  // seq 8, after the cutoff
  REQUIRE(outbox.mark_sent(kDestinationMqtt, recent.seq));
  REQUIRE(outbox.mark_sent(kDestinationOdoo, recent.seq));

  const auto removed = ledger->prune_delivered(clock.now_ms() - 5);
  REQUIRE(removed.has_value());
  CHECK(*removed == 3);
  std::vector<std::int64_t> kept;
  const auto remaining = ledger->moves_after(Seq{0}, 100).value();
  for (const auto& move : remaining) kept.push_back(move.seq.value);
  CHECK(kept == std::vector<std::int64_t>{4, 5, 6, 7, 8});
  CHECK(ledger->audit().verify().intact());
  CHECK(ledger->audit().tail(1).at(0).action == "prune");
  CHECK(ledger->record(issue("1")).value().seq.value == 9);

  SECTION("seq is never reused, even when every move was pruned") {
    for (std::int64_t seq = 5; seq <= 9; ++seq) {
      (void)outbox.mark_sent(kDestinationMqtt, Seq{seq});
      (void)outbox.mark_sent(kDestinationOdoo, Seq{seq});
    }
    clock.advance(10);
    REQUIRE(ledger->prune_delivered(clock.now_ms()).value() == 6);
    CHECK(ledger->moves_after(Seq{0}, 100).value().empty());
    ledger.reset();
    ledger = open_ledger(path, clock);
    CHECK(ledger->last_seq().value == 9);
    CHECK(ledger->record(issue("1")).value().seq.value == 10);
    CHECK(ledger->audit().verify().intact());
  }
}

TEST_CASE("acknowledgements in bulk: out of order, repeated, already gone", "[outbox]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  for (int i = 0; i < 10; ++i) REQUIRE(ledger->record(receipt("1")));
  auto& outbox = ledger->outbox();
  REQUIRE(outbox.mark_exception(kDestinationMqtt, Seq{5}, "rejected"));
  const std::vector<Seq> acks{Seq{3}, Seq{1}, Seq{2}, Seq{2}, Seq{5}, Seq{6}, Seq{9}, Seq{42}};
  CHECK(outbox.mark_sent(kDestinationMqtt, acks).value() == 5);  // 1, 2, 3, 6, 9; 5 is an exception
  std::vector<std::int64_t> left;
  const auto due = outbox.due(kDestinationMqtt, clock.now_ms(), 100).value();
  for (const auto& item : due) left.push_back(item.move.seq.value);
  CHECK(left == std::vector<std::int64_t>{4, 7, 8, 10});
  CHECK(outbox.mark_sent(kDestinationMqtt, acks).value() == 0);
  CHECK(outbox.backlog(kDestinationOdoo).value() == 10);
  CHECK(outbox.open_exceptions().value().size() == 1);
}

TEST_CASE("every scan is journaled before it is read, readable or not", "[journal]") {
  TempDir dir;
  ManualClock clock;
  const auto path = dir / "ledger.db";
  {
    auto ledger = open_ledger(path, clock);
    const auto first = ledger->journal_scan("tcp:127.0.0.1", "]d2010950600013435217271231").value();
    const auto second = ledger->journal_scan("serial:/dev/ttyUSB0", "\xff\xfe garbage").value();
    CHECK(second == first + 1);
    REQUIRE(ledger->note_scan_outcome(second, "refused: the scan is not valid text"));
    CHECK(ledger->note_scan_outcome(999, "x").error().code == LedgerError::Code::not_found);
  }
  auto ledger = open_ledger(path, clock);
  const auto scans = ledger->recent_scans(10).value();
  REQUIRE(scans.size() == 2);
  CHECK(scans[0].source == "tcp:127.0.0.1");
  CHECK(scans[0].outcome.empty());
  CHECK(scans[1].raw == "\xff\xfe garbage");
  CHECK(scans[1].outcome == "refused: the scan is not valid text");
}

TEST_CASE("a destination that is switched off gets no outbox rows, so retention can prune", "[retention]") {
  TempDir dir;
  ManualClock clock;
  auto options = ledger_options(dir / "ledger.db");
  options.destinations = {"mqtt"};  // Odoo not enabled on this terminal
  auto ledger = open_ledger(options, clock);
  for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(receipt("1")));
  auto& outbox = ledger->outbox();
  CHECK(outbox.backlog(kDestinationMqtt).value() == 3);
  CHECK(outbox.backlog(kDestinationOdoo).value() == 0);
  for (std::int64_t seq = 1; seq <= 3; ++seq) REQUIRE(outbox.mark_sent(kDestinationMqtt, Seq{seq}));
  clock.advance(10);
  CHECK(ledger->prune_delivered(clock.now_ms()).value() == 3);

  options.destinations = {"mqtt", "erp"};
  options.path = dir / "other.db";
  const auto refused = Ledger::open(options, clock);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("unknown delivery destination 'erp'"));
  CHECK_FALSE(std::filesystem::exists(dir / "other.db"));
}

TEST_CASE("a wall clock stepped back neither delays nor reorders what waits to go out", "[outbox][clock]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  auto& outbox = ledger->outbox();
  for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(receipt("1")));
  clock.advance(-86'400'000);  // NTP corrects a clock that ran a day ahead
  for (int i = 0; i < 3; ++i) REQUIRE(ledger->record(receipt("1")));
  const auto due = outbox.due(kDestinationMqtt, clock.now_ms(), 10).value();
  std::vector<std::int64_t> seqs;
  for (const auto& item : due) seqs.push_back(item.move.seq.value);
  CHECK(seqs == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});

  // A retry set before the step is not put off by the day the clock lost.
  REQUIRE(outbox.mark_retry(kDestinationOdoo, Seq{1}, "HTTP 503", clock.now_ms() + 60'000));
  CHECK(outbox.due(kDestinationOdoo, clock.now_ms(), 10).value().front().move.seq.value == 2);
  clock.advance(-2 * 86'400'000);
  CHECK(outbox.due(kDestinationOdoo, clock.now_ms(), 10).value().front().move.seq.value == 1);
  // And no retry is ever put off by more than an hour.
  REQUIRE(outbox.mark_retry(kDestinationOdoo, Seq{1}, "HTTP 503", clock.now_ms() + 10 * 3'600'000));
  clock.advance(Outbox::kMaxRetryDelayMs);
  CHECK(outbox.due(kDestinationOdoo, clock.now_ms(), 10).value().front().move.seq.value == 1);
}

TEST_CASE("a destination's depth: pending, waiting for a person, and since when", "[outbox]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  auto& outbox = ledger->outbox();
  CHECK(outbox.depth(kDestinationOdoo).value().pending == 0);
  CHECK(outbox.depth(kDestinationOdoo).value().oldest_pending_ms == 0);
  const auto first_at = clock.now_ms();
  REQUIRE(ledger->record(receipt("1")));
  clock.advance(60'000);
  REQUIRE(ledger->record(receipt("2")));
  REQUIRE(ledger->record(receipt("3")));
  REQUIRE(outbox.mark_exception(kDestinationOdoo, Seq{3}, "ValidationError: product archived"));
  auto odoo = outbox.depth(kDestinationOdoo).value();
  CHECK(odoo.pending == 2);
  CHECK(odoo.exceptions == 1);
  CHECK(odoo.oldest_pending_ms == first_at);
  REQUIRE(outbox.mark_sent(kDestinationOdoo, Seq{1}));
  odoo = outbox.depth(kDestinationOdoo).value();
  CHECK(odoo.pending == 1);
  CHECK(odoo.oldest_pending_ms == first_at + 60'000);
  CHECK(outbox.depth(kDestinationMqtt).value().pending == 3);  // each destination on its own
}
