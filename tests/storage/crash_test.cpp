// Kills a recording process with SIGKILL at random moments, many rounds, and
// checks after each that every move it confirmed is in the ledger, seq has no
// gap, the projection equals the sum of the moves and the audit chain holds.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/outbox.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;
using namespace edgestock::testing;

namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Child spawn_recorder(const std::filesystem::path& ledger, int threads) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    const std::string thread_text = std::to_string(threads);
    ::execl(EDGESTOCK_CRASH_CHILD, EDGESTOCK_CRASH_CHILD, ledger.c_str(), thread_text.c_str(), nullptr);
    std::_Exit(127);
  }
  ::close(pipe_fds[1]);
  return {pid, pipe_fds[0]};
}

// Reads whole lines from the child; returns false at end of file.
bool read_lines(int fd, std::string& pending, std::vector<std::string>& lines) {
  char buffer[4096];
  const ssize_t got = ::read(fd, buffer, sizeof buffer);
  if (got <= 0) return false;
  pending.append(buffer, static_cast<std::size_t>(got));
  std::size_t newline;
  while ((newline = pending.find('\n')) != std::string::npos) {
    lines.push_back(pending.substr(0, newline));
    pending.erase(0, newline + 1);
  }
  return true;
}

std::uint64_t seed_from_environment() {
  if (const char* text = std::getenv("EDGESTOCK_SEED")) return std::stoull(text);
  return std::random_device{}();
}

}  // namespace

TEST_CASE("SIGKILL at random moments never loses a confirmed move", "[crash]") {
  const auto seed = seed_from_environment();
  std::cout << "crash test seed: " << seed << " (EDGESTOCK_SEED=" << seed << " to repeat)" << std::endl;
  std::mt19937_64 random(seed);
  TempDir dir("crash");
  const auto path = dir / "ledger.db";
  std::map<std::string, std::int64_t> confirmed;  // id -> seq
  constexpr int kRounds = 40;
  for (int round = 0; round < kRounds; ++round) {
    const int threads = 1 + static_cast<int>(random() % 4);
    // Kill after a random number of confirmations, so the child is always
    // mid-stream: some commits finished, others in flight.
    const auto kill_after = 1 + random() % 300;
    INFO("round " << round << ", threads " << threads << ", kill after " << kill_after);
    Child child = spawn_recorder(path, threads);
    std::string pending;
    std::vector<std::string> lines;
    while (lines.size() < kill_after && read_lines(child.out, pending, lines)) {
    }
    ::kill(child.pid, SIGKILL);
    while (read_lines(child.out, pending, lines)) {
    }
    ::close(child.out);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(lines.size() >= kill_after);
    for (const auto& line : lines) {
      std::istringstream fields(line);
      std::int64_t seq = 0;
      std::string id;
      fields >> seq >> id;
      confirmed[id] = seq;
    }

    ManualClock clock;
    auto ledger = open_ledger(path, clock);
    for (const auto& [id, seq] : confirmed) {
      const auto move = ledger->find_move(MoveId::parse(id).value()).value();
      REQUIRE(move.has_value());
      REQUIRE(move->seq.value == seq);
    }
    const auto moves = ledger->moves_after(Seq{0}, 10'000'000).value();
    REQUIRE(static_cast<std::int64_t>(moves.size()) == ledger->last_seq().value);
    // The stock the child's moves must have left, by the store's own rules
    // and not the library's: a receipt of 5 into WARD3, an issue of 1.5 out
    // of it, per lot; in millionths, so the sum is exact.
    std::map<std::string, std::int64_t> expected_micros;  // lot -> on hand at WARD3
    for (std::size_t i = 0; i < moves.size(); ++i) {
      const auto& r = moves[i].request;
      REQUIRE(moves[i].seq.value == static_cast<std::int64_t>(i + 1));
      if (r.kind == MoveKind::receipt) {
        REQUIRE(r.to.str() == "WARD3");
        REQUIRE(r.qty.to_string() == "5");
        expected_micros[r.lot] += 5'000'000;
      } else {
        REQUIRE(r.kind == MoveKind::issue);
        REQUIRE(r.from.str() == "WARD3");
        REQUIRE(r.qty.to_string() == "1.5");
        expected_micros[r.lot] -= 1'500'000;
      }
    }
    const auto stock = ledger->stock().value();
    std::map<std::string, std::int64_t> held_micros;
    for (const auto& line : stock) {
      if (line.location.str() == "WARD3") held_micros[line.lot] = line.on_hand().as_micros();
    }
    REQUIRE(held_micros == expected_micros);
    REQUIRE(ledger->outbox().backlog(kDestinationMqtt).value() == static_cast<std::int64_t>(moves.size()));
    REQUIRE(ledger->outbox().backlog(kDestinationOdoo).value() == static_cast<std::int64_t>(moves.size()));
    const auto verdict = ledger->audit().verify();
    INFO(verdict.reason);
    REQUIRE(verdict.intact());
    REQUIRE(verdict.entries_checked == static_cast<std::int64_t>(moves.size()));
  }
  std::cout << "crash test: " << kRounds << " rounds, " << confirmed.size() << " confirmed moves, all present"
            << std::endl;
}
