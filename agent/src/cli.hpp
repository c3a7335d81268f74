#pragma once
// The command line, parsed into a value: no I/O here.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgestock::agent {

enum class Verb {
  help,
  version,
  demo,
  run,
  stock,
  check,
  config_keys,
  decode,
  pull,
  exceptions,
  reconcile,
  config,
  moves,
  status,
  audit,
  scan,
  doctor
};

struct Command {
  Verb verb = Verb::help;
  std::string config_path = "/etc/edgestock/edgestock.json";
  std::string ledger_path;         // demo only; empty: a fresh temporary folder
  bool json = false;               // decode, reconcile
  bool full = false;               // pull
  std::string expect_audit;        // check: "N:HASH", an audit entry kept outside the terminal
  std::vector<std::string> scans;  // decode: empty reads standard input
  // exceptions: list, show ID, retry ID, void ID, map ID; who asks (--by), and
  // what is mapped (--product ODOO_ID, --lot ODOO_ID, --location CODE=ODOO_ID).
  std::string action;
  std::int64_t exception = 0;
  std::string by;
  std::int64_t product = 0;
  std::int64_t lot = 0;
  std::string location;
  std::string help_text;  // help: what to print (the whole program's, or one command's)
  // config keygen --out PREFIX | sign FILE --key KEYFILE | verify FILE: the
  // action is in `action`.
  std::string file;
  std::string key_file;
  std::string out_prefix;
  bool push = false;  // config schema --push
  // config publish FILE | status: the broker and where on it.
  std::string broker;
  std::string prefix = "edgestock";
  std::string site;
  std::string terminal;
  std::string username;
  std::string password_file;
  std::string ca_file;
  int wait_ms = 5000;
  // moves: filters (--product, reused as text here, is in `product_text`).
  std::string since;
  std::string kind;
  std::string product_text;
  std::string badge;
  int limit = 50;
  // stock: filters (--product and --location in product_text and location).
  std::string lot_text;
  int expiring_days = -1;
  bool below_min = false;
};

// An audit entry kept outside the terminal (from its status), written
// "NUMBER:HASH"; nothing when the text is not that.
struct KeptAuditEntry {
  std::int64_t number = 0;
  std::string hash;
};
std::optional<KeptAuditEntry> parse_kept_audit_entry(std::string_view text);

// Parses argv (without the program name) with CLI11. Errors say what was
// wrong and how to ask for help; `--help` after any command gives its help.
std::expected<Command, std::string> parse_command_line(const std::vector<std::string>& args);

}  // namespace edgestock::agent
