#pragma once
// What a new configuration changes in a running agent: which components are
// rebuilt, and which keys cannot change without a restart (then nothing is
// applied). Pure: two settings in, a plan out.

#include <string>
#include <vector>

#include "edgestock/config/settings.hpp"

namespace edgestock::agent {

struct ReloadPlan {
  // Keys whose change needs a restart: the site and terminal (every move and
  // topic is named by them), the ledger file and its durability, and which
  // destinations a move waits for (fixed when the ledger is opened).
  std::vector<std::string> needs_restart;
  bool scan_inputs = false;  // scanners.* other than the prefixes: the listeners and devices
  bool scan_rules = false;   // session.* and the scanner prefixes: applied to open sessions too
  bool mqtt = false;         // mqtt.* and alerts.*: the forwarder
  bool odoo = false;         // odoo.*: the catalogue pull, posting and reconciliation
  bool retention = false;    // ledger.retention_days
  bool http = false;         // http.*: the health and metrics endpoint

  [[nodiscard]] bool refused() const { return !needs_restart.empty(); }
  [[nodiscard]] bool changes_anything() const { return scan_inputs || scan_rules || mqtt || odoo || retention || http; }
  // "scanners, mqtt" or "nothing"; for a refused plan, the keys.
  [[nodiscard]] std::string describe() const;
};

// `secrets_changed` tells whether the MQTT password or the Odoo key read from
// their files differ from the ones in use (a rotated secret with the same path).
struct SecretsChanged {
  bool mqtt_password = false;
  bool odoo_key = false;
};

ReloadPlan plan_reload(const config::Settings& running, const config::Settings& next, SecretsChanged secrets = {});

}  // namespace edgestock::agent
