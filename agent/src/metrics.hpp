#pragma once
// /metrics: the agent's figures in Prometheus' text format (version 0.0.4).
// Pure: a snapshot in, the text out. Names follow Prometheus' conventions:
// edgestock_ prefix, _total for counters, base units in the name (seconds,
// bytes), labels for what a figure is split by.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "edgestock/sync/latency.hpp"

namespace edgestock::agent {

struct MetricsSnapshot {
  std::string version;
  std::string site;
  std::string terminal;
  std::int64_t started_at_ms = 0;
  std::int64_t now_ms = 0;
  std::int64_t scans_ok = 0;
  std::int64_t scans_warned = 0;
  std::int64_t scans_refused = 0;
  std::vector<std::pair<std::string, std::int64_t>> moves_by_kind;  // every kind, zeros too
  std::int64_t record_failures = 0;
  struct Destination {
    std::string name;  // "mqtt", "odoo"
    std::int64_t pending = 0;
    std::int64_t exceptions = 0;
    std::int64_t oldest_pending_ms = 0;           // 0: nothing pending
    std::optional<std::int64_t> last_success_ms;  // tracked for Odoo; 0: not since start
  };
  std::vector<Destination> destinations;
  bool mqtt_enabled = false;
  bool mqtt_connected = false;
  std::int64_t mqtt_published = 0;
  std::int64_t mqtt_acknowledged = 0;
  std::int64_t mqtt_connects = 0;
  std::vector<std::pair<std::string, bool>> scanners;  // name, open
  std::int64_t ledger_bytes = 0;                       // the database and its WAL
  std::int64_t last_seq = 0;
  std::int64_t reloads_applied = 0;
  std::int64_t reloads_refused = 0;
  std::int64_t config_applied_ms = 0;
  bool readable = true;                          // false: the ledger could not be read for this scrape
  sync::LatencyHistogram mqtt_ack_seconds;       // publish -> PUBACK
  sync::LatencyHistogram mqtt_delivery_seconds;  // the move's time -> PUBACK
  bool odoo_enabled = false;
  sync::LatencyHistogram odoo_booked_seconds;  // batch fixed -> booked in Odoo
  std::int64_t odoo_rpcs_ok = 0;
  std::int64_t odoo_rpcs_transient = 0;
  std::int64_t odoo_rpcs_permanent = 0;
  std::int64_t config_version_site = 0;  // the last-good pushed versions (0: none)
  std::int64_t config_version_terminal = 0;
};

std::string prometheus_text(const MetricsSnapshot& snapshot);

// The one content type Prometheus expects for this format.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace edgestock::agent
