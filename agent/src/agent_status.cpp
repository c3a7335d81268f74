// What the agent says of itself: systemd's STATUS line, /metrics and
// /healthz. Read on the loop from the ledger, the forwarder, the scanners
// and the counters the other threads keep.
#include <filesystem>

#include "agent.hpp"
#include "central_config.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/move.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"
#include "health.hpp"
#include "http_endpoint.hpp"
#include "metrics.hpp"
#include "odoo_schedule.hpp"
#include "scan_inputs.hpp"

#ifndef EDGESTOCK_VERSION
#define EDGESTOCK_VERSION "0.1.0"
#endif

namespace edgestock::agent {
namespace {

std::int64_t file_bytes(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<std::int64_t>(size);
}

}  // namespace

// For systemd's STATUS: what waits for each destination.
std::string Agent::status_line() {
  std::string line = "running";
  if (forwarder_) line += forwarder_->status().connected ? "; mqtt connected" : "; mqtt not connected";
  for (const auto& destination : ledger_->options().destinations) {
    const auto waiting = ledger_->outbox().backlog(destination);
    line += "; " + destination + ": " +
            (waiting ? std::to_string(*waiting) + " moves waiting"
                     : "backlog unreadable (" + waiting.error().message + ")");
  }
  return line;
}

MetricsSnapshot Agent::snapshot() {
  MetricsSnapshot s;
  s.version = EDGESTOCK_VERSION;
  s.site = settings_.site;
  s.terminal = settings_.terminal;
  s.started_at_ms = started_at_ms_;
  s.now_ms = clock_.now_ms();
  s.scans_ok = counters_.ok;
  s.scans_warned = counters_.warned;
  s.scans_refused = counters_.refused;
  s.record_failures = counters_.record_failures;
  for (std::size_t kind = 0; kind < ScanCounters::kKinds; ++kind) {
    s.moves_by_kind.emplace_back(storage::to_string(static_cast<storage::MoveKind>(kind)), counters_.moves.at(kind));
  }
  for (const auto& destination : ledger_->options().destinations) {
    const auto depth = ledger_->outbox().depth(destination);
    if (!depth) {
      s.readable = false;
      continue;
    }
    MetricsSnapshot::Destination d{destination, depth->pending, depth->exceptions, depth->oldest_pending_ms, {}};
    if (destination == storage::kDestinationOdoo) d.last_success_ms = odoo_last_success_ms_.load();
    s.destinations.push_back(std::move(d));
  }
  if (forwarder_) {
    const auto status = forwarder_->status();
    s.mqtt_enabled = true;
    s.mqtt_connected = status.connected;
    s.mqtt_published = status.published;
    s.mqtt_acknowledged = status.acknowledged;
    s.mqtt_connects = status.connects;
    s.mqtt_ack_seconds = status.ack_seconds;
    s.mqtt_delivery_seconds = status.delivery_seconds;
  }
  if (odoo_) {
    const auto figures = odoo_->figures();
    s.odoo_enabled = true;
    s.odoo_booked_seconds = figures.booked_seconds;
    s.odoo_rpcs_ok = figures.rpcs_ok;
    s.odoo_rpcs_transient = figures.rpcs_transient;
    s.odoo_rpcs_permanent = figures.rpcs_permanent;
  }
  if (central_) {
    const auto [site, terminal] = central_->versions();
    s.config_version_site = site;
    s.config_version_terminal = terminal;
  }
  for (const auto& device : inputs_->devices()) s.scanners.emplace_back(device.name, device.open);
  const auto& path = settings_.ledger.path;
  s.ledger_bytes = file_bytes(path) + file_bytes(path + "-wal");
  s.last_seq = ledger_->last_seq().value;
  s.reloads_applied = reloads_applied_;
  s.reloads_refused = reloads_refused_;
  s.config_applied_ms = config_applied_ms_;
  return s;
}

HealthFacts Agent::health_facts(const MetricsSnapshot& snapshot) {
  HealthFacts f;
  f.now_ms = snapshot.now_ms;
  f.destinations = snapshot.destinations;
  if (!snapshot.readable) {
    f.ledger_readable = false;
    f.ledger_error = "the outbox could not be read";
  }
  if (forwarder_) {
    const auto status = forwarder_->status();
    f.mqtt_enabled = true;
    f.mqtt_connected = status.connected;
    f.mqtt_outage_since_ms = status.outage_since_ms;
    f.mqtt_error = status.last_error;
  }
  for (const auto& device : inputs_->devices()) f.scanners.push_back({device.name, device.open, device.last_error});
  f.clock_problem = ledger_->clock_check().problem(snapshot.now_ms);
  return f;
}

HttpReply Agent::answer_http(const std::string& target) {
  const auto path = target.substr(0, target.find('?'));
  if (path == "/metrics") return {200, kPrometheusContentType, prometheus_text(snapshot())};
  if (path == "/healthz") {
    const auto health = assess(health_facts(snapshot()));
    return {health.http_status(), "application/json", health.json() + "\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: this endpoint serves /healthz and /metrics\n"};
}

}  // namespace edgestock::agent
