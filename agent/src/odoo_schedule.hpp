#pragma once
// The agent's work with Odoo, on a thread of its own (Odoo is waited for;
// scanning must not be) and one connection: the catalogue kept fresh (an
// incremental pull at start and every odoo.pull_interval_s, a full one every
// odoo.full_pull_interval_s) and, with odoo.posting.enabled, a posting round
// every odoo.posting.interval_s. Stopping interrupts the wait at once.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/latency.hpp"

namespace edgestock::sync {
class OdooClient;
}  // namespace edgestock::sync

namespace edgestock::agent {

class OdooSchedule {
 public:
  // `log` receives one line per pull and per posting round that did something.
  // `alert(kind, message)` raises an alert on MQTT (a reconciliation that found a problem).
  // `last_success_ms`, when given, gets the wall-clock time of each pull or
  // posting round that went through (for /metrics).
  OdooSchedule(const config::Settings& settings, std::string api_key, storage::Ledger& ledger,
               std::function<void(const std::string&)> log,
               std::function<void(const std::string&, const std::string&)> alert = {},
               std::atomic<std::int64_t>* last_success_ms = nullptr);
  ~OdooSchedule();
  OdooSchedule(const OdooSchedule&) = delete;
  OdooSchedule& operator=(const OdooSchedule&) = delete;
  void stop();
  // A full catalogue pull now (central IT's resync): `done(ok, summary)` is
  // called once, on the Odoo thread, when it has run or could not (Odoo out
  // of reach, the schedule stopped). Safe from any thread.
  using PullDone = std::function<void(bool ok, const std::string& summary)>;
  void pull_now(PullDone done);
  // The summary of the last reconciliation with Odoo ("" before the first).
  [[nodiscard]] std::string last_reconciliation() const;
  // For /metrics: how long batches waited to be booked, and the calls to Odoo by outcome.
  struct Figures {
    sync::LatencyHistogram booked_seconds;
    std::int64_t rpcs_ok = 0;
    std::int64_t rpcs_transient = 0;
    std::int64_t rpcs_permanent = 0;
  };
  [[nodiscard]] Figures figures() const;

 private:
  void run();
  void reconcile_now(sync::OdooClient& odoo);

  config::Settings settings_;
  std::string api_key_;
  storage::Ledger& ledger_;
  std::function<void(const std::string&)> log_;
  std::function<void(const std::string&, const std::string&)> alert_;
  std::atomic<std::int64_t>* last_success_ms_;
  mutable std::mutex mutex_;
  std::string last_reconciliation_;  // guarded by mutex_
  Figures figures_;                  // guarded by mutex_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<PullDone> pull_requests_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace edgestock::agent
