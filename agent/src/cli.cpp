#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>

namespace edgestock::agent {

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

constexpr const char* kDefaultConfig = "the config file (default /etc/edgestock/edgestock.json)";

std::optional<std::int64_t> positive(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// What CLI11 cannot say in the store's words: the rules between options.
std::string check_exceptions(const Command& command) {
  const bool needs_id = command.action != "list";
  if (needs_id && command.exception == 0) return "exceptions " + command.action + " needs the exception's number";
  if ((command.action == "retry" || command.action == "void" || command.action == "map") && command.by.empty()) {
    return "exceptions " + command.action + " needs --by BADGE: the audit log says who did it";
  }
  if (command.action == "map") {
    const int given = (command.product != 0) + (command.lot != 0) + !command.location.empty();
    if (given != 1) return "exceptions map needs one of --product, --lot or --location CODE=ODOO_ID";
    const auto equals = command.location.find('=');
    if (!command.location.empty() &&
        (equals == std::string::npos || equals == 0 || !positive(command.location.substr(equals + 1)))) {
      return "--location needs CODE=ODOO_ID, e.g. WARD3=11";
    }
  }
  return "";
}

// The commands and their options, declared once; parsing fills `command`.
struct Parser {
  explicit Parser(Command& command)
      : app("edgestock: the offline-first inventory agent of a hospital store.\n"
            "Every command answers --help.",
            "edgestock") {
    app.require_subcommand(0, 1);
    app.fallthrough(false);
    auto verb = [&command, this](const char* name, Verb value, const char* what) {
      auto* sub = app.add_subcommand(name, what);
      sub->parse_complete_callback([&command, value] { command.verb = value; });
      return sub;
    };
    auto config = [&command](CLI::App* sub) {
      sub->add_option("--config", command.config_path, kDefaultConfig)->type_name("FILE");
    };
    verb("help", Verb::help, "what the commands are");
    verb("version", Verb::version, "print the version");
    auto* demo = verb("demo", Verb::demo,
                      "record a day of ward-store moves into a local ledger and print the stock (no broker or ERP "
                      "needed)");
    demo->add_option("--ledger", command.ledger_path, "the ledger to write (default: a fresh temporary folder)")
        ->type_name("PATH");
    config(verb("run", Verb::run,
                "run the agent: scanners, MQTT, Odoo; SIGTERM stops it, SIGHUP applies the config file again"));
    auto* pull = verb("pull", Verb::pull, "pull this site's catalogue from Odoo now (the agent must not run)");
    pull->add_flag("--full", command.full, "everything, not only what changed since the last pull");
    config(pull);
    auto* stock = verb("stock", Verb::stock,
                       "the stock of this terminal's ledger: on hand here and Odoo's as last read, side by side");
    stock->add_option("--location", command.location, "one location code")->type_name("CODE");
    stock->add_option("--product", command.product_text, "a GTIN, a product code or a stock key")->type_name("PRODUCT");
    stock->add_option("--lot", command.lot_text, "one lot")->type_name("LOT");
    stock->add_option("--expiring", command.expiring_days, "only lots on hand that expire within DAYS")
        ->type_name("DAYS")
        ->check(CLI::Range(0, 3650));
    stock->add_flag("--below-min", command.below_min, "only products under their reorder minimum (Odoo's orderpoints)");
    stock->add_flag("--json", command.json, "a JSON list");
    config(stock);
    auto* check = verb("check", Verb::check, "verify the ledger file and its audit chain; exit 1 if broken");
    check
        ->add_option("--expect-audit", command.expect_audit,
                     "an audit entry kept from the terminal's status: it must still be in the log, unchanged")
        ->type_name("NUMBER:HASH");
    config(check);
    auto* decode =
        verb("decode", Verb::decode, "what each scan means, field by field, or why it is refused; records nothing");
    decode->add_flag("--json", command.json, "one JSON object per scan");
    decode->add_option("SCAN", command.scans,
                       "scans to decode (<GS> or \\x1d stand for the GS1 separator); none: one per line of "
                       "standard input");
    auto* reconcile = verb("reconcile", Verb::reconcile,
                           "this terminal's stock and postings against Odoo's: moves booked twice or missing exit 1");
    reconcile->add_flag("--json", command.json, "the report as JSON");
    config(reconcile);
    auto* exceptions = verb("exceptions", Verb::exceptions, "what could not be posted to Odoo, and what to do with it");
    exceptions->require_subcommand(1, 1);
    auto action = [&command, exceptions, config](const char* name, const char* what) {
      auto* sub = exceptions->add_subcommand(name, what);
      sub->parse_complete_callback([&command, name] { command.action = name; });
      config(sub);
      return sub;
    };
    action("list", "every open exception with its reason");
    auto with_id = [&command](CLI::App* sub) {
      sub->add_option("ID", command.exception, "the exception's number, from exceptions list")
          ->check(CLI::PositiveNumber);
      return sub;
    };
    auto by = [&command](CLI::App* sub) {
      sub->add_option("--by", command.by, "the badge of who does it, for the audit log")->type_name("BADGE");
      return sub;
    };
    with_id(action("show", "one exception in full"));
    by(with_id(action("retry", "post it again at the next round (the cause was fixed in Odoo); stop the agent first")));
    by(with_id(action("void", "cancel the move with a reversal, never a delete; stop the agent first")));
    auto* map =
        by(with_id(action("map",
                          "say which Odoo record the move meant, kept for later moves too, and post it again; stop the "
                          "agent first")));
    map->add_option("--product", command.product, "the Odoo product id")->check(CLI::PositiveNumber);
    map->add_option("--lot", command.lot, "the Odoo lot id")->check(CLI::PositiveNumber);
    map->add_option("--location", command.location, "a location code and its Odoo id")->type_name("CODE=ODOO_ID");
    auto* moves =
        verb("moves", Verb::moves, "the moves in this terminal's ledger, newest last, with where each has reached");
    moves->add_option("--since", command.since, "from a date, a UTC time or a time ago (8h, 2d)")->type_name("WHEN");
    moves
        ->add_option("--kind", command.kind,
                     "receipt, issue, transfer, count, adjust, scrap, return_to_store, reversal")
        ->type_name("KIND");
    moves->add_option("--product", command.product_text, "a GTIN, a product code or a stock key")->type_name("PRODUCT");
    moves->add_option("--operator", command.badge, "the badge that recorded them")->type_name("BADGE");
    moves->add_option("--limit", command.limit, "at most this many, the newest (default 50)")
        ->check(CLI::PositiveNumber);
    moves->add_flag("--json", command.json, "a JSON list");
    config(moves);
    auto* terminal_status =
        verb("status", Verb::status,
             "what waits for each destination and since when, exceptions, config versions, and the running "
             "agent's health; exit 1 if something needs a look");
    terminal_status->add_flag("--json", command.json, "one JSON object");
    config(terminal_status);
    auto* audit = verb("audit", Verb::audit, "the audit log");
    audit->require_subcommand(1, 1);
    auto* audit_verify = audit->add_subcommand("verify", "check every link of the audit chain; exit 1 if broken");
    audit_verify->parse_complete_callback([&command] { command.action = "verify"; });
    audit_verify->add_flag("--json", command.json, "the verdict as JSON");
    config(audit_verify);
    auto* scan = verb("scan", Verb::scan,
                      "hand scans to the running agent as a scanner would (for support staff); exit 1 if one was "
                      "refused");
    scan->add_option("SCAN", command.scans, "the scans, in order (a badge first: OP:nurse-042)")->required();
    config(scan);
    auto* doctor = verb("doctor", Verb::doctor,
                        "check the config, the ledger and its files, the broker (connect, publish, read back), Odoo "
                        "(login, version, read rights), the clock and the scanners; says how to fix each problem");
    doctor->add_flag("--json", command.json, "the checks as a JSON list");
    config(doctor);
    verb("config-keys", Verb::config_keys, "list every config key with its default");
    auto* central = verb("config", Verb::config, "for central IT: signing keys and signed config pushes");
    central->require_subcommand(1, 1);
    auto config_action = [&command, central](const char* name, const char* what) {
      auto* sub = central->add_subcommand(name, what);
      sub->parse_complete_callback([&command, name] { command.action = name; });
      return sub;
    };
    config_action("keygen", "make an Ed25519 signing key: PREFIX.key (private, 0600) and PREFIX.pub")
        ->add_option("--out", command.out_prefix, "where, without the extension")
        ->type_name("PREFIX")
        ->required();
    auto* sign = config_action("sign", "sign a push document with a private key; prints the signed document");
    sign->add_option("FILE", command.file, "the document (JSON)")->required();
    sign->add_option("--key", command.key_file, "the private key file from config keygen")
        ->type_name("KEYFILE")
        ->required();
    auto* verify = config_action("verify",
                                 "check a push document as this terminal would: signatures, version, "
                                 "time, target, settings; exit 1 if it would be refused");
    verify->add_option("FILE", command.file, "the document (JSON)")->required();
    config(verify);
    auto* schema = config_action("schema", "print the JSON Schema of the config file (or, with --push, of a push)");
    schema->add_flag("--push", command.push, "the schema of a config push document");
    config_action("check", "check a config file: every problem with its JSON path and line; exit 1 if any")
        ->add_option("FILE", command.file, "the config file")
        ->required();
    auto broker = [&command](CLI::App* sub) {
      sub->add_option("--broker", command.broker, "the broker: ssl://host:8883 (or tcp:// on this machine)")
          ->type_name("URI")
          ->required();
      sub->add_option("--prefix", command.prefix, "first level of the topics (mqtt.prefix)")->type_name("PREFIX");
      sub->add_option("--username", command.username, "broker user name")->type_name("NAME");
      sub->add_option("--password-file", command.password_file, "file holding the broker password (0600)")
          ->type_name("FILE");
      sub->add_option("--ca-file", command.ca_file, "CA certificate(s) of the broker's certificate")->type_name("FILE");
      return sub;
    };
    auto* publish = broker(config_action(
        "publish", "sign (with --key) and publish a config push, key rotation or command where the terminals read it"));
    publish->add_option("FILE", command.file, "the document (JSON)")->required();
    publish->add_option("--key", command.key_file, "sign it first with this private key")->type_name("KEYFILE");
    publish->add_option("--site", command.site, "the site, when the document targets \"all\"")->type_name("SITE");
    publish->add_option("--terminal", command.terminal, "one terminal's topic, not the site's")->type_name("TERMINAL");
    auto* status =
        broker(config_action("status", "which terminal of a site runs which config version, from the broker"));
    status->add_option("--site", command.site, "the site")->type_name("SITE")->required();
    status->add_option("--wait-ms", command.wait_ms, "how long to wait for the first state")
        ->check(CLI::PositiveNumber);
    app.set_version_flag("--version", std::string("edgestock"), "print the version");
  }

  CLI::App app;
};

}  // namespace

std::expected<Command, std::string> parse_command_line(const std::vector<std::string>& args) {
  Command command;
  Parser parser(command);
  // Before parsing: afterwards CLI11 gives the help of the command named.
  const auto general_help = parser.app.help();
  if (args.empty()) {
    command.help_text = general_help;
    return command;
  }
  if (args[0] == "--version") {
    command.verb = Verb::version;
    return command;
  }
  // A wrong word said in the store's words, before CLI11 would call it an extra argument.
  const auto known = [](const CLI::App& app, const std::string& name) {
    return std::ranges::any_of(app.get_subcommands({}),
                               [&name](const CLI::App* sub) { return sub->get_name() == name; });
  };
  if (!args[0].starts_with("-") && !known(parser.app, args[0])) {
    return std::unexpected("unknown command '" + args[0] + "'; try 'edgestock --help'");
  }
  if (args[0] == "config" && args.size() > 1 && !args[1].starts_with("-") &&
      !known(*parser.app.get_subcommand("config"), args[1])) {
    return std::unexpected("config does not know '" + args[1] +
                           "': keygen, sign, verify, schema, check, publish or status");
  }
  if (args[0] == "audit" && args.size() > 1 && !args[1].starts_with("-") &&
      !known(*parser.app.get_subcommand("audit"), args[1])) {
    return std::unexpected("audit does not know '" + args[1] + "': verify");
  }
  if (args[0] == "exceptions" && args.size() > 1 && !args[1].starts_with("-") &&
      !known(*parser.app.get_subcommand("exceptions"), args[1])) {
    return std::unexpected("exceptions does not know '" + args[1] + "': list, show, retry, void or map");
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    parser.app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    command.verb = Verb::help;
    command.help_text = parser.app.help();  // of the command the line was about
    return command;
  } catch (const CLI::CallForVersion&) {
    command.verb = Verb::version;
    return command;
  } catch (const CLI::ParseError& error) {
    return std::unexpected(std::string(error.what()) + "; try 'edgestock " + args[0] + " --help'");
  }
  if (command.verb == Verb::help) command.help_text = general_help;
  if (!command.expect_audit.empty() && !parse_kept_audit_entry(command.expect_audit)) {
    return std::unexpected("--expect-audit needs an entry as NUMBER:HASH, as the status message gives it");
  }
  if (command.verb == Verb::exceptions) {
    if (auto problem = check_exceptions(command); !problem.empty()) return std::unexpected(problem);
  }
  return command;
}

}  // namespace edgestock::agent
