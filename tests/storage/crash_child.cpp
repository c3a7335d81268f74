// Helper of the crash test: records moves from several threads as fast as it
// can and writes "<seq> <id>\n" for each one record() confirmed, with one
// write() per line so nothing sits in a buffer when SIGKILL arrives.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "edgestock/storage/ledger.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ledger-crash-child LEDGER THREADS\n");
    return 2;
  }
  SystemClock clock;
  auto ledger = Ledger::open(edgestock::testing::ledger_options(argv[1]), clock);
  if (!ledger) {
    std::fprintf(stderr, "open failed: %s\n", ledger.error().message.c_str());
    return 1;
  }
  auto& book = **ledger;
  const int thread_count = std::stoi(argv[2]);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&book, t] {
      const std::string lot = "LOT-" + std::to_string(t);
      for (unsigned i = 0;; ++i) {
        MoveRequest request = (i % 3 == 0) ? edgestock::testing::receipt("5", "05012345678900", lot)
                                           : edgestock::testing::issue("1.5", "05012345678900", lot);
        auto move = book.record(request);
        if (!move) {
          std::fprintf(stderr, "record failed: %s\n", move.error().message.c_str());
          std::_Exit(1);
        }
        const std::string line = std::to_string(move->seq.value) + " " + move->id.str() + "\n";
        if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}
