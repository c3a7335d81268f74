#pragma once
// The thread where scans become moves, and where the ledger is written for
// the loop (the MQTT forwarder's acknowledgements). The scan pipeline journals every
// scan and records every confirmed move durably, an fsync or more each;
// here that waiting happens off the event loop, so TCP answers to other
// scanners, MQTT acknowledgements and the status go on meanwhile. One
// thread, so each source's scans are handled in the order they came, and
// the session's own timer (auto-confirm, idle sign-out) lives here too.
//
// Every callback runs on the worker thread: the agent posts what must
// happen on the loop.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "edgestock/config/settings.hpp"
#include "edgestock/scanners/line_splitter.hpp"
#include "edgestock/storage/clock.hpp"

namespace edgestock::storage {
class Ledger;
}  // namespace edgestock::storage

namespace edgestock::agent {

class ScanPipeline;
struct ScanCounters;

class ScanWorker {
 public:
  struct Callbacks {
    std::function<void()> recorded;                                     // new moves are durable
    std::function<void(const std::string&, const std::string&)> alert;  // kind, text: for central staff too
    std::function<void(const std::string&)> log;                        // what the session says on its own
  };
  using Answer = std::function<void(std::vector<std::string>)>;

  // `counters`, when given, counts scans and moves for /metrics.
  ScanWorker(storage::Ledger& ledger, const config::Settings& settings, const storage::Clock& clock,
             Callbacks callbacks, ScanCounters* counters = nullptr);
  // Stops (below) if not stopped yet.
  ~ScanWorker();
  ScanWorker(const ScanWorker&) = delete;
  ScanWorker& operator=(const ScanWorker&) = delete;

  // A line from `source`; `answer` gets what to tell the operator.
  void scan(std::string source, scanners::LineSplitter::Line line, Answer answer);
  // The source is gone: its session ends (unconfirmed lines are logged).
  void source_closed(std::string source);
  // New session rules and prefixes, for the open sessions too.
  void reconfigure(const config::Settings& settings);
  // `job` runs on the worker thread once it gets there: the watchdog's proof
  // of life, and the forwarder's outbox writes (so that the loop waits for
  // no fsync). Dropped after stop().
  void run(std::function<void()> job);
  // Every scan handed over before this is handled and answered; then the
  // thread ends. Later calls are ignored.
  void stop();

 private:
  void arm_timer();
  void log_all(const std::vector<std::string>& lines) const;

  const storage::Clock& clock_;
  Callbacks callbacks_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<ScanPipeline> pipeline_;  // touched on the worker thread only
  boost::asio::steady_timer timer_;
  bool stopped_ = false;   // on the caller's thread
  bool draining_ = false;  // on the worker thread: no more timers
  std::thread thread_;
};

}  // namespace edgestock::agent
