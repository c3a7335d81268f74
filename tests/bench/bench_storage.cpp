// bench-storage: the ledger's durable write path against its baselines, all
// in one run on the same disk.
//
//   bench-storage [--dir DIR] [--runs N] [--samples N] [--moves N]
//
// Baselines: raw write+fdatasync of 128 bytes; raw SQLite, one INSERT per
// transaction with the ledger's pragmas (1 KiB pages, WAL, synchronous=FULL). Figures:
// record() latency p50/p99, durable moves/s with 1 and 4 writers (group
// commit), open-to-ready with N moves in the ledger. Each figure is the median
// of --runs runs.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "edgestock/storage/ledger.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock;
using namespace edgestock::bench;

namespace {

struct Latency {
  double p50 = 0;
  double p99 = 0;
  double per_second = 0;
};

Latency summarize(const std::vector<double>& samples, double total_us) {
  return {percentile(samples, 50), percentile(samples, 99), static_cast<double>(samples.size()) / (total_us / 1e6)};
}

Latency raw_fsync(const std::filesystem::path& dir, int samples) {
  const auto path = dir / "raw-fsync.bin";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  char record[128];
  std::memset(record, 'x', sizeof record);
  std::vector<double> times;
  const auto start = Clock::now();
  for (int i = 0; i < samples; ++i) {
    const auto t = Clock::now();
    if (::write(fd, record, sizeof record) != sizeof record || ::fdatasync(fd) != 0) std::perror("raw fsync");
    times.push_back(micros_since(t));
  }
  const double total = micros_since(start);
  ::close(fd);
  std::filesystem::remove(path);
  return summarize(times, total);
}

Latency raw_sqlite(const std::filesystem::path& dir, int samples) {
  const auto path = dir / "raw.db";
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
               "CREATE TABLE t(seq INTEGER PRIMARY KEY, id TEXT, payload TEXT)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(id, payload) VALUES (?1, ?2)", -1, &insert, nullptr);
  const std::string payload(200, 'p');
  std::vector<double> times;
  const auto start = Clock::now();
  for (int i = 0; i < samples; ++i) {
    const auto t = Clock::now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    const std::string id = storage::MoveId::generate(i).str();
    sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, payload.c_str(), -1, SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    times.push_back(micros_since(t));
  }
  const double total = micros_since(start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return summarize(times, total);
}

// A ledger as the agent opens it: the tests' fixture, with the shipped WAL reserve.
std::unique_ptr<storage::Ledger> open_bench_ledger(const std::filesystem::path& path, const storage::Clock& clock,
                                                   storage::Durability durability = storage::Durability::full) {
  auto options = testing::ledger_options(path);
  options.wal_reserve_bytes = storage::LedgerOptions{}.wal_reserve_bytes;
  options.durability = durability;
  return testing::open_ledger(options, clock);
}

storage::MoveRequest sample_move(int i) {
  auto request = testing::issue("1", "05012345670027", "LOT-" + std::to_string(i % 40));
  request.raw = "]C10105012345670027\\x1d10LOT";
  return request;
}

Latency ledger_single(const std::filesystem::path& dir, int samples) {
  storage::SystemClock clock;
  const auto path = dir / "single.db";
  Latency latency;
  {
    auto ledger = open_bench_ledger(path, clock);
    std::vector<double> times;
    const auto start = Clock::now();
    for (int i = 0; i < samples; ++i) {
      const auto t = Clock::now();
      if (!ledger->record(sample_move(i))) std::cerr << "record failed\n";
      times.push_back(micros_since(t));
    }
    latency = summarize(times, micros_since(start));
    std::cerr << "  (" << ledger->checkpoints_completed() << " background checkpoints)\n";
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return latency;
}

struct Writers {
  double per_second = 0;  // moves recorded per second
  double commit_us = 0;   // mean time of one batch's transaction
};

// Moves per second with `writers` threads recording for a fixed count.
Writers ledger_writers(const std::filesystem::path& dir, int writers, int per_writer,
                       storage::Durability durability = storage::Durability::full) {
  storage::SystemClock clock;
  const auto path = dir / ("writers-" + std::to_string(writers) + ".db");
  Writers result;
  {
    auto ledger = open_bench_ledger(path, clock, durability);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    const auto start = Clock::now();
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < per_writer; ++i) {
          if (!ledger->record(sample_move(w * per_writer + i))) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    result.per_second = writers * per_writer / (micros_since(start) / 1e6);
    const auto stats = ledger->commit_stats();
    result.commit_us = static_cast<double>(stats.commit_us) / static_cast<double>(stats.commits);
    std::cerr << "  (" << writers << " writers" << (durability == storage::Durability::full ? "" : ", no fsync") << ": "
              << ledger->checkpoints_completed() << " checkpoints, mean batch "
              << fixed(static_cast<double>(stats.moves) / static_cast<double>(stats.commits)) << ", "
              << fixed(static_cast<double>(stats.commit_us) / static_cast<double>(stats.commits)) << " us a commit)\n";
    if (failures > 0) std::cerr << failures << " records failed\n";
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return result;
}

// The 4-writer ratio this disk and CPU would allow if waking writers cost
// nothing: 4 (sql1 + F) / (sql4 + F), with sql1 and sql4 the transactions of
// 1 and 4 moves without fsync and F the fsync the 1-writer commits paid.
double ceiling_4_1(const Writers& one_full, const Writers& one_no_fsync, const Writers& four_no_fsync) {
  const double fsync = one_full.commit_us - one_no_fsync.commit_us;
  return 4 * one_full.commit_us / (four_no_fsync.commit_us + fsync);
}

// Fills a ledger with `moves` moves once; returns its path.
std::filesystem::path big_ledger(const std::filesystem::path& dir, int moves) {
  storage::SystemClock clock;
  const auto path = dir / "big.db";
  auto ledger = open_bench_ledger(path, clock);
  const auto start = Clock::now();
  constexpr int kBatch = 5000;
  std::vector<storage::MoveRequest> batch;
  for (int done = 0; done < moves; done += kBatch) {
    batch.clear();
    for (int i = 0; i < kBatch && done + i < moves; ++i) batch.push_back(sample_move(done + i));
    if (!ledger->record_all(batch)) std::cerr << "bulk record failed\n";
  }
  std::cerr << "  filled " << moves << " moves in " << fixed(micros_since(start) / 1e6, 1) << " s\n";
  return path;
}

double open_to_ready_ms(const std::filesystem::path& path) {
  storage::SystemClock clock;
  const auto start = Clock::now();
  auto ledger = open_bench_ledger(path, clock);
  // Ready: it knows its next seq and can answer a stock query.
  const auto seq = ledger->last_seq();
  const auto lines = ledger->stock().value();
  const double ms = micros_since(start) / 1000.0;
  if (seq.value == 0 || lines.empty()) std::cerr << "big ledger is empty?\n";
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::current_path() / "bench-storage-data";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  const int runs = int_arg(argc, argv, "--runs", 5);
  const int samples = int_arg(argc, argv, "--samples", 2000);
  const int moves = int_arg(argc, argv, "--moves", 1'000'000);
  std::filesystem::create_directories(dir);
  std::cout << "bench-storage: " << runs << " runs, " << samples << " samples each, dir " << dir.string() << "\n";

  std::vector<double> fsync_p50, fsync_p99, raw_p50, raw_p99, raw_rate, rec_p50, rec_p99, one_rate, four_rate,
      ratio_p99, ratio_4_1, ceiling;
  for (int run = 0; run < runs; ++run) {
    const auto f = raw_fsync(dir, samples);
    const auto r = raw_sqlite(dir, samples);
    const auto l = ledger_single(dir, samples);
    const auto one_writer = ledger_writers(dir, 1, samples);
    const auto four_writers = ledger_writers(dir, 4, samples / 2);
    const auto one_no_fsync = ledger_writers(dir, 1, samples, storage::Durability::normal);
    const auto four_no_fsync = ledger_writers(dir, 4, samples / 2, storage::Durability::normal);
    const double one = one_writer.per_second;
    const double four = four_writers.per_second;
    ceiling.push_back(ceiling_4_1(one_writer, one_no_fsync, four_no_fsync));
    fsync_p50.push_back(f.p50);
    fsync_p99.push_back(f.p99);
    raw_p50.push_back(r.p50);
    raw_p99.push_back(r.p99);
    raw_rate.push_back(r.per_second);
    rec_p50.push_back(l.p50);
    rec_p99.push_back(l.p99);
    one_rate.push_back(one);
    four_rate.push_back(four);
    ratio_p99.push_back(l.p99 / r.p99);
    ratio_4_1.push_back(four / one);
    std::cerr << "  run " << run + 1 << ": record p99 " << fixed(l.p99) << " us vs raw insert p99 " << fixed(r.p99)
              << " us; 4 writers " << fixed(four, 0) << "/s vs 1 writer " << fixed(one, 0) << "/s (ceiling "
              << fixed(ceiling.back()) << ")\n";
  }
  const auto big = big_ledger(dir, moves);
  std::vector<double> open_ms;
  for (int run = 0; run < runs; ++run) open_ms.push_back(open_to_ready_ms(big));

  std::cout << "\nmedians of " << runs << " runs (latencies in microseconds)\n"
            << "raw write+fdatasync 128 B      p50 " << fixed(median(fsync_p50)) << "  p99 " << fixed(median(fsync_p99))
            << "\n"
            << "raw SQLite 1 INSERT/commit     p50 " << fixed(median(raw_p50)) << "  p99 " << fixed(median(raw_p99))
            << "  (" << fixed(median(raw_rate), 0) << " commits/s)\n"
            << "ledger record(), 1 thread      p50 " << fixed(median(rec_p50)) << "  p99 " << fixed(median(rec_p99))
            << "\n"
            << "durable moves/s, 1 writer      " << fixed(median(one_rate), 0) << "\n"
            << "durable moves/s, 4 writers     " << fixed(median(four_rate), 0) << "\n"
            << "open-to-ready, " << moves << " moves   " << fixed(median(open_ms)) << " ms\n"
            << "\nratios (target)\n"
            << "record p99 / raw insert p99    " << fixed(median(ratio_p99)) << "  (<= 1.30)\n"
            << "record p50 / raw fsync p50     " << fixed(median(rec_p50) / median(fsync_p50)) << "\n"
            << "4 writers / 1 writer           " << fixed(median(ratio_4_1)) << "  (>= 3.00)\n"
            << "  ceiling if wake-ups were free " << fixed(median(ceiling)) << "\n"
            << "open-to-ready                  " << fixed(median(open_ms)) << " ms  (< 100)\n";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(big.string() + suffix);
  return 0;
}
