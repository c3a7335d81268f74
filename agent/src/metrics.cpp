#include "metrics.hpp"

#include <cstdio>

namespace edgestock::agent {
namespace {

// A label value with \, " and newlines escaped, as the format requires.
std::string escaped(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string seconds(std::int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(ms) / 1000.0);
  return text;
}

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name, const std::string& labels, const std::string& value) {
    text_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + value + "\n";
  }
  void sample(const std::string& name, const std::string& labels, std::int64_t value) {
    sample(name, labels, std::to_string(value));
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

std::string label(const char* name, const std::string& value) {
  return std::string(name) + "=\"" + escaped(value) + "\"";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// A Prometheus histogram: cumulative buckets, +Inf, _sum and _count.
void histogram(Writer& w, const char* name, const char* help, const sync::LatencyHistogram& h) {
  w.family(name, "histogram", help);
  const std::string base(name);
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    w.sample(base + "_bucket", label("le", number(sync::LatencyHistogram::kBounds[i])), cumulative);
  }
  w.sample(base + "_bucket", label("le", "+Inf"), cumulative + h.over);
  char sum[48];
  std::snprintf(sum, sizeof sum, "%.6f", h.sum_seconds);
  w.sample(base + "_sum", "", sum);
  w.sample(base + "_count", "", h.count);
}

}  // namespace

std::string prometheus_text(const MetricsSnapshot& s) {
  Writer w;
  w.family("edgestock_build_info", "gauge", "The agent's version and the terminal it runs as (always 1).");
  w.sample("edgestock_build_info",
           label("version", s.version) + "," + label("site", s.site) + "," + label("terminal", s.terminal), 1);
  w.family("edgestock_start_time_seconds", "gauge", "When the agent started, Unix time.");
  w.sample("edgestock_start_time_seconds", "", seconds(s.started_at_ms));

  w.family("edgestock_scans_total", "counter", "Scans handled since start, by the worst answer given.");
  w.sample("edgestock_scans_total", label("result", "ok"), s.scans_ok);
  w.sample("edgestock_scans_total", label("result", "warning"), s.scans_warned);
  w.sample("edgestock_scans_total", label("result", "refused"), s.scans_refused);
  w.family("edgestock_moves_recorded_total", "counter", "Moves recorded durably from scans since start, by kind.");
  for (const auto& [kind, count] : s.moves_by_kind)
    w.sample("edgestock_moves_recorded_total", label("kind", kind), count);
  w.family("edgestock_move_record_failures_total", "counter",
           "Confirmed moves the ledger could not record since start (the operator was told).");
  w.sample("edgestock_move_record_failures_total", "", s.record_failures);

  w.family("edgestock_ledger_readable", "gauge", "1 when the ledger could be read for this scrape.");
  w.sample("edgestock_ledger_readable", "", s.readable ? 1 : 0);
  w.family("edgestock_ledger_size_bytes", "gauge", "The ledger's database file and its write-ahead log.");
  w.sample("edgestock_ledger_size_bytes", "", s.ledger_bytes);
  w.family("edgestock_ledger_last_seq", "gauge", "The terminal sequence number of the last move recorded.");
  w.sample("edgestock_ledger_last_seq", "", s.last_seq);

  w.family("edgestock_outbox_moves", "gauge", "Moves waiting to be delivered, by destination.");
  for (const auto& d : s.destinations) w.sample("edgestock_outbox_moves", label("destination", d.name), d.pending);
  w.family("edgestock_outbox_oldest_age_seconds", "gauge",
           "Age of the oldest move waiting for a destination (0: none waits).");
  for (const auto& d : s.destinations) {
    const auto age = d.oldest_pending_ms > 0 && s.now_ms > d.oldest_pending_ms ? s.now_ms - d.oldest_pending_ms : 0;
    w.sample("edgestock_outbox_oldest_age_seconds", label("destination", d.name), seconds(age));
  }
  w.family("edgestock_exceptions_open", "gauge", "Moves a destination refused, waiting for a person.");
  for (const auto& d : s.destinations)
    w.sample("edgestock_exceptions_open", label("destination", d.name), d.exceptions);
  w.family("edgestock_last_sync_success_time_seconds", "gauge",
           "When a destination last accepted work, Unix time (0: not since start).");
  for (const auto& d : s.destinations) {
    if (!d.last_success_ms) continue;
    w.sample("edgestock_last_sync_success_time_seconds", label("destination", d.name), seconds(*d.last_success_ms));
  }

  if (s.mqtt_enabled) {
    w.family("edgestock_mqtt_connected", "gauge", "1 while connected to the MQTT broker.");
    w.sample("edgestock_mqtt_connected", "", s.mqtt_connected ? 1 : 0);
    w.family("edgestock_mqtt_published_total", "counter", "Stock events handed to the MQTT client since start.");
    w.sample("edgestock_mqtt_published_total", "", s.mqtt_published);
    w.family("edgestock_mqtt_acknowledged_total", "counter", "Stock events the broker acknowledged since start.");
    w.sample("edgestock_mqtt_acknowledged_total", "", s.mqtt_acknowledged);
    w.family("edgestock_mqtt_connects_total", "counter", "Successful connections to the broker since start.");
    w.sample("edgestock_mqtt_connects_total", "", s.mqtt_connects);
    histogram(w, "edgestock_mqtt_publish_ack_seconds", "From publishing a stock event to the broker's PUBACK.",
              s.mqtt_ack_seconds);
    histogram(w, "edgestock_mqtt_delivery_seconds",
              "From a move being recorded to the broker acknowledging its event (offline time included).",
              s.mqtt_delivery_seconds);
  }
  if (s.odoo_enabled) {
    w.family("edgestock_odoo_rpcs_total", "counter", "Calls to Odoo (the login included), by outcome.");
    w.sample("edgestock_odoo_rpcs_total", label("outcome", "ok"), s.odoo_rpcs_ok);
    w.sample("edgestock_odoo_rpcs_total", label("outcome", "transient"), s.odoo_rpcs_transient);
    w.sample("edgestock_odoo_rpcs_total", label("outcome", "permanent"), s.odoo_rpcs_permanent);
    histogram(w, "edgestock_odoo_posting_seconds",
              "From a batch of moves being fixed in the ledger to Odoo booking it (offline time included).",
              s.odoo_booked_seconds);
  }

  w.family("edgestock_scanner_up", "gauge", "1 when a scanner source is open, by source.");
  for (const auto& [name, open] : s.scanners) w.sample("edgestock_scanner_up", label("scanner", name), open ? 1 : 0);

  w.family("edgestock_config_reloads_total", "counter", "Config reloads (SIGHUP) since start, by result.");
  w.sample("edgestock_config_reloads_total", label("result", "applied"), s.reloads_applied);
  w.sample("edgestock_config_reloads_total", label("result", "refused"), s.reloads_refused);
  w.family("edgestock_config_applied_time_seconds", "gauge", "When the config in use was applied, Unix time.");
  w.sample("edgestock_config_applied_time_seconds", "", seconds(s.config_applied_ms));
  w.family("edgestock_config_version", "gauge", "The central config version in force, by scope (0: none pushed).");
  w.sample("edgestock_config_version", label("scope", "site"), s.config_version_site);
  w.sample("edgestock_config_version", label("scope", "terminal"), s.config_version_terminal);
  return w.take();
}

}  // namespace edgestock::agent
