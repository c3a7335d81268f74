#include "edgestock/sync/status_message.hpp"

#include <nlohmann/json.hpp>

#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/dates.hpp"

namespace edgestock::sync {
namespace {

nlohmann::ordered_json time_or_null(std::int64_t unix_ms) {
  if (unix_ms <= 0) return nullptr;
  char buffer[32];
  return std::string(storage::format_rfc3339_ms(unix_ms, buffer));
}

}  // namespace

std::string status_json(const StatusReport& r) {
  nlohmann::ordered_json status{
      {"state", r.online ? "online" : "offline"},
      {"version", r.version},
      {"site", r.site},
      {"terminal", r.terminal},
      {"at", time_or_null(r.at_ms)},
  };
  if (r.backlog_mqtt >= 0 || r.backlog_odoo >= 0) {
    status["backlog"] = {{"mqtt", r.backlog_mqtt}, {"odoo", r.backlog_odoo}};
  }
  status["last_publish"] = time_or_null(r.last_publish_ms);
  status["last_odoo_sync"] = time_or_null(r.last_odoo_sync_ms);
  if (!r.devices.empty()) {
    auto& devices = status["devices"] = nlohmann::ordered_json::array();
    for (const auto& d : r.devices) {
      devices.push_back({{"name", d.name}, {"open", d.open}, {"last_error", d.last_error}});
    }
  }
  if (r.audit_entry > 0) status["audit"] = {{"entry", r.audit_entry}, {"hash", r.audit_hash}};
  if (!r.ledger_error.empty()) status["ledger_error"] = r.ledger_error;
  if (!r.clock_problem.empty()) status["clock_problem"] = r.clock_problem;
  if (r.last_outage_since_ms > 0) {
    status["last_outage"] = {{"since", time_or_null(r.last_outage_since_ms)},
                             {"until", time_or_null(r.last_outage_until_ms)},
                             {"cause", r.last_outage_cause}};
  }
  return status.dump();
}

std::string alert_json(const AlertReport& r) {
  return nlohmann::ordered_json{{"kind", r.kind},
                                {"site", r.site},
                                {"terminal", r.terminal},
                                {"at", time_or_null(r.at_ms)},
                                {"message", r.message}}
      .dump();
}

}  // namespace edgestock::sync
