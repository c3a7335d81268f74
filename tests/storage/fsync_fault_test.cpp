// An I/O error on the fsync of a commit (found in power-loss testing): the
// operator is told the outcome is unknown, never "refused", and the next
// open says whether the move is in the ledger.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/ledger.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

TEST_CASE("a commit whose fsync fails is reported as unknown and settled at the next open", "[faults]") {
  TempDir dir("fsync");
  const auto path = dir / "ledger.db";
  const auto arm = dir / "arm";
  const std::string command = std::string("env LD_PRELOAD=") + EDGESTOCK_FAIL_FSYNC_SHIM +
                              " EDGESTOCK_FAIL_FSYNC_WHEN=" + arm.string() + " " + EDGESTOCK_FSYNC_CHILD + " " +
                              path.string() + " " + arm.string();
  FILE* child = ::popen(command.c_str(), "r");
  REQUIRE(child != nullptr);
  char said[64] = {};
  char message[1024] = {};
  REQUIRE(std::fgets(said, sizeof said, child) != nullptr);
  (void)std::fgets(message, sizeof message, child);
  REQUIRE(::pclose(child) == 0);
  CHECK(std::string(said) == "unknown\n");
  CHECK_THAT(std::string(message), Catch::Contains("may or may not be recorded") &&
                                       Catch::Contains("Check the stock before scanning it again"));

  ManualClock clock;
  auto ledger = open_ledger(path, clock);
  REQUIRE(ledger->notices().size() == 1);
  const auto& notice = ledger->notices()[0];
  // Whatever the disk kept, the notice tells the truth about it.
  const bool in_ledger = ledger->last_seq().value == 4;
  INFO(notice);
  if (in_ledger) {
    CHECK_THAT(notice, Catch::Contains("IS in the ledger: it was recorded; do not scan it again"));
  } else {
    CHECK(ledger->last_seq().value == 3);
    CHECK_THAT(notice, Catch::Contains("is NOT in the ledger: it was not recorded; scan it again"));
  }
  CHECK(ledger->audit().tail(1).at(0).action == "settle");
  CHECK(ledger->audit().verify().intact());
  ledger.reset();
  CHECK(open_ledger(path, clock)->notices().empty());  // settled once
}
