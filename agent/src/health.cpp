#include "health.hpp"

#include <nlohmann/json.hpp>

namespace edgestock::agent {
namespace {

// "2 h 05 min", "12 min", "40 s"
std::string duration(std::int64_t ms) {
  const auto s = ms / 1000;
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min";
  const auto minutes = (s % 3600) / 60;
  return std::to_string(s / 3600) + " h " + (minutes < 10 ? "0" : "") + std::to_string(minutes) + " min";
}

}  // namespace

std::string Health::json() const {
  const char* name = state == State::ready ? "ready" : state == State::degraded ? "degraded" : "failing";
  return nlohmann::json{{"status", name}, {"reasons", reasons}}.dump();
}

Health assess(const HealthFacts& f) {
  Health health;
  auto degraded = [&health](std::string reason) {
    if (health.state == Health::State::ready) health.state = Health::State::degraded;
    health.reasons.push_back(std::move(reason));
  };
  if (!f.ledger_readable) {
    health.state = Health::State::failing;
    health.reasons.push_back("the ledger cannot be read (" + f.ledger_error +
                             "): scans may not be recorded; see edgestock check");
  }
  if (f.mqtt_enabled && !f.mqtt_connected) {
    std::string reason = "not connected to the MQTT broker";
    if (f.mqtt_outage_since_ms > 0) {
      reason += " for " + duration(f.now_ms - f.mqtt_outage_since_ms);
    }
    if (!f.mqtt_error.empty()) reason += " (" + f.mqtt_error + ")";
    degraded(reason + "; moves are kept and sent when it is back");
  }
  for (const auto& d : f.destinations) {
    if (d.oldest_pending_ms > 0 && f.now_ms - d.oldest_pending_ms >= f.backlog_age_limit_ms) {
      degraded(std::to_string(d.pending) + " moves wait for " + d.name + ", the oldest for " +
               duration(f.now_ms - d.oldest_pending_ms));
    }
    if (d.exceptions > 0) {
      degraded(std::to_string(d.exceptions) + " moves refused by " + d.name +
               " wait for IT (edgestock exceptions list)");
    }
  }
  for (const auto& scanner : f.scanners) {
    if (!scanner.open) {
      degraded("scanner " + scanner.name + " is not open" + (scanner.error.empty() ? "" : ": " + scanner.error));
    }
  }
  if (!f.clock_problem.empty()) degraded("clock: " + f.clock_problem);
  return health;
}

}  // namespace edgestock::agent
