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
    "  reconcile [--json] [--config FILE]\n"
    "                         this terminal's stock and postings against Odoo's: moves booked\n"
    "                         twice or missing (exit 1), unknown, waiting, booked in a later month\n"
    "  exceptions list | show ID [--config FILE]\n"
    "                         what could not be posted to Odoo, and why\n"
    "  exceptions retry ID | void ID --by BADGE [--config FILE]\n"
    "                         post it again, or cancel it with a reversal (never a delete)\n"
    "  exceptions map ID (--product ODOO_ID | --lot ODOO_ID | --location CODE=ODOO_ID) --by BADGE\n"
    "                         tell the agent which Odoo record the move meant, and post it again.\n"
    "                         retry, void and map write the ledger: stop the agent first\n"
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

namespace {

std::optional<std::int64_t> positive(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::expected<Command, std::string> parse_exceptions(const std::vector<std::string>& args) {
  Command command;
  command.verb = Verb::exceptions;
  if (args.size() < 2) return std::unexpected("exceptions needs list, show, retry, void or map; try 'edgestock help'");
  command.action = args[1];
  const bool needs_id = command.action != "list";
  if (command.action != "list" && command.action != "show" && command.action != "retry" && command.action != "void" &&
      command.action != "map") {
    return std::unexpected("exceptions does not know '" + command.action + "': list, show, retry, void or map");
  }
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& option = args[i];
    const bool has_value = i + 1 < args.size() && !args[i + 1].empty();
    if (option == "--config" || option == "--by" || option == "--location") {
      if (!has_value) return std::unexpected(option + " needs a value");
      (option == "--config" ? command.config_path : option == "--by" ? command.by : command.location) = args[++i];
    } else if (option == "--product" || option == "--lot") {
      const auto id = has_value ? positive(args[i + 1]) : std::nullopt;
      if (!id) return std::unexpected(option + " needs an Odoo id (a whole number above 0)");
      (option == "--product" ? command.product : command.lot) = *id;
      ++i;
    } else if (needs_id && command.exception == 0 && positive(option)) {
      command.exception = *positive(option);
    } else {
      return std::unexpected("'exceptions " + command.action + "' does not take '" + option +
                             "'; try 'edgestock help'");
    }
  }
  if (needs_id && command.exception == 0)
    return std::unexpected("exceptions " + command.action + " needs the exception's number");
  if ((command.action == "retry" || command.action == "void" || command.action == "map") && command.by.empty()) {
    return std::unexpected("exceptions " + command.action + " needs --by BADGE: the audit log says who did it");
  }
  if (command.action == "map") {
    const int given = (command.product != 0) + (command.lot != 0) + !command.location.empty();
    if (given != 1) return std::unexpected("exceptions map needs one of --product, --lot or --location CODE=ODOO_ID");
    const auto equals = command.location.find('=');
    if (!command.location.empty() &&
        (equals == std::string::npos || equals == 0 || !positive(command.location.substr(equals + 1)))) {
      return std::unexpected("--location needs CODE=ODOO_ID, e.g. WARD3=11");
    }
  }
  return command;
}

}  // namespace

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
  } else if (verb == "reconcile") {
    command.verb = Verb::reconcile;
  } else if (verb == "exceptions") {
    return parse_exceptions(args);
  } else if (verb == "config-keys") {
    command.verb = Verb::config_keys;
  } else {
    return std::unexpected("unknown command '" + verb + "'; try 'edgestock help'");
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& option = args[i];
    const bool takes_config = command.verb == Verb::stock || command.verb == Verb::check || command.verb == Verb::run ||
                              command.verb == Verb::pull || command.verb == Verb::reconcile;
    if (option == "--json" && command.verb == Verb::reconcile) {
      command.json = true;
      continue;
    }
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
