#pragma once
// /healthz: is this terminal fit to record scans, and what needs looking at.
// Pure: facts in, a verdict with its reasons out. Offline is not a failure
// (the agent is built to work without MQTT and Odoo): a missing connection
// or an old backlog makes it "degraded", still answering 200; only a ledger
// that cannot be read, where no scan could be recorded, is "failing" (503).

#include <cstdint>
#include <string>
#include <vector>

#include "metrics.hpp"

namespace edgestock::agent {

struct HealthFacts {
  std::int64_t now_ms = 0;
  bool ledger_readable = true;
  std::string ledger_error;
  std::vector<MetricsSnapshot::Destination> destinations;
  bool mqtt_enabled = false;
  bool mqtt_connected = false;
  std::int64_t mqtt_outage_since_ms = 0;
  std::string mqtt_error;
  struct Scanner {
    std::string name;
    bool open = true;
    std::string error;
  };
  std::vector<Scanner> scanners;
  std::string clock_problem;
  // A backlog older than this is worth a look (an hour: longer than a
  // network blip, shorter than a shift).
  std::int64_t backlog_age_limit_ms = 3'600'000;
};

struct Health {
  enum class State { ready, degraded, failing };
  State state = State::ready;
  std::vector<std::string> reasons;

  [[nodiscard]] int http_status() const { return state == State::failing ? 503 : 200; }
  // {"status": "degraded", "reasons": [...]}
  [[nodiscard]] std::string json() const;
};

Health assess(const HealthFacts& facts);

}  // namespace edgestock::agent
