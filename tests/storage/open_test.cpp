#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/ledger.hpp"
#include "ledger_fixtures.hpp"
#include "schema.hpp"
#include "wait_until.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

namespace {

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void sql(const std::filesystem::path& path, const char* statement) {
  sqlite::Connection connection(path.string(), true);
  connection.exec(statement);
}

// Expects open() to refuse with `code` and leave every byte of the file as it was.
void expect_refused_untouched(const std::filesystem::path& path, LedgerError::Code code, const char* words) {
  const auto before = file_bytes(path);
  ManualClock clock;
  const auto ledger = Ledger::open(ledger_options(path), clock);
  REQUIRE_FALSE(ledger.has_value());
  CHECK(ledger.error().code == code);
  CHECK_THAT(ledger.error().message, Catch::Contains(words));
  CHECK(file_bytes(path) == before);
  CHECK_FALSE(std::filesystem::exists(path.string() + "-wal"));
}

}  // namespace

TEST_CASE("a new ledger is WAL, FULL, at the latest schema and private to its user", "[open]") {
  TempDir dir;
  ManualClock clock;
  const auto path = dir / "state" / "ledger.db";
  auto ledger = open_ledger(path, clock);
  CHECK(ledger->schema_version() == schema::latest_version());
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  sqlite::Connection raw(path.string(), false);
  sqlite::Statement mode(raw, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "wal");
  CHECK(raw.pragma_int("application_id") == schema::kApplicationId);
}

TEST_CASE("files that are not edgestock ledgers are refused and left untouched", "[open]") {
  TempDir dir;
  SECTION("a text file") {
    write_file(dir / "notes.db", "ward 3 par levels: gloves 200\n");
    expect_refused_untouched(dir / "notes.db", LedgerError::Code::not_edgestock, "not an SQLite database");
  }
  SECTION("another program's SQLite database") {
    sql(dir / "other.db", "CREATE TABLE patients(id INTEGER)");
    expect_refused_untouched(dir / "other.db", LedgerError::Code::not_edgestock, "some other program");
  }
  SECTION("a damaged ledger") {
    {
      ManualClock clock;
      auto ledger = open_ledger(dir / "ledger.db", clock);
      for (int i = 0; i < 50; ++i) REQUIRE(ledger->record(receipt("1")));
    }
    sql(dir / "ledger.db", "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
    auto bytes = file_bytes(dir / "ledger.db");
    REQUIRE(bytes.size() > 4096);
    for (std::size_t i = 20; i < 100; ++i) bytes[i] = '\xff';  // wreck the header fields
    write_file(dir / "ledger.db", bytes);
    expect_refused_untouched(dir / "ledger.db", LedgerError::Code::corrupt, "damaged");
  }
  SECTION("a ledger from a newer edgestock") {
    {
      ManualClock clock;
      auto ledger = open_ledger(dir / "ledger.db", clock);
    }
    sql(dir / "ledger.db", "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99");
    expect_refused_untouched(dir / "ledger.db", LedgerError::Code::newer_schema, "upgrade edgestock");
  }
  SECTION("another terminal's ledger") {
    {
      ManualClock clock;
      auto options = ledger_options(dir / "ledger.db");
      options.terminal = TerminalId("theatre-t2");
      REQUIRE(Ledger::open(options, clock));
    }
    sql(dir / "ledger.db", "PRAGMA journal_mode = DELETE");
    expect_refused_untouched(dir / "ledger.db", LedgerError::Code::wrong_terminal, "theatre-t2");
  }
}

TEST_CASE("older schemas are migrated with their moves kept", "[open][migration]") {
  for (int from = 1; from < schema::latest_version(); ++from) {
    DYNAMIC_SECTION("from version " << from) {
      TempDir dir;
      const auto path = dir / "ledger.db";
      {
        sqlite::Connection old(path.string(), true);
        schema::migrate(old, from);
        old.exec(
            "INSERT INTO meta VALUES ('terminal', 'ward3-t1'), ('site', 'stjames');"
            "INSERT INTO moves(seq, id, terminal, site, occurred_at_ms, recorded_at_ms, kind, product_key, "
            "product_gtin, lot, qty_micros, uom, to_location) VALUES (1, '01946a00-0000-7000-8000-000000000001', "
            "'ward3-t1', 'stjames', 1, 1, 'receipt', 'gtin:05012345678900', '05012345678900', '', 10000000, "
            "'Units', 'WARD3');"
            "INSERT INTO stock(location, product_key, lot, uom, pending_micros) VALUES "
            "('WARD3', 'gtin:05012345678900', '', 'Units', 10000000);"
            "INSERT INTO outbox(destination, seq, state) VALUES ('mqtt', 1, 'pending'), ('odoo', 1, 'pending');");
      }
      ManualClock clock;
      auto ledger = open_ledger(path, clock);
      CHECK(ledger->schema_version() == schema::latest_version());
      CHECK(ledger->last_seq().value == 1);
      CHECK(ledger->stock_line(LocationCode("WARD3"), "gtin:05012345678900", "").value()->on_hand() == qty("10"));
      const auto next = ledger->record(issue("4"));
      REQUIRE(next.has_value());
      CHECK(next->seq.value == 2);
      CHECK(ledger->stock_line(LocationCode("WARD3"), "gtin:05012345678900", "").value()->on_hand() == qty("6"));
      CHECK(ledger->audit().verify().intact());
    }
  }
}

TEST_CASE("moves cannot be edited or deleted, even with raw SQL", "[open]") {
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  REQUIRE(ledger->record(receipt("1")));
  sqlite::Connection raw((dir / "ledger.db").string(), false);
  CHECK_THROWS_WITH(raw.exec("UPDATE moves SET qty_micros = 5"), Catch::Contains("immutable"));
  CHECK_THROWS_WITH(raw.exec("DELETE FROM moves"), Catch::Contains("never deleted"));
}

TEST_CASE("one writer at a time; readers while it runs", "[open]") {
  TempDir dir;
  ManualClock clock;
  auto writer = open_ledger(dir / "ledger.db", clock);
  REQUIRE(writer->record(receipt("7")));

  const auto second = Ledger::open(ledger_options(dir / "ledger.db"), clock);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == LedgerError::Code::in_use);
  CHECK_THAT(second.error().message, Catch::Contains("another process"));

  auto options = ledger_options(dir / "ledger.db");
  options.read_only = true;
  auto reader = Ledger::open(options, clock);
  REQUIRE(reader.has_value());
  CHECK((*reader)->stock_line(LocationCode("WARD3"), "gtin:05012345678900", "").value()->on_hand() == qty("7"));
  CHECK((*reader)->audit().verify().intact());
  const auto refused = (*reader)->record(issue("1"));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == LedgerError::Code::read_only);
  CHECK(writer->record(issue("1")).value().seq.value == 2);

  writer.reset();
  CHECK(Ledger::open(ledger_options(dir / "ledger.db"), clock).has_value());
  options.path = dir / "absent.db";
  CHECK(Ledger::open(options, clock).error().code == LedgerError::Code::not_found);
}

TEST_CASE("the WAL's space is reserved once and kept; checkpoints run in the pauses between moves", "[open]") {
  TempDir dir;
  const auto path = dir / "ledger.db";
  const auto wal = std::filesystem::path(path.string() + "-wal");
  auto options = ledger_options(path);
  options.wal_reserve_bytes = std::int64_t{2} << 20;
  ManualClock clock;
  std::vector<MoveId> recorded;
  {
    auto ledger = open_ledger(options, clock);
    CHECK(std::filesystem::file_size(wal) >= 2u << 20);
    struct stat st {};
    REQUIRE(::stat(wal.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // Bursts past the quiet threshold that fit in the reserve, each followed
    // by a pause: the WAL is checkpointed in the pause and written from its
    // start again, so the file never grows.
    for (int burst = 1; burst <= 2; ++burst) {
      for (int i = 0; i < 150; ++i) recorded.push_back(ledger->record(issue("1")).value().id);
      CHECK(wait_until([&] { return ledger->checkpoints_completed() >= burst; }, std::chrono::seconds(10)));
      CHECK(std::filesystem::file_size(wal) == 2u << 20);
    }
    for (int i = 0; i < 10; ++i) recorded.push_back(ledger->record(issue("1")).value().id);
  }
  // Closed: every move is in the database file, and the reserve is still there.
  CHECK(std::filesystem::file_size(wal) == 2u << 20);
  auto reopened = open_ledger(options, clock);
  CHECK(reopened->last_seq().value == 310);
  for (const auto& id : recorded) CHECK(reopened->find_move(id).value().has_value());
  CHECK_FALSE(reopened->audit().verify().first_broken.has_value());
  CHECK(reopened->check_integrity().empty());
}

TEST_CASE("a reader holding an old snapshot never makes a scan wait for a checkpoint", "[open]") {
  TempDir dir;
  const auto path = dir / "ledger.db";
  ManualClock clock;
  auto ledger = open_ledger(path, clock);
  REQUIRE(ledger->record(issue("1")));
  // `edgestock stock` or a backup reading while the agent runs.
  sqlite3* reader = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM moves;", nullptr, nullptr, nullptr) == SQLITE_OK);
  for (int i = 0; i < 60; ++i) REQUIRE(ledger->record(issue("1")));  // past the quiet threshold
  // The checkpoint of the next pause gives up at once instead of holding the
  // writer lock through a 5 s busy wait (which every scan then waited out).
  CHECK(wait_until([&] { return ledger->checkpoints_attempted() >= 1; }, std::chrono::seconds(3)));
  CHECK(ledger->checkpoints_completed() == 0);
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(ledger->record(issue("1")));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  // Once the reader is gone, the next pause's checkpoint completes.
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  for (int i = 0; i < 60; ++i) REQUIRE(ledger->record(issue("1")));
  CHECK(wait_until([&] { return ledger->checkpoints_completed() >= 1; }, std::chrono::seconds(30)));
}

TEST_CASE("a burst without pauses is checkpointed while it lasts, and the WAL stays bounded", "[open]") {
  TempDir dir;
  const auto path = dir / "ledger.db";
  auto options = ledger_options(path);
  options.wal_reserve_bytes = std::int64_t{2} << 20;  // a checkpoint at once past ~1500 frames
  ManualClock clock;
  auto ledger = open_ledger(options, clock);
  // ~600 moves back to back write ~5 400 WAL frames (5.6 MiB) with no pause.
  for (int i = 0; i < 600; ++i) REQUIRE(ledger->record(issue("1")).has_value());
  // The WAL could stay under 4 MiB only if it restarted during the burst.
  CHECK(std::filesystem::file_size(path.string() + "-wal") < (std::uintmax_t{4} << 20));
  // The background thread was asked (past 3/4 of the reserve) and completes
  // at least that checkpoint, during the burst or right after it. How many
  // more it fits into the burst depends on how it is scheduled: on a busy
  // machine the writer's own checkpoints do the rest, and no count is certain.
  CHECK(wait_until([&] { return ledger->checkpoints_completed() >= 1; }, std::chrono::seconds(30)));
  CHECK(ledger->last_seq().value == 600);
  CHECK(ledger->check_integrity().empty());
}

TEST_CASE("without room for it, the WAL reserve is skipped and the ledger works", "[open]") {
  TempDir dir;
  auto options = ledger_options(dir / "ledger.db");
  options.wal_reserve_bytes = std::int64_t{1} << 50;  // more than any disk here has
  ManualClock clock;
  auto ledger = Ledger::open(options, clock);
  REQUIRE(ledger.has_value());
  CHECK((*ledger)->record(issue("1")).has_value());
  CHECK(std::filesystem::file_size(dir.path().string() + "/ledger.db-wal") < (std::uintmax_t{1} << 30));
  // And says so, for the agent's log.
  REQUIRE((*ledger)->notices().size() == 1);
  CHECK_THAT((*ledger)->notices()[0],
             Catch::Contains("WAL reserve of 1073741824 MiB was skipped") && Catch::Contains("MiB free"));
}

TEST_CASE("an unfinished or missing ledger is explained to the status commands", "[open]") {
  TempDir dir;
  ManualClock clock;
  auto options = ledger_options(dir / "ledger.db");
  options.read_only = true;
  const auto missing = Ledger::open(options, clock);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message,
             Catch::Contains("there is no ledger at") && Catch::Contains("the agent creates it when it first starts"));
  // Cut while being created: an SQLite file with no schema yet.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(options.path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  const auto unfinished = Ledger::open(options, clock);
  REQUIRE_FALSE(unfinished);
  CHECK_THAT(unfinished.error().message,
             Catch::Contains("was never completely created") && Catch::Contains("Start the agent once to finish it"));
  CHECK_THAT(unfinished.error().message, !Catch::Contains("schema version 0"));
}

TEST_CASE("a lock file left by root is given to the ledger's owner, or explained", "[open]") {
  // Needs root to own files as another user (CI runs as root); not skipped.
  REQUIRE(::geteuid() == 0);
  TempDir dir;
  ::chmod(dir.path().c_str(), 0777);
  const auto path = dir / "ledger.db";
  ManualClock clock;
  constexpr uid_t kService = 4242;
  open_ledger(path, clock).reset();
  for (const auto& file :
       {path, std::filesystem::path(path.string() + "-wal"), std::filesystem::path(path.string() + "-shm")}) {
    if (std::filesystem::exists(file)) REQUIRE(::chown(file.c_str(), kService, kService) == 0);
  }
  const auto lock = path.string() + ".lock";
  std::filesystem::remove(lock);
  open_ledger(path, clock).reset();  // as root, the way `edgestock pull` by hand would
  struct stat st {};
  REQUIRE(::stat(lock.c_str(), &st) == 0);
  CHECK(st.st_uid == kService);

  // An older lock file still owned by root: the service is told what to run.
  REQUIRE(::chown(lock.c_str(), 0, 0) == 0);
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(kService) != 0 || ::setuid(kService) != 0) std::_Exit(3);
    const auto opened = Ledger::open(ledger_options(path), clock);
    const bool explained = !opened && opened.error().message.find("belongs to another user") != std::string::npos &&
                           opened.error().message.find("chown --reference=") != std::string::npos;
    std::_Exit(explained ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
