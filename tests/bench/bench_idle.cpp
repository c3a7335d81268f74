// bench-idle: what an idle agent costs the terminal. `edgestock run` with a
// catalogue of N products, scanning over TCP, once without MQTT and once
// connected to a local mosquitto; after it is up, its resident memory
// (VmRSS and the peak VmHWM from /proc) and every thread's context switches
// over a quiet period: a wake-up with nothing to do is a switch.
//
//   bench-idle [--products N] [--seconds S]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "agent_process.hpp"
#include "bench_support.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "ledger_fixtures.hpp"
#include "mosquitto_broker.hpp"

using namespace edgestock;
using namespace edgestock::bench;

namespace {

std::string field(const std::filesystem::path& status, const std::string& name) {
  std::ifstream in(status);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name + ":")) {
      std::istringstream rest(line.substr(name.size() + 1));
      std::string value;
      rest >> value;
      return value;
    }
  }
  return "";
}

// Context switches (voluntary and not) of each thread, by thread name.
std::map<std::string, long> switches(pid_t pid) {
  std::map<std::string, long> by_thread;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    const auto status = task.path() / "status";
    const auto name = field(status, "Name") + "/" + task.path().filename().string();
    by_thread[name] = std::stol("0" + field(status, "voluntary_ctxt_switches")) +
                      std::stol("0" + field(status, "nonvoluntary_ctxt_switches"));
  }
  return by_thread;
}

void measure(const char* label, const testing::TempDir& dir, const std::string& mqtt, int seconds) {
  const int port = testing::free_loopback_port();
  const auto config = dir / (std::string(label) + ".json");
  std::ofstream(config) << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                        << (dir / "ledger.db").string() << R"("}, "mqtt": )" << mqtt
                        << R"(, "scanners": {"tcp": {"enabled": true, "port": )" << port << "}}}";
  const pid_t pid = testing::start_agent(config, dir / (std::string(label) + ".log"));
  testing::wait_until([&] { return testing::accepts_connections(port); }, std::chrono::seconds(20));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // settle: connect, first status
  const auto before = switches(pid);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the quiet period measured
  const auto after = switches(pid);
  const auto status = "/proc/" + std::to_string(pid) + "/status";
  std::cout << label << ": VmRSS " << field(status, "VmRSS") << " kB (anonymous " << field(status, "RssAnon")
            << ", file-backed " << field(status, "RssFile") << "), VmHWM " << field(status, "VmHWM") << " kB, threads "
            << after.size() << "\n";
  long total = 0;
  for (const auto& [thread, count] : after) {
    const auto was = before.contains(thread) ? before.at(thread) : 0;
    total += count - was;
    std::cout << "  " << thread << ": " << count - was << " switches in " << seconds << " s\n";
  }
  std::cout << "  all threads: " << total << " (" << fixed(60.0 * static_cast<double>(total) / seconds, 0)
            << " per minute)\n";
  ::kill(pid, SIGTERM);
  int exit_status = 0;
  ::waitpid(pid, &exit_status, 0);
}

}  // namespace

int main(int argc, char** argv) {
  const int products = int_arg(argc, argv, "--products", 10'000);
  const int seconds = int_arg(argc, argv, "--seconds", 60);
  testing::TempDir dir("bench-idle");
  {
    storage::SystemClock clock;
    auto ledger = testing::open_ledger(dir / "ledger.db", clock);
    for (int i = 0; i < products; ++i) {
      const auto id = 100'000 + i;
      (void)ledger->catalogue().upsert(storage::Product{id, "Product " + std::to_string(i), "",
                                                        "SKU-" + std::to_string(i), storage::UnitOfMeasure("Units"),
                                                        "none", true, ""});
    }
  }
  std::cout << "bench-idle: " << products << " products in the catalogue, " << seconds << " s quiet\n\n";
  measure("without MQTT", dir, R"({"enabled": false})", seconds);
  testing::MosquittoBroker broker;
  measure("with MQTT", dir, R"({"enabled": true, "broker": ")" + broker.uri() + R"("})", seconds);
  return 0;
}
