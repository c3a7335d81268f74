// Failure paths of the ledger that are not SQLite's: whatever goes wrong
// inside a batch, every writer gets an answer and the ledger stays usable.

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

namespace {

// A clock whose next reading throws once when armed (a failing clock source
// stands for any exception that is not the ledger's own: no memory, no
// randomness for an id).
class FailingClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t now_ms() const override {
    if (armed_.exchange(false)) throw std::runtime_error("clock source unavailable");
    return 1'795'000'000'000;
  }
  void fail_next() { armed_ = true; }

 private:
  mutable std::atomic<bool> armed_{false};
};

// record() on another thread, so that a wedged ledger fails the test instead
// of hanging it.
std::optional<std::expected<Move, LedgerError>> record_within(Ledger& ledger, const MoveRequest& request,
                                                              std::chrono::seconds limit) {
  auto result = std::async(std::launch::async, [&] { return ledger.record(request); });
  if (result.wait_for(limit) != std::future_status::ready) {
    result.wait();  // (never returns when wedged: the test binary's timeout ends it)
    return std::nullopt;
  }
  return result.get();
}

}  // namespace

TEST_CASE("an exception inside a batch does not wedge later writers", "[ledger][failure]") {
  TempDir dir;
  FailingClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  REQUIRE(ledger->record(receipt("10")));

  clock.fail_next();
  const auto failed = record_within(*ledger, issue("1"), std::chrono::seconds(20));
  REQUIRE(failed.has_value());
  REQUIRE_FALSE(failed->has_value());
  CHECK(failed->error().code == LedgerError::Code::io);
  CHECK_THAT(failed->error().message, Catch::Contains("nothing was recorded"));
  CHECK_THAT(failed->error().message, Catch::Contains("clock source unavailable"));

  // The next writers are served, with no gap in seq and an intact chain.
  const auto next = record_within(*ledger, issue("2"), std::chrono::seconds(20));
  REQUIRE(next.has_value());
  REQUIRE(next->has_value());
  CHECK((*next)->seq.value == 2);
  CHECK(ledger->audit().verify().intact());
}

TEST_CASE("an exception while several writers share a batch answers each of them", "[ledger][failure]") {
  TempDir dir;
  FailingClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  constexpr int kWriters = 4;
  constexpr int kEach = 50;
  std::atomic<int> answered{0};
  std::atomic<int> recorded{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        if (w == 0 && i % 10 == 5) clock.fail_next();
        if (ledger->record(receipt("1"))) ++recorded;
        ++answered;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  CHECK(answered == kWriters * kEach);
  // What was reported recorded is exactly what the ledger holds.
  const auto moves = ledger->moves_after(Seq{0}, 1000).value();
  CHECK(std::ssize(moves) == recorded.load());
  CHECK(recorded < kWriters * kEach);
  for (std::size_t i = 0; i < moves.size(); ++i) CHECK(moves[i].seq.value == static_cast<std::int64_t>(i + 1));
  CHECK(ledger->audit().verify().intact());
}

TEST_CASE("a stock line never passes what the ledger holds exactly", "[ledger][failure]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  // 1000 receipts of the largest move reach the bound (10^12 units) exactly.
  MoveRequest largest = receipt();
  largest.qty = Quantity::micros(Quantity::kMaxMicros);
  const std::vector<MoveRequest> batch(100, largest);
  for (int i = 0; i < 10; ++i) REQUIRE(ledger->record_all(batch));
  const auto at_bound = ledger->stock_line(LocationCode("WARD3"), "gtin:05012345678900", "").value();
  REQUIRE(at_bound);
  CHECK(at_bound->pending.as_micros() == 1'000'000'000'000'000'000);
  CHECK(at_bound->pending.to_string() == "1000000000000");

  MoveRequest one_more = receipt("1");
  const auto refused = ledger->record(one_more);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == LedgerError::Code::invalid_move);
  CHECK_THAT(refused.error().message,
             Catch::Contains("would pass 1000000000000") && Catch::Contains("nothing was recorded"));
  CHECK(ledger->last_seq().value == 1000);
  // Unchanged, and still an exact integer (SQLite would have made it REAL).
  CHECK(ledger->stock_line(LocationCode("WARD3"), "gtin:05012345678900", "").value()->pending == at_bound->pending);
  // Issuing from it still works; a baseline that would pass the bound is refused.
  CHECK(ledger->record(issue("1")));
  const auto baseline = ledger->set_baseline(LocationCode("WARD3"), "gtin:05012345678900", "", UnitOfMeasure("Units"),
                                             Quantity::units(2), 0);
  REQUIRE_FALSE(baseline);
  CHECK_THAT(baseline.error().message, Catch::Contains("more than the ledger holds exactly"));
}

namespace {
// Changes the file behind the open ledger's back, as damage or a careless
// hand with sqlite3 would.
void raw_sql(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}
}  // namespace

TEST_CASE("a read that fails is an error, never an empty answer", "[ledger][failure]") {
  TempDir dir;
  ManualClock clock;
  const auto path = dir / "ledger.db";
  auto ledger = open_ledger(path, clock);
  const auto recorded = ledger->record(receipt("5")).value();
  REQUIRE(ledger->stock().value().size() == 1);
  REQUIRE(ledger->outbox().due(kDestinationMqtt, clock.now_ms(), 10).value().size() == 1);

  raw_sql(path, "ALTER TABLE stock RENAME TO stock_gone; ALTER TABLE outbox RENAME TO outbox_gone");
  const auto stock = ledger->stock();
  REQUIRE_FALSE(stock.has_value());
  CHECK_THAT(stock.error().message, Catch::Contains("stock"));
  CHECK_FALSE(ledger->stock_line(LocationCode("WARD3"), "gtin:05012345678900", "").has_value());
  const auto due = ledger->outbox().due(kDestinationMqtt, clock.now_ms(), 10);
  REQUIRE_FALSE(due.has_value());
  CHECK_THAT(due.error().message, Catch::Contains("outbox"));
  CHECK_FALSE(ledger->outbox().backlog(kDestinationMqtt).has_value());

  raw_sql(path, "ALTER TABLE scans RENAME TO scans_gone; ALTER TABLE exceptions RENAME TO exceptions_gone");
  CHECK_FALSE(ledger->recent_scans(5).has_value());
  CHECK_FALSE(ledger->outbox().open_exceptions().has_value());
  // Moves themselves are still readable, and say so when they are not.
  CHECK(ledger->find_move(recorded.id).value().has_value());
  CHECK(ledger->moves_after(Seq{0}, 10).value().size() == 1);
}

TEST_CASE("a tampered anchor of the audit log is reported, not thrown", "[audit][failure]") {
  TempDir dir;
  ManualClock clock;
  const auto path = dir / "ledger.db";
  open_ledger(path, clock)->record(receipt("1")).value();  // closed cleanly: the anchor is written
  for (const char* anchor : {"x:abc", "99999999999999999999:abc", "no colon"}) {
    INFO(anchor);
    raw_sql(path, (std::string("UPDATE meta SET value = '") + anchor + "' WHERE key = 'audit_anchor'").c_str());
    auto options = ledger_options(path);
    options.read_only = true;  // closing a read-only ledger writes no new anchor
    const auto reopened = Ledger::open(options, clock);
    REQUIRE(reopened.has_value());
    const auto verdict = (*reopened)->audit().verify();
    CHECK_FALSE(verdict.intact());
    CHECK_THAT(verdict.reason, Catch::Contains("unreadable"));
  }
}

TEST_CASE("a size cap stops the ledger growing with a clear error", "[ledger][failure]") {
  TempDir dir("cap");
  ManualClock clock;
  auto options = ledger_options(dir / "ledger.db");
  options.max_bytes = 256 * 1024;
  auto ledger = std::move(*Ledger::open(options, clock));
  std::int64_t confirmed = 0;
  for (;;) {
    auto move = ledger->record(receipt("1", "05012345678900", "LOT-" + std::to_string(confirmed)));
    if (!move) {
      CHECK(move.error().code == LedgerError::Code::disk_full);
      break;
    }
    ++confirmed;
  }
  CHECK(confirmed > 100);
  CHECK(ledger->last_seq().value == confirmed);
}

TEST_CASE("moves recorded under a clock that cannot be right are flagged, never refused", "[ledger][clock]") {
  CHECK(wall_clock_problem(1'795'000'000'000).empty());  // 2026-11-18
  CHECK_THAT(wall_clock_problem(10'000),
             Catch::Contains("1970-01-01T00:00:10.000Z") && Catch::Contains("cannot be right"));
  CHECK_FALSE(wall_clock_problem(4'200'000'000'000).empty());  // 2103
  CHECK(rfc3339_ms(-1001) == "1969-12-31T23:59:58.999Z");

  TempDir dir;
  ManualClock clock(10'000);  // a board without a battery-backed clock, just booted
  const auto path = dir / "ledger.db";
  MoveId suspect;
  {
    auto ledger = open_ledger(path, clock);
    const auto move = ledger->record(issue("1"));
    REQUIRE(move.has_value());
    CHECK(move->request.clock_suspect);
    suspect = move->id;
    clock.advance(1'795'000'000'000);  // NTP sets the clock
    const auto later = ledger->record(issue("1"));
    REQUIRE(later.has_value());
    CHECK_FALSE(later->request.clock_suspect);
  }
  auto reopened = open_ledger(path, clock);
  CHECK(reopened->find_move(suspect).value()->request.clock_suspect);
  CHECK_FALSE(reopened->moves_after(Seq{1}, 1).value().at(0).request.clock_suspect);
}

TEST_CASE("a clock far from Odoo's is a problem, carried forward on the monotonic clock", "[ledger][clock]") {
  const std::int64_t t = 1'795'000'000'000;  // 2026-11-18T11:06:40Z
  ClockCheck check;
  CHECK(check.problem(t).empty());  // nothing known yet but the bounds
  CHECK_FALSE(check.problem(10'000).empty());
  check.observe("Odoo", t);
  CHECK(check.problem(t).empty());
  CHECK(check.problem(t + 4 * 60'000).empty());  // within an HTTP Date's and a slow reply's error
  CHECK_THAT(check.problem(t + 6 * 60'000),
             Catch::Contains("6 min ahead of Odoo's") && Catch::Contains("2026-11-18T11:12:40.000Z here"));
  CHECK_THAT(check.problem(t - 90 * 60'000), Catch::Contains("90 min behind Odoo's"));
  CHECK_THAT(check.problem(10'000), Catch::Contains("cannot be right"));  // the bounds come first
}

TEST_CASE("moves recorded while the clock is far from Odoo's are flagged, never refused", "[ledger][clock]") {
  TempDir dir;
  ManualClock clock(1'795'000'000'000);
  auto ledger = open_ledger(dir / "ledger.db", clock);
  ledger->clock_check().observe("Odoo", 1'795'000'000'000 + 3'600'000);  // Odoo is an hour later
  const auto behind = ledger->record(issue("1"));
  REQUIRE(behind.has_value());
  CHECK(behind->request.clock_suspect);
  ledger->clock_check().observe("Odoo", 1'795'000'000'000);  // the clock was set
  const auto agreed = ledger->record(issue("1"));
  REQUIRE(agreed.has_value());
  CHECK_FALSE(agreed->request.clock_suspect);
}
