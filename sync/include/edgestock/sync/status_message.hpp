#pragma once
// Payloads of the status and alerts topics (see docs/mqtt-contract.md).

#include <cstdint>
#include <string>
#include <vector>

namespace edgestock::sync {

// A scanner or other input device, as the status reports it.
struct DeviceState {
  std::string name;
  bool open = false;
  std::string last_error;
};

struct StatusReport {
  bool online = false;
  std::string version;
  std::string site;
  std::string terminal;
  std::int64_t at_ms = 0;
  std::int64_t backlog_mqtt = -1;  // -1: not known (left out)
  std::int64_t backlog_odoo = -1;
  std::int64_t last_publish_ms = 0;    // 0: never (null)
  std::int64_t last_odoo_sync_ms = 0;  // the last complete exchange with Odoo; 0: never (null)
  std::vector<DeviceState> devices;    // left out when empty
  // The last entry of the ledger's audit log: a copy outside the terminal,
  // against which the log can be checked later. 0: left out.
  std::int64_t audit_entry = 0;
  std::string audit_hash;
  // The ledger could not be read for this report (the backlog is then left
  // out as unknown, never shown as zero). Empty: left out.
  std::string ledger_error;
  // The last broker outage, once connected again: since when and why (0: none).
  std::int64_t last_outage_since_ms = 0;
  std::int64_t last_outage_until_ms = 0;
  std::string last_outage_cause;
  // The wall clock cannot be right (storage::wall_clock_problem); empty: left out.
  std::string clock_problem;
};

// {"state":"online"|"offline", "version", "site", "terminal", "at",
//  "backlog":{"mqtt","odoo"}, "last_publish", "last_odoo_sync",
//  "devices":[{"name","open","last_error"}], "audit":{"entry","hash"}, "ledger_error",
//  "last_outage":{"since","until","cause"}, "clock_problem"}
std::string status_json(const StatusReport& report);

struct AlertReport {
  std::string kind;  // backlog, below_reorder_point, expiry_near, recalled_lot, sync_exception
  std::string site;
  std::string terminal;
  std::int64_t at_ms = 0;
  std::string message;
};

std::string alert_json(const AlertReport& report);

}  // namespace edgestock::sync
