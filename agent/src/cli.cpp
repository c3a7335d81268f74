#include "cli.hpp"

#include <charconv>

namespace edgestock::agent {

const char* const kUsage =
    "usage: edgestock <command> [options]\n"
    "\n"
    "commands:\n"
    "  demo [--ledger PATH]   record a day of ward-store moves into a local ledger and print\n"
    "                         the stock (no broker or ERP needed)\n"
    "  run [--config FILE]    run the agent: publish stock events over MQTT (stop with SIGTERM)\n"
    "  pull [--full] [--config FILE]\n"
    "                         pull this site's catalogue from Odoo now (the agent must not run)\n"
    "  stock [--config FILE]  print the stock projection of this terminal's ledger\n"
    "  check [--config FILE] [--expect-audit N:HASH]\n"
    "                         verify the ledger file and its audit chain; exit 1 if broken.\n"
    "                         N:HASH is an audit entry kept from the terminal's status: it\n"
    "                         must still be in the log, unchanged\n"
    "  decode [--json] [SCAN...]\n"
    "                         what each scan means, field by field, or why it is refused;\n"
    "                         records nothing. Without SCAN, one scan per line of standard\n"
    "                         input. <GS> or \\x1d stand for the GS1 separator\n"
    "  config-keys            list every config key with its default\n"
    "  version                print the version\n"
    "\n"
    "FILE defaults to /etc/edgestock/edgestock.json\n";

std::optional<KeptAuditEntry> parse_kept_audit_entry(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) return std::nullopt;
  KeptAuditEntry kept;
  const auto [end, error] = std::from_chars(text.data(), text.data() + colon, kept.number);
  if (error != std::errc() || end != text.data() + colon || kept.number <= 0) return std::nullopt;
  kept.hash = std::string(text.substr(colon + 1));
  return kept;
}

std::expected<Command, std::string> parse_command_line(const std::vector<std::string>& args) {
  Command command;
  if (args.empty()) return command;
  const std::string& verb = args[0];
  if (verb == "help" || verb == "--help" || verb == "-h") {
    command.verb = Verb::help;
  } else if (verb == "version" || verb == "--version") {
    command.verb = Verb::version;
  } else if (verb == "demo") {
    command.verb = Verb::demo;
  } else if (verb == "run") {
    command.verb = Verb::run;
  } else if (verb == "pull") {
    command.verb = Verb::pull;
  } else if (verb == "stock") {
    command.verb = Verb::stock;
  } else if (verb == "check") {
    command.verb = Verb::check;
  } else if (verb == "decode") {
    command.verb = Verb::decode;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--json") {
        command.json = true;
      } else {
        command.scans.push_back(args[i]);
      }
    }
    return command;
  } else if (verb == "config-keys") {
    command.verb = Verb::config_keys;
  } else {
    return std::unexpected("unknown command '" + verb + "'; try 'edgestock help'");
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& option = args[i];
    const bool takes_config = command.verb == Verb::stock || command.verb == Verb::check || command.verb == Verb::run ||
                              command.verb == Verb::pull;
    if (option == "--full" && command.verb == Verb::pull) {
      command.full = true;
      continue;
    }
    if (option == "--expect-audit" && command.verb == Verb::check) {
      if (i + 1 >= args.size() || !parse_kept_audit_entry(args[i + 1])) {
        return std::unexpected("--expect-audit needs an entry as NUMBER:HASH, as the status message gives it");
      }
      command.expect_audit = args[++i];
      continue;
    }
    const bool takes_ledger = command.verb == Verb::demo;
    if ((option == "--config" && takes_config) || (option == "--ledger" && takes_ledger)) {
      if (i + 1 >= args.size() || args[i + 1].empty()) return std::unexpected(option + " needs a path");
      (option == "--config" ? command.config_path : command.ledger_path) = args[++i];
    } else {
      return std::unexpected("'" + verb + "' does not take '" + option + "'; try 'edgestock help'");
    }
  }
  return command;
}

}  // namespace edgestock::agent
