#pragma once
// The command line, parsed into a value: no I/O here.

#include <expected>
#include <string>
#include <vector>

namespace edgestock::agent {

enum class Verb { help, version, demo, run, stock, check, config_keys, decode, pull };

struct Command {
  Verb verb = Verb::help;
  std::string config_path = "/etc/edgestock/edgestock.json";
  std::string ledger_path;         // demo only; empty: a fresh temporary folder
  bool json = false;               // decode
  bool full = false;               // pull
  std::string expect_audit;        // check: "N:HASH", an audit entry kept outside the terminal
  std::vector<std::string> scans;  // decode: empty reads standard input
};

// Parses argv (without the program name). Errors say what was wrong and how
// to ask for help.
std::expected<Command, std::string> parse_command_line(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace edgestock::agent
