// Real file-system faults: a full disk and a file system that turns
// read-only under a running ledger (as SD cards do on errors). Needs root to
// mount a small tmpfs; without it the test reports itself skipped (exit 77).
// The size cap, which needs no mount, is tested in failure_paths_test.cpp.
#include <sys/mount.h>
#include <unistd.h>

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstring>
#include <system_error>

#include "edgestock/storage/audit.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

namespace {

class SmallFileSystem {
 public:
  explicit SmallFileSystem(const std::filesystem::path& where, const char* size) : where_(where) {
    const std::string options = std::string("size=") + size + ",mode=0700";
    if (::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      throw std::runtime_error(std::string("mount: ") + std::generic_category().message(errno));
    }
  }
  ~SmallFileSystem() { ::umount2(where_.c_str(), MNT_DETACH); }
  void remount(const char* size, bool read_only) {
    const std::string options = std::string("size=") + size;
    const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
    REQUIRE(::mount("tmpfs", where_.c_str(), "tmpfs", flags, options.c_str()) == 0);
  }

 private:
  std::filesystem::path where_;
};

bool can_mount() {
  if (::geteuid() != 0) return false;
  TempDir probe("mount-probe");
  try {
    SmallFileSystem fs(probe.path(), "64k");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// The ledger after the fault: every move it confirmed is there, in order.
void check_confirmed(const std::filesystem::path& path, std::int64_t confirmed) {
  ManualClock clock;
  auto ledger = open_ledger(path, clock);
  CHECK(ledger->last_seq().value == confirmed);
  const auto moves = ledger->moves_after(Seq{0}, 1'000'000).value();
  REQUIRE(static_cast<std::int64_t>(moves.size()) == confirmed);
  for (std::size_t i = 0; i < moves.size(); ++i) CHECK(moves[i].seq.value == static_cast<std::int64_t>(i + 1));
  CHECK(ledger->audit().verify().intact());
  CHECK(ledger->record(issue("1")).has_value());
}

}  // namespace

TEST_CASE("a full disk fails record() cleanly and loses nothing confirmed", "[faults]") {
  TempDir dir("diskfull");
  SmallFileSystem fs(dir.path(), "400k");
  const auto path = dir / "ledger.db";
  ManualClock clock;
  std::int64_t confirmed = 0;
  std::optional<LedgerError> failure;
  {
    auto ledger = open_ledger(path, clock);
    for (int i = 0; i < 100'000 && !failure; ++i) {
      auto move = ledger->record(receipt("1", "05012345678900", "LOT-" + std::to_string(i)));
      if (move) {
        ++confirmed;
        REQUIRE(move->seq.value == confirmed);
      } else {
        failure = move.error();
      }
    }
    REQUIRE(failure.has_value());
    CHECK(failure->code == LedgerError::Code::disk_full);
    CHECK_THAT(failure->message, Catch::Contains("Nothing was recorded"));
    CHECK(ledger->last_seq().value == confirmed);
    // Still full, unless the checkpoint thread has made room in the WAL
    // meanwhile (it runs in pauses): either way the answer is the truth, and
    // nothing is half-written (checked after the remount).
    if (ledger->record(issue("1"))) ++confirmed;
  }
  fs.remount("8m", false);
  check_confirmed(path, confirmed);
}

TEST_CASE("a ledger on a read-only file system is refused clearly and left untouched", "[faults]") {
  // Linux will not remount a file system read-only while a file on it is
  // open for writing, so the fault is met where it shows: at the next start,
  // after the store PC came back with its data partition read-only.
  TempDir dir("readonly");
  SmallFileSystem fs(dir.path(), "8m");
  const auto path = dir / "ledger.db";
  ManualClock clock;
  {
    auto ledger = open_ledger(path, clock);
    for (int i = 0; i < 20; ++i) REQUIRE(ledger->record(receipt("1")));
  }
  fs.remount("8m", true);
  const auto refused = Ledger::open(ledger_options(path), clock);
  REQUIRE_FALSE(refused.has_value());
  INFO(refused.error().message);
  CHECK(refused.error().code == LedgerError::Code::read_only);
  CHECK_THAT(refused.error().message, Catch::Contains("cannot be written"));
  fs.remount("8m", false);
  check_confirmed(path, 20);
}

int main(int argc, char** argv) {
  if (!can_mount()) {
    std::puts("SKIPPED: mounting a small tmpfs needs root and mount rights");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
