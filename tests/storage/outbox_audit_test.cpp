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
  CHECK(outbox.backlog(kDestinationMqtt) == 5);
  CHECK(outbox.backlog(kDestinationOdoo) == 5);

  auto due = outbox.due(kDestinationMqtt, clock.now_ms(), 3);
  REQUIRE(due.size() == 3);
  CHECK(due[0].move.seq.value == 1);
  CHECK(due[2].move.seq.value == 3);
  REQUIRE(outbox.mark_sent(kDestinationMqtt, Seq{1}));
  CHECK(outbox.backlog(kDestinationMqtt) == 4);
  CHECK(outbox.backlog(kDestinationOdoo) == 5);
  CHECK(outbox.mark_sent(kDestinationMqtt, Seq{1}).error().code == LedgerError::Code::not_found);

  SECTION("a transient failure waits for its retry time") {
    REQUIRE(outbox.mark_retry(kDestinationOdoo, Seq{1}, "HTTP 503", clock.now_ms() + 30'000));
    due = outbox.due(kDestinationOdoo, clock.now_ms(), 10);
    REQUIRE(due.size() == 4);
    CHECK(due[0].move.seq.value == 2);
    clock.advance(30'000);
    due = outbox.due(kDestinationOdoo, clock.now_ms(), 10);
    REQUIRE(due.size() == 5);
    CHECK(due[0].attempts == 1);
    CHECK(due[0].last_error == "HTTP 503");
  }
  SECTION("a permanent failure goes to the exception queue and can be replayed") {
    REQUIRE(outbox.mark_exception(kDestinationOdoo, Seq{2}, "ValidationError: product archived"));
    CHECK(outbox.backlog(kDestinationOdoo) == 4);
    const auto open = outbox.open_exceptions();
    REQUIRE(open.size() == 1);
    CHECK(open[0].seq.value == 2);
    CHECK(open[0].destination == "odoo");
    CHECK_THAT(open[0].reason, Catch::Contains("archived"));
    CHECK(outbox.replay_exception(open[0].id, "").error().code == LedgerError::Code::invalid_move);
    REQUIRE(outbox.replay_exception(open[0].id, "it-desk:alice"));
    CHECK(outbox.open_exceptions().empty());
    CHECK(outbox.backlog(kDestinationOdoo) == 5);
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
}
