#include "reload_plan.hpp"

#include "ledger_settings.hpp"

namespace edgestock::agent {
namespace {

// The scanner settings that belong to the decoding rules, not to a device.
config::ScannerSettings devices_only(config::ScannerSettings s) {
  s.prefix_location.clear();
  s.prefix_operator.clear();
  s.prefix_command.clear();
  s.prefix_product.clear();
  return s;
}

bool same_prefixes(const config::ScannerSettings& a, const config::ScannerSettings& b) {
  return a.prefix_location == b.prefix_location && a.prefix_operator == b.prefix_operator &&
         a.prefix_command == b.prefix_command && a.prefix_product == b.prefix_product;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

}  // namespace

std::string ReloadPlan::describe() const {
  if (refused()) return joined(needs_restart);
  std::vector<std::string> parts;
  if (scan_inputs) parts.emplace_back("scanners");
  if (scan_rules) parts.emplace_back("scan rules");
  if (mqtt) parts.emplace_back("mqtt");
  if (odoo) parts.emplace_back("odoo");
  if (retention) parts.emplace_back("retention");
  if (http) parts.emplace_back("http");
  return parts.empty() ? "nothing" : joined(parts);
}

ReloadPlan plan_reload(const config::Settings& running, const config::Settings& next, SecretsChanged secrets) {
  ReloadPlan plan;
  auto restart_if = [&plan](bool changed, const char* key) {
    if (changed) plan.needs_restart.emplace_back(key);
  };
  restart_if(running.site != next.site, "site");
  restart_if(running.terminal != next.terminal, "terminal");
  restart_if(running.ledger.path != next.ledger.path, "ledger.path");
  restart_if(running.ledger.durability != next.ledger.durability, "ledger.durability");
  restart_if(running.ledger.max_bytes != next.ledger.max_bytes, "ledger.max_bytes");
  // Turning MQTT or posting on or off changes what every new move waits for.
  if (ledger_options(running, false).destinations != ledger_options(next, false).destinations) {
    restart_if(running.mqtt.enabled != next.mqtt.enabled, "mqtt.enabled");
    restart_if(running.odoo.enabled != next.odoo.enabled, "odoo.enabled");
    restart_if(running.odoo.posting.enabled != next.odoo.posting.enabled, "odoo.posting.enabled");
  }
  plan.scan_inputs = devices_only(running.scanners) != devices_only(next.scanners);
  plan.scan_rules = running.session != next.session || !same_prefixes(running.scanners, next.scanners);
  plan.mqtt = running.mqtt != next.mqtt || running.alerts != next.alerts || secrets.mqtt_password;
  plan.odoo = running.odoo != next.odoo || secrets.odoo_key;
  plan.retention = running.ledger.retention_days != next.ledger.retention_days;
  plan.http = running.http != next.http;
  return plan;
}

}  // namespace edgestock::agent
