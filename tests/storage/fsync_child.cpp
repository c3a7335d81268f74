// Helper of the fsync fault test, run under the fail-fsync shim: records
// three moves, arms the shim, records one more and prints what record() said
// ("unknown", "refused" or "recorded"), then dies without closing the ledger,
// as a terminal whose disk failed would be restarted.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "edgestock/storage/ledger.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ledger-fsync-child LEDGER ARM-FILE\n");
    return 2;
  }
  SystemClock clock;
  auto ledger = Ledger::open(edgestock::testing::ledger_options(argv[1]), clock);
  if (!ledger) {
    std::fprintf(stderr, "open failed: %s\n", ledger.error().message.c_str());
    return 1;
  }
  for (int i = 0; i < 3; ++i) {
    if (!(*ledger)->record(edgestock::testing::receipt("5"))) return 1;
  }
  std::ofstream(argv[2]) << "armed\n";
  const auto move = (*ledger)->record(edgestock::testing::issue("1"));
  const char* said = move                                                      ? "recorded"
                     : move.error().code == LedgerError::Code::outcome_unknown ? "unknown"
                                                                               : "refused";
  std::printf("%s\n%s\n", said, move ? "" : move.error().message.c_str());
  std::fflush(stdout);
  std::_Exit(0);
}
