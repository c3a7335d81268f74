// bench-scanners: decodes per second per core for each symbology, and a scan
// sent over TCP to a durable move (journal, decode, session, ledger), p50/p99,
// against raw write+fdatasync in the same run.
//
//   bench-scanners [--decodes N] [--scans N] [--runs N]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstring>
#include <iostream>
#include <thread>

#include "bench_support.hpp"
#include "edgestock/scanners/scan.hpp"
#include "edgestock/scanners/tcp_source.hpp"
#include "ledger_fixtures.hpp"
#include "scan_pipeline.hpp"

using namespace edgestock;
using namespace edgestock::bench;

namespace {

double decodes_per_second(const std::string& scan, int count) {
  const scanners::DecodeContext context{};
  const auto start = Clock::now();
  std::size_t sink = 0;
  for (int i = 0; i < count; ++i) {
    const auto decoded = scanners::decode_scan(scan, context);
    sink += decoded ? 1 : 0;
  }
  const double seconds = micros_since(start) / 1e6;
  if (sink == 0) std::cerr << "nothing decoded\n";
  return count / seconds;
}

std::vector<double> raw_fsync(const std::filesystem::path& dir, int samples) {
  const auto path = dir / "fsync.bin";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  char record[128];
  std::memset(record, 'x', sizeof record);
  std::vector<double> times;
  for (int i = 0; i < samples; ++i) {
    const auto t = Clock::now();
    if (::write(fd, record, sizeof record) != sizeof record || ::fdatasync(fd) != 0) std::perror("fsync");
    times.push_back(micros_since(t));
  }
  ::close(fd);
  return times;
}

// One issue per round trip: an item and CMD:CONFIRM in one write, timed until
// the terminal answers "OK recorded".
std::vector<double> scan_to_move(const std::filesystem::path& dir, int samples) {
  storage::SystemClock clock;
  auto ledger = testing::open_ledger(dir / "scans.db", clock);
  config::Settings settings;
  settings.site = "stjames";
  settings.terminal = "ward3-t1";
  settings.session.default_location = "WARD3";
  settings.session.operators["nurse-042"] = {"issue"};
  agent::ScanPipeline pipeline(*ledger, settings, clock, nullptr);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  scanners::TcpScanSource source(io, "127.0.0.1", 0,
                                 [&pipeline](const std::string& from, const scanners::LineSplitter::Line& line,
                                             const std::function<void(std::string)>& reply) {
                                   for (auto& text : pipeline.on_line(from, line)) reply(std::move(text));
                                 });
  std::thread loop([&] { io.run(); });
  auto times = issue_round_trips(source.port(), "nurse-042", samples);
  source.stop();
  work.reset();
  io.stop();
  loop.join();
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  const int decodes = int_arg(argc, argv, "--decodes", 200'000);
  const int scans = int_arg(argc, argv, "--scans", 1000);
  const int runs = int_arg(argc, argv, "--runs", 3);
  testing::TempDir dir("bench-scanners");
  const std::pair<const char*, std::string> samples[] = {
      {"EAN-13", "5012345670010"},
      {"UPC-E", "]E004252614"},
      {"GS1 DataMatrix (01)(17)(10)(21)",
       "]d2010950600013435217271231"
       "10LOT-42A\x1d"
       "21SN0001"},
      // (01) with (30): GS1 forbids (37) beside (01), the count of a logistic unit's content.
      {"GS1-128 measure (01)(3103)(30)",
       "]C10109506000134352310300125030"
       "24"},
      {"GS1 Digital Link", "https://id.gs1.org/01/09506000134352/10/LOT%2F42?17=271231"},
      {"HIBC primary+secondary", "+A123BJC5D6E71/$$3270630LOT42K"},
      {"IFA PPN in ISO/IEC 15434",
       "[)>\x1e"
       "06\x1d"
       "9N110375286414\x1d"
       "1T12345ABCDE\x1d"
       "D270600\x1d"
       "S12345ABCDEF98765\x1e\x04"},
      {"store code CMD:QTY", "CMD:QTY:12"},
  };
  std::cout << "bench-scanners: medians of " << runs << " runs, one core\n\ndecodes per second\n";
  for (const auto& [name, scan] : samples) {
    std::vector<double> rates;
    for (int run = 0; run < runs; ++run) rates.push_back(decodes_per_second(scan, decodes));
    std::cout << "  " << name << std::string(34 - std::strlen(name), ' ') << fixed(median(rates), 0) << "\n";
  }
  std::vector<double> move_p50, move_p99, fsync_p50, fsync_p99;
  for (int run = 0; run < runs; ++run) {
    const auto f = raw_fsync(dir.path(), scans);
    const auto m = scan_to_move(dir.path(), scans);
    fsync_p50.push_back(percentile(f, 50));
    fsync_p99.push_back(percentile(f, 99));
    move_p50.push_back(percentile(m, 50));
    move_p99.push_back(percentile(m, 99));
  }
  std::cout << "\nscan over TCP to a durable move (journal + decode + session + record), microseconds\n"
            << "  scan -> move        p50 " << fixed(median(move_p50)) << "  p99 " << fixed(median(move_p99)) << "\n"
            << "  raw write+fdatasync p50 " << fixed(median(fsync_p50)) << "  p99 " << fixed(median(fsync_p99))
            << "\n  ratio p50 " << fixed(median(move_p50) / median(fsync_p50)) << ", p99 "
            << fixed(median(move_p99) / median(fsync_p99))
            << " (each round trip is two scans, item and confirm: two journal commits and the move's)\n";
  return 0;
}
