#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include "cli.hpp"
#include "commands.hpp"
#include "decode_command.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "fleet_command.hpp"
#include "scan_pipeline.hpp"
#include "stock_report.hpp"
#include "temp_dir.hpp"

using namespace edgestock::agent;

TEST_CASE("the command line parses into a command", "[cli]") {
  CHECK(parse_command_line({}).value().verb == Verb::help);
  CHECK(parse_command_line({"demo"}).value().verb == Verb::demo);
  CHECK(parse_command_line({"demo", "--ledger", "/tmp/x.db"}).value().ledger_path == "/tmp/x.db");
  CHECK(parse_command_line({"stock", "--config", "/etc/e.json"}).value().config_path == "/etc/e.json");
  CHECK(parse_command_line({"check"}).value().config_path == "/etc/edgestock/edgestock.json");
  CHECK_THAT(parse_command_line({"dispense"}).error(), Catch::Contains("unknown command 'dispense'"));
  CHECK_THAT(parse_command_line({"stock", "--config"}).error(),
             Catch::Contains("--config: 1 required FILE missing; try 'edgestock stock --help'"));
  CHECK_THAT(parse_command_line({"demo", "--config", "x"}).error(), Catch::Contains("not expected"));
  CHECK(parse_command_line({"check", "--expect-audit", "15:ab12"}).value().expect_audit == "15:ab12");
  for (const char* bad : {"15", ":ab12", "15:", "x5:ab12", "0:ab12", "99999999999999999999:ab12"}) {
    CHECK_THAT(parse_command_line({"check", "--expect-audit", bad}).error(), Catch::Contains("NUMBER:HASH"));
  }
  CHECK_THAT(parse_command_line({"check", "--expect-audit"}).error(), Catch::Contains("NUMBER:HASH"));
  CHECK_THAT(parse_command_line({"stock", "--expect-audit", "1:a"}).error(), Catch::Contains("not expected"));
}

TEST_CASE("every command answers --help with its own options", "[cli]") {
  const auto general = parse_command_line({"--help"}).value();
  CHECK(general.verb == Verb::help);
  CHECK_THAT(general.help_text, Catch::Contains("exceptions"));
  CHECK_THAT(general.help_text, Catch::Contains("config-keys"));
  CHECK(parse_command_line({}).value().help_text == general.help_text);
  CHECK(parse_command_line({"help"}).value().help_text == general.help_text);
  const auto run = parse_command_line({"run", "--help"}).value();  // refused before CLI11
  CHECK(run.verb == Verb::help);
  CHECK_THAT(run.help_text, Catch::Contains("--config FILE"));
  CHECK_THAT(run.help_text, Catch::Contains("SIGHUP"));
  CHECK_THAT(run.help_text, !Catch::Contains("--expect-audit"));
  const auto map = parse_command_line({"exceptions", "map", "-h"}).value();
  CHECK_THAT(map.help_text, Catch::Contains("--location CODE=ODOO_ID"));
  CHECK_THAT(map.help_text, Catch::Contains("--by BADGE"));
  CHECK_THAT(parse_command_line({"check", "--help"}).value().help_text, Catch::Contains("--expect-audit NUMBER:HASH"));
  CHECK(parse_command_line({"--version"}).value().verb == Verb::version);
}

TEST_CASE("the demo records a ward store's morning and prints the stock", "[cli][demo]") {
  edgestock::testing::TempDir dir;
  std::ostringstream out;
  std::ostringstream err;
  Command demo;
  demo.verb = Verb::demo;
  demo.ledger_path = (dir / "ledger.db").string();
  REQUIRE(run_command(demo, out, err) == 0);
  INFO(out.str() << err.str());
  CHECK(err.str().empty());
  const auto text = out.str();
  CHECK_THAT(text, Catch::Contains("Syringe 10 ml luer lock            -                   141"));
  CHECK_THAT(text, Catch::Contains("Nitrile gloves M, box of 100       -                    11"));
  CHECK_THAT(text, Catch::Contains("THEATRE2"));
  CHECK_THAT(text, Catch::Contains("15 stock events for MQTT"));
  CHECK_THAT(text, Catch::Contains("Audit chain: 15 entries, intact"));

  // The same ledger through the configured commands.
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                                        << demo.ledger_path << R"("}})";
  Command check;
  check.verb = Verb::check;
  check.config_path = (dir / "edgestock.json").string();
  std::ostringstream check_out;
  CHECK(run_command(check, check_out, err) == 0);
  CHECK_THAT(check_out.str(), Catch::Contains("sound; audit chain of 15 entries intact"));
  // An entry kept from the terminal's status: found unchanged, or not.
  {
    std::string kept;
    {
      edgestock::storage::LedgerOptions options;
      options.path = demo.ledger_path;
      options.terminal = edgestock::storage::TerminalId("ward3-t1");
      options.site = edgestock::storage::SiteId("stjames");
      options.read_only = true;
      const edgestock::storage::SystemClock clock;
      auto ledger = edgestock::storage::Ledger::open(options, clock);
      REQUIRE(ledger.has_value());
      kept = "9:" + (*ledger)->audit().entry(9).value().hash;
    }
    check.expect_audit = kept;
    std::ostringstream kept_out;
    CHECK(run_command(check, kept_out, err) == 0);
    CHECK_THAT(kept_out.str(), Catch::Contains("audit entry 9 matches the copy kept outside the terminal"));
    check.expect_audit = "9:" + std::string(64, '0');
    std::ostringstream forged_out;
    std::ostringstream forged_err;
    CHECK(run_command(check, forged_out, forged_err) == 1);
    CHECK_THAT(forged_err.str(), Catch::Contains("audit entry 9 is not the one kept outside the terminal"));
    check.expect_audit = "99:" + kept.substr(2);
    std::ostringstream absent_err;
    CHECK(run_command(check, forged_out, absent_err) == 1);
    CHECK_THAT(absent_err.str(), Catch::Contains("audit entry 99, kept outside the terminal, is not in the log"));
    check.expect_audit = "junk";  // a Command not made by the parser
    std::ostringstream junk_err;
    CHECK(run_command(check, forged_out, junk_err) == 2);
    CHECK_THAT(junk_err.str(), Catch::Contains("--expect-audit needs an entry as NUMBER:HASH"));
    check.expect_audit.clear();
  }
  Command stock = check;
  stock.verb = Verb::stock;
  std::ostringstream stock_out;
  CHECK(run_command(stock, stock_out, err) == 0);
  CHECK_THAT(stock_out.str(), Catch::Contains("Paracetamol 500 mg tablets         PA2409B             492"));
}

TEST_CASE("commands with a bad config say what is wrong and exit 1", "[cli]") {
  edgestock::testing::TempDir dir;
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames"})";
  Command stock;
  stock.verb = Verb::stock;
  stock.config_path = (dir / "edgestock.json").string();
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_command(stock, out, err) == 1);
  CHECK_THAT(err.str(), Catch::Contains("terminal: required"));
  std::ofstream(dir / "other.json") << R"({"site": "stjames", "terminal": "t2", "ledger": {"path": ")"
                                    << (dir / "edgestock.json").string() << R"("}})";
  stock.config_path = (dir / "other.json").string();
  std::ostringstream err2;
  CHECK(run_command(stock, out, err2) == 1);
  CHECK_THAT(err2.str(), Catch::Contains("not an edgestock ledger"));
}

TEST_CASE("edgestock decode explains a scan or says why it is refused", "[cli][decode]") {
  auto parsed = parse_command_line({"decode", "--json", "a", "b"}).value();
  CHECK(parsed.verb == Verb::decode);
  CHECK(parsed.json);
  CHECK(parsed.scans == std::vector<std::string>{"a", "b"});

  std::istringstream none;
  std::ostringstream out;
  CHECK(run_decode({"]d20109506000134352"
                    "17271231"
                    "10LOT-42A<GS>21SN7"},
                   false, none, out) == 0);
  CHECK_THAT(out.str(), Catch::Contains("(17) USE BY or EXPIRY: 271231 = 2027-12-31"));
  CHECK_THAT(out.str(), Catch::Contains("(21) SERIAL: SN7"));
  CHECK_THAT(out.str(), !Catch::Contains("warning"));

  // Valid GS1 syntax that breaks an association rule: exit 0, the rule named
  // as a warning (a lot printed in a barcode of its own beside the GTIN's).
  std::ostringstream lot_alone;
  CHECK(run_decode({"]d210LOT-42A"}, false, none, lot_alone) == 0);
  CHECK_THAT(lot_alone.str(),
             Catch::Contains("warning: (10) BATCH/LOT goes with one of (01), (02), (03), (8006), (8026)"));
  std::ostringstream lot_json;
  CHECK(run_decode({"]d210LOT-42A"}, true, none, lot_json) == 0);
  CHECK_THAT(lot_json.str(), Catch::Contains(R"("warnings":[{"rule":"requires","ai":"10","meaning":"(10) BATCH/LOT)"));
  // A patient's wristband is decoded without repeating the number.
  std::ostringstream wristband;
  CHECK(run_decode({"]d28018950600013435000028"}, true, none, wristband) == 0);
  CHECK_THAT(wristband.str(), Catch::Contains(R"("patient_wristband":true)"));
  CHECK_THAT(wristband.str(), Catch::Contains("[patient data, not shown]"));
  CHECK_THAT(wristband.str(), !Catch::Contains("950600013435000028"));
  // An IFA PPN pack: the PPN and the GTIN it stands for.
  std::ostringstream ppn;
  CHECK(run_decode({"[)><RS>06<GS>9N110375286414<GS>1T12345ABCDE<RS><EOT>"}, false, none, ppn) == 0);
  CHECK_THAT(ppn.str(), Catch::Contains("ppn"));
  CHECK_THAT(ppn.str(), Catch::Contains("110375286414"));
  CHECK_THAT(ppn.str(), Catch::Contains("04150037528643"));
  // A syntax error is still refused, exit 1.
  std::ostringstream broken;
  CHECK(run_decode({"]d21713"}, false, none, broken) == 1);

  std::istringstream lines("5012345670010\r\n\n0109506000134353\n");
  std::ostringstream json;
  CHECK(run_decode({}, true, lines, json) == 1);
  std::istringstream reader(json.str());
  std::string first;
  std::string second;
  std::getline(reader, first);
  std::getline(reader, second);
  CHECK(first == R"({"ok":true,"kind":"retail","gtin":"05012345670010"})");
  CHECK_THAT(second, Catch::Contains(R"("ok":false)"));
  CHECK_THAT(second, Catch::Contains("wrong check digit 3, expected 2"));
}

namespace {

// Runs a command line as main would; `said` gets what it printed.
int run(const std::vector<std::string>& line, std::string& said) {
  std::ostringstream out;
  std::ostringstream err;
  const auto command = parse_command_line(line);
  REQUIRE(command.has_value());
  const int code = run_command(*command, out, err);
  said = out.str() + err.str();
  return code;
}

}  // namespace

TEST_CASE("central IT makes a key, signs a push and checks it as a terminal would", "[cli][config]") {
  edgestock::testing::TempDir dir;
  std::string said;
  const auto prefix = (dir / "fleet").string();
  REQUIRE(run({"config", "keygen", "--out", prefix}, said) == 0);
  CHECK(std::filesystem::status(prefix + ".key").permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  CHECK(run({"config", "keygen", "--out", prefix}, said) == 1);
  CHECK_THAT(said, Catch::Contains("a key is never overwritten"));
  std::string public_key;
  std::ifstream(prefix + ".pub") >> public_key;
  CHECK_THAT(said + public_key, !Catch::Contains("PRIVATE"));

  std::ofstream(dir / "edgestock.json")
      << R"({"site": "stjames", "terminal": "ward3-t1", "central": {"trusted_keys": [")" << public_key << R"("]}})";
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::ofstream(dir / "push.json") << R"({"version": 3, "issued_at": )" << now << R"(, "expires_at": )" << now + 3600
                                   << R"(, "target": {"site": "stjames", "terminals": ["ward3-t1"]},
      "settings": {"session": {"auto_confirm_s": 20}}})";
  const auto config = (dir / "edgestock.json").string();
  CHECK(run({"config", "verify", (dir / "push.json").string(), "--config", config}, said) == 1);
  CHECK_THAT(said, Catch::Contains("not signed"));

  REQUIRE(run({"config", "sign", (dir / "push.json").string(), "--key", prefix + ".key"}, said) == 0);
  std::ofstream(dir / "signed.json") << said;
  CHECK(run({"config", "verify", (dir / "signed.json").string(), "--config", config}, said) == 0);
  CHECK_THAT(said, Catch::Contains("version 3 would be accepted by terminal ward3-t1, signed by "));

  std::filesystem::permissions(prefix + ".key", std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  CHECK(run({"config", "sign", (dir / "push.json").string(), "--key", prefix + ".key"}, said) == 1);
  CHECK_THAT(said, Catch::Contains("can be read or changed by other users"));
  CHECK_FALSE(parse_command_line({"config", "rotate"}).has_value());
}

TEST_CASE("edgestock config schema prints JSON Schemas; config check places each problem on its line",
          "[cli][config]") {
  edgestock::testing::TempDir dir;
  std::string said;
  REQUIRE(run({"config", "schema"}, said) == 0);
  CHECK_THAT(said, Catch::Contains(R"("$schema": "https://json-schema.org/draft/2020-12/schema")"));
  CHECK_THAT(said, Catch::Contains(R"("trusted_keys")"));
  REQUIRE(run({"config", "schema", "--push"}, said) == 0);
  CHECK_THAT(said, Catch::Contains(R"("signatures")"));
  CHECK_THAT(said, !Catch::Contains(R"("trusted_keys")"));

  const auto file = (dir / "edgestock.json").string();
  std::ofstream(file) << "{\n  \"site\": \"stjames\",\n  \"terminal\": \"ward3-t1\",\n  \"mqtt\": {\"window\": 0}\n}\n";
  CHECK(run({"config", "check", file}, said) == 1);
  CHECK_THAT(said, Catch::Contains(file + ":4: $.mqtt.window: must be a whole number from 1 to 10000"));
  CHECK_THAT(said, Catch::Contains("1 problem"));
  std::ofstream(file) << R"({"site": "stjames", "terminal": "ward3-t1"})";
  CHECK(run({"config", "check", file}, said) == 0);
  CHECK_THAT(said, Catch::Contains("valid"));
  CHECK(run({"config", "check", (dir / "absent.json").string()}, said) == 1);
  CHECK_THAT(said, Catch::Contains("cannot read"));
}

TEST_CASE("config publish sends each kind of document where its terminals read it", "[cli][config]") {
  const auto push = R"({"version": 1, "target": {"site": "stjames"}, "settings": {}})";
  CHECK(publish_target(push, "edgestock", "", "").value().topic == "edgestock/stjames/config");
  CHECK(publish_target(push, "edgestock", "", "ward3-t1").value().topic == "edgestock/stjames/ward3-t1/config");
  CHECK(publish_target(R"({"version": 1, "target": {"site": "stjames", "terminals": ["ward3-t1"]}})", "es", "", "")
            .value()
            .topic == "es/stjames/ward3-t1/config");
  CHECK_THAT(publish_target(push, "edgestock", "elsewhere", "").error(), Catch::Contains("targets site stjames"));
  CHECK_THAT(publish_target(R"({"version": 1, "target": "all"})", "edgestock", "", "").error(),
             Catch::Contains("--site"));
  CHECK(publish_target(R"({"version": 1, "target": "all"})", "edgestock", "north", "").value().topic ==
        "edgestock/north/config");
  const auto keys = publish_target(R"({"version": 1, "target": "all", "retired": []})", "edgestock", "", "").value();
  CHECK(keys.kind == "keys");
  CHECK(keys.topic == "edgestock/keys");
  CHECK(keys.retained);
  const auto command =
      publish_target(R"({"command": "report", "target": {"site": "stjames"}})", "edgestock", "", "ward3-t1").value();
  CHECK(command.topic == "edgestock/stjames/ward3-t1/cmd");
  CHECK_FALSE(command.retained);
  CHECK_THAT(publish_target(R"({"command": "report", "target": {"site": "stjames"}})", "edgestock", "", "").error(),
             Catch::Contains("--terminal"));
  CHECK_FALSE(publish_target("[]", "edgestock", "", "").has_value());
}

TEST_CASE("stock filters: by location, product and lot, lots expiring within days, products below minimum",
          "[cli][stock]") {
  using namespace edgestock::storage;
  edgestock::testing::TempDir dir;
  Command demo;
  demo.verb = Verb::demo;
  demo.ledger_path = (dir / "ledger.db").string();
  std::ostringstream ignored;
  REQUIRE(run_command(demo, ignored, ignored) == 0);
  {
    LedgerOptions options;
    options.path = demo.ledger_path;
    options.terminal = TerminalId("ward3-t1");
    options.site = SiteId("stjames");
    const SystemClock clock;
    auto ledger = Ledger::open(options, clock);
    REQUIRE(ledger.has_value());
    auto& catalogue = (*ledger)->catalogue();
    REQUIRE(catalogue.upsert(Lot{1, 102, "NS24117", "2027-06-30"}).has_value());
    REQUIRE(catalogue.upsert(Lot{2, 103, "PA2409B", "2028-01-31"}).has_value());
    // Gloves: 11 boxes on hand against a minimum of 20; syringes: 141 against 100.
    REQUIRE(catalogue.upsert(ReorderRule{LocationCode("WARD3"), 101, Quantity::units(20), Quantity::units(40)})
                .has_value());
    REQUIRE(catalogue.upsert(ReorderRule{LocationCode("WARD3"), 105, Quantity::units(100), Quantity::units(300)})
                .has_value());

    std::ostringstream out;
    std::ostringstream err;
    StockFilter expiring;
    expiring.expiring_days = 365;
    expiring.now_ms = 1'796'256'000'000;  // 2026-12-03: saline (2027-06-30) within a year, paracetamol (2028) not
    REQUIRE(print_stock(**ledger, out, err, expiring));
    CHECK_THAT(out.str(), Catch::Contains("NS24117") && Catch::Contains("2027-06-30"));
    CHECK_THAT(out.str(), !Catch::Contains("PA2409B"));
    std::ostringstream by_lot;
    StockFilter lot;
    lot.lot = "PA2409B";
    REQUIRE(print_stock(**ledger, by_lot, err, lot));
    CHECK_THAT(by_lot.str(), Catch::Contains("Paracetamol") && !Catch::Contains("Syringe"));
  }
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                                        << demo.ledger_path << R"("}})";
  const auto config = (dir / "edgestock.json").string();
  auto stock = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "stock");
    args.emplace_back("--config");
    args.push_back(config);
    const auto command = parse_command_line(args);
    REQUIRE(command.has_value());
    std::ostringstream out;
    std::ostringstream err;
    REQUIRE(run_command(*command, out, err) == 0);
    return out.str();
  };
  const auto below = nlohmann::json::parse(stock({"--below-min", "--json"}));
  REQUIRE(below.size() == 1);
  CHECK(below[0]["product"] == "gtin:05012345670010");
  CHECK(below[0]["on_hand"] == "11");
  CHECK(below[0]["minimum"] == "20");
  const auto gloves = nlohmann::json::parse(stock({"--product", "5012345670010", "--json"}));
  REQUIRE(gloves.size() == 1);
  CHECK(gloves[0]["on_hand"] == "11");
  CHECK(gloves[0]["odoo"] == "0");  // never read from Odoo: all of it pending
  CHECK(nlohmann::json::parse(stock({"--location", "NOWHERE", "--json"})).empty());
  CHECK_THAT(stock({"--location", "THEATRE2"}), Catch::Contains("THEATRE2") && !Catch::Contains("WARD3 "));
  CHECK_FALSE(parse_command_line({"stock", "--expiring", "-1"}).has_value());
}

TEST_CASE("a wristband key file that cannot be used turns wristbands away, saying why", "[cli][gs1]") {
  edgestock::testing::TempDir dir;
  edgestock::config::Settings settings;
  settings.session.encounter_key_file = (dir / "absent.key").string();
  auto missing = edgestock::agent::session_policy(settings);
  CHECK_FALSE(missing.encounter_of);
  CHECK_THAT(missing.encounter_problem, Catch::Contains("session.encounter_key_file"));

  std::ofstream(dir / "open.key") << "ward-3-site-secret\n";
  std::filesystem::permissions(dir / "open.key", std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::group_read |
                                                     std::filesystem::perms::others_read);
  settings.session.encounter_key_file = (dir / "open.key").string();
  auto readable_by_all = edgestock::agent::session_policy(settings);
  CHECK_FALSE(readable_by_all.encounter_of);
  CHECK_THAT(readable_by_all.encounter_problem, Catch::Contains("session.encounter_key_file"));
  CHECK(readable_by_all.encounter_problem.find("ward-3-site-secret") == std::string::npos);  // never the secret

  std::filesystem::permissions(dir / "open.key", std::filesystem::perms::owner_read);
  auto usable = edgestock::agent::session_policy(settings);
  REQUIRE(usable.encounter_of);
  CHECK(usable.encounter_problem.empty());
  // HMAC-SHA-256("ward-3-site-secret", "950600013435000028"), computed with Python's hmac module.
  CHECK(usable.encounter_of("950600013435000028") == "gsrn-hmac:4200a2e6e4519aff6a335781f5ce540d");
}
