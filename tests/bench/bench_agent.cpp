// bench-agent: how late the agent's event loop runs while three scanners
// record at once with a slow disk, the scan pipeline on the loop (as the
// agent did before the scan worker) against the scan worker, and against
// the same loop with no scans, in the same run.
//
//   bench-agent [--runs N] [--scans N] [--fsync-delay-us N]
//
// Every fsync and fdatasync is slowed by --fsync-delay-us (default 5000, an
// eMMC's flush) through a preloaded shim: the benchmark runs itself again
// with LD_PRELOAD set. The loop's lateness is measured by a 1 ms timer on
// it: how long after its expiry its handler ran (what a TCP answer to
// another scanner, an MQTT ack or the status would wait).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

#include "bench_support.hpp"
#include "edgestock/scanners/tcp_source.hpp"
#include "ledger_fixtures.hpp"
#include "scan_pipeline.hpp"
#include "scan_worker.hpp"

using namespace edgestock;
using namespace edgestock::bench;

namespace {

enum class Mode { idle, on_loop, worker };

constexpr int kScanners = 3;

struct Figures {
  std::vector<double> lateness;     // µs, one per probe tick during the burst
  std::vector<double> round_trips;  // µs, item + confirm to "OK recorded"
};

Figures measure(const std::filesystem::path& dir, Mode mode, int scans, int run) {
  storage::SystemClock clock;
  auto ledger = testing::open_ledger(
      dir / ("agent-" + std::to_string(run) + "-" + std::to_string(static_cast<int>(mode)) + ".db"), clock);
  config::Settings settings;
  settings.site = "stjames";
  settings.terminal = "ward3-t1";
  settings.session.default_location = "WARD3";
  for (int i = 0; i < kScanners; ++i) settings.session.operators["nurse-" + std::to_string(i)] = {"issue"};
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  agent::ScanPipeline pipeline(*ledger, settings, clock, nullptr);
  agent::ScanWorker worker(*ledger, settings, clock, {[] {}, [](auto&&...) {}, [](auto&&) {}});
  scanners::TcpScanSource source(io, "127.0.0.1", 0,
                                 [&](const std::string& from, const scanners::LineSplitter::Line& line,
                                     const std::function<void(std::string)>& reply) {
                                   if (mode == Mode::on_loop) {
                                     for (auto& text : pipeline.on_line(from, line)) reply(std::move(text));
                                     return;
                                   }
                                   worker.scan(from, line, [&io, reply](std::vector<std::string> lines) {
                                     boost::asio::post(io, [reply, lines = std::move(lines)]() mutable {
                                       for (auto& text : lines) reply(std::move(text));
                                     });
                                   });
                                 });
  // The probe: a 1 ms timer whose lateness is what anything else on the loop waits.
  Figures figures;
  std::atomic<bool> probing{true};
  boost::asio::steady_timer probe(io);
  std::function<void()> arm = [&] {
    probe.expires_after(std::chrono::milliseconds(1));
    probe.async_wait([&](const boost::system::error_code& error) {
      if (error || !probing) return;
      figures.lateness.push_back(std::chrono::duration<double, std::micro>(Clock::now() - probe.expiry()).count());
      arm();
    });
  };
  boost::asio::post(io, arm);
  std::thread loop([&] { io.run(); });
  if (mode == Mode::idle) {
    std::this_thread::sleep_for(std::chrono::seconds(1));  // a benchmark's idle period, not a test's wait
  } else {
    std::mutex mutex;
    std::vector<std::thread> scanners;
    for (int i = 0; i < kScanners; ++i) {
      scanners.emplace_back([&, i] {
        auto times = issue_round_trips(source.port(), "nurse-" + std::to_string(i), scans);
        const std::lock_guard lock(mutex);
        figures.round_trips.insert(figures.round_trips.end(), times.begin(), times.end());
      });
    }
    for (auto& t : scanners) t.join();
  }
  probing = false;
  boost::asio::post(io, [&] {
    probe.cancel();
    source.stop();
  });
  work.reset();
  loop.join();
  worker.stop();
  return figures;
}

double one_fsync_us(const std::filesystem::path& dir) {
  const int fd = ::open((dir / "probe.bin").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const auto t = Clock::now();
  if (::write(fd, "x", 1) != 1 || ::fdatasync(fd) != 0) std::perror("fdatasync");
  const double us = micros_since(t);
  ::close(fd);
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = int_arg(argc, argv, "--runs", 5);
  const int scans = int_arg(argc, argv, "--scans", 100);
  const int delay_us = int_arg(argc, argv, "--fsync-delay-us", 5000);
  const char* preload = std::getenv("LD_PRELOAD");
  if (delay_us > 0 && (preload == nullptr || std::strstr(preload, EDGESTOCK_SLOW_FSYNC) == nullptr)) {
    ::setenv("LD_PRELOAD", EDGESTOCK_SLOW_FSYNC, 1);
    ::setenv("EDGESTOCK_FSYNC_DELAY_US", std::to_string(delay_us).c_str(), 1);
    ::execv("/proc/self/exe", argv);
    std::perror("bench-agent: re-exec with the slow-fsync shim");
    return 1;
  }
  testing::TempDir dir("bench-agent");
  std::cout << "bench-agent: " << kScanners << " scanners x " << scans << " issues (item + confirm), " << runs
            << " runs, one fdatasync measured " << fixed(one_fsync_us(dir.path()) / 1000, 1) << " ms (shim " << delay_us
            << " us)\n\n";
  struct Row {
    const char* name;
    Mode mode;
    std::vector<double> p50, p99, max, trip50, trip99;
  };
  Row rows[] = {{"loop with no scans (baseline)", Mode::idle, {}, {}, {}, {}, {}},
                {"pipeline on the loop (before)", Mode::on_loop, {}, {}, {}, {}, {}},
                {"scan worker (now)", Mode::worker, {}, {}, {}, {}, {}}};
  for (int run = 0; run < runs; ++run) {
    for (auto& row : rows) {
      const auto f = measure(dir.path(), row.mode, scans, run);
      row.p50.push_back(percentile(f.lateness, 50));
      row.p99.push_back(percentile(f.lateness, 99));
      row.max.push_back(percentile(f.lateness, 100));
      if (!f.round_trips.empty()) {
        row.trip50.push_back(percentile(f.round_trips, 50));
        row.trip99.push_back(percentile(f.round_trips, 99));
      }
    }
  }
  std::cout
      << "loop lateness (µs; medians over runs)            p50        p99        max   round trip p50 / p99 (ms)\n";
  for (const auto& row : rows) {
    std::cout << "  " << row.name << std::string(46 - std::strlen(row.name), ' ') << fixed(median(row.p50), 0)
              << "      " << fixed(median(row.p99), 0) << "      " << fixed(median(row.max), 0);
    if (!row.trip50.empty()) {
      std::cout << "      " << fixed(median(row.trip50) / 1000, 1) << " / " << fixed(median(row.trip99) / 1000, 1);
    }
    std::cout << "\n";
  }
  std::vector<double> before, now;
  for (int run = 0; run < runs; ++run) {
    before.push_back(rows[1].p99[static_cast<std::size_t>(run)] / rows[0].p99[static_cast<std::size_t>(run)]);
    now.push_back(rows[2].p99[static_cast<std::size_t>(run)] / rows[0].p99[static_cast<std::size_t>(run)]);
  }
  std::cout << "\nloop p99 against the idle loop's p99, median of per-run ratios: before " << fixed(median(before))
            << ", now " << fixed(median(now)) << "\n";
  return 0;
}
