#include <catch2/catch.hpp>
#include <fstream>

#include "edgestock/config/settings.hpp"
#include "temp_dir.hpp"

using namespace edgestock::config;

TEST_CASE("a minimal config gets the documented defaults", "[config]") {
  const auto settings = parse_settings(R"({"site": "stjames", "terminal": "ward3-t1"})");
  REQUIRE(settings.has_value());
  CHECK(settings->site == "stjames");
  CHECK(settings->terminal == "ward3-t1");
  CHECK(settings->ledger.path == "/var/lib/edgestock/ledger.db");
  CHECK(settings->ledger.durability == "full");
  CHECK(settings->ledger.max_bytes == 0);
  CHECK_FALSE(settings->http.enabled);
  CHECK(settings->http.bind == "127.0.0.1");
  CHECK(settings->http.port == 9750);
}

TEST_CASE("every key can be set", "[config]") {
  const auto settings = parse_settings(R"({"site": "stjames", "terminal": "ward3-t1",
      "ledger": {"path": "/srv/ledger.db", "durability": "normal", "max_bytes": 2097152}})");
  REQUIRE(settings.has_value());
  CHECK(settings->ledger.path == "/srv/ledger.db");
  CHECK(settings->ledger.durability == "normal");
  CHECK(settings->ledger.max_bytes == 2097152);
}

TEST_CASE("bad configs list every problem by key", "[config]") {
  struct Case {
    const char* text;
    std::vector<std::string> problems;
  };
  const Case cases[] = {
      {"{", {"not valid JSON"}},
      {"[]", {"must be a JSON object"}},
      {"{}", {"site: required", "terminal: required"}},
      {R"({"site": "st/james", "terminal": 7})", {"site: must be 1-64", "terminal: must be a string"}},
      {R"({"site": "a", "terminal": "b", "ledger": {"durability": "fast"}})", {"ledger.durability: must be one of"}},
      {R"({"site": "a", "terminal": "b", "ledger": {"max_bytes": -1}})", {"ledger.max_bytes: must be a whole number"}},
      {R"({"site": "a", "terminal": "b", "ledger": {"max_bytes": 4096}})", {"at least 1048576"}},
      {R"({"site": "a", "terminal": "b", "ledgr": {"path": "x"}})", {"ledgr: unknown key"}},
      {R"({"site": "a", "terminal": "b", "ledger": {"paht": "x"}})", {"ledger.paht: unknown key"}},
      {R"({"site": "a", "terminal": "b", "ledger": "x"})", {"ledger: unknown key"}},
      {R"({"site": "a", "terminal": "b", "http": {"bind": "0.0.0.0"}})", {"http.bind: 0.0.0.0 is not a loopback"}},
      {R"({"site": "a", "terminal": "b", "http": {"port": 0}})", {"http.port: must be"}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto parsed = parse_settings(c.text);
    REQUIRE_FALSE(parsed.has_value());
    REQUIRE(parsed.error().size() == c.problems.size());
    for (std::size_t i = 0; i < c.problems.size(); ++i) CHECK_THAT(parsed.error()[i], Catch::Contains(c.problems[i]));
  }
}

TEST_CASE("config files: missing and malformed ones name the file", "[config]") {
  edgestock::testing::TempDir dir;
  const auto missing = load_settings_file(dir / "absent.json");
  REQUIRE_FALSE(missing.has_value());
  CHECK_THAT(missing.error().at(0), Catch::Contains("cannot read config file"));
  std::ofstream(dir / "bad.json") << R"({"site": "x"})";
  const auto bad = load_settings_file(dir / "bad.json");
  REQUIRE_FALSE(bad.has_value());
  CHECK_THAT(bad.error().at(0), Catch::Contains("bad.json: terminal: required"));
}

TEST_CASE("every key is documented with its default", "[config]") {
  const auto keys = describe_keys();
  REQUIRE(keys.size() == 97);
  CHECK(keys[2].key == "ledger.path");
  CHECK(keys[5].key == "ledger.retention_days");
  CHECK(keys[5].default_value == "90");
  CHECK(keys[2].default_value == "/var/lib/edgestock/ledger.db");
  for (const auto& key : keys) CHECK_FALSE(key.meaning.empty());
}

TEST_CASE("MQTT settings: defaults, every key, and cross-key rules", "[config][mqtt]") {
  const auto plain = parse_settings(R"({"site": "s", "terminal": "t"})").value();
  CHECK_FALSE(plain.mqtt.enabled);
  CHECK(plain.mqtt.broker == "tcp://localhost:1883");
  CHECK(plain.mqtt.version == 4);
  CHECK(plain.mqtt.tls.verify);
  CHECK(plain.mqtt.window == 100);
  CHECK(plain.mqtt.session_expiry_s == 604800);

  const auto full = parse_settings(R"({"site": "s", "terminal": "t", "mqtt": {
      "enabled": true, "broker": "ssl://mq.hospital.example:8883", "version": 5, "prefix": "stock",
      "username": "ward3", "password_file": "/etc/edgestock/mqtt.pass",
      "tls": {"ca_file": "/etc/edgestock/ca.pem", "cert_file": "/etc/edgestock/t.pem",
              "key_file": "/etc/edgestock/t.key", "verify": true},
      "keepalive_s": 20, "session_expiry_s": 86400, "window": 500, "reconnect_min_ms": 100, "reconnect_max_ms": 30000,
      "status_interval_s": 15, "backlog_alert": 500}})");
  REQUIRE(full.has_value());
  CHECK(full->mqtt.enabled);
  CHECK(full->mqtt.version == 5);
  CHECK(full->mqtt.prefix == "stock");
  CHECK(full->mqtt.tls.key_file == "/etc/edgestock/t.key");
  CHECK(full->mqtt.window == 500);
  CHECK(full->mqtt.session_expiry_s == 86400);
  CHECK(full->mqtt.backlog_alert == 500);

  struct Case {
    const char* mqtt;
    const char* problem;
  };
  const Case cases[] = {
      {R"({"version": 3})", "mqtt.version: must be a whole number from 4 to 5"},
      {R"({"enabled": "yes"})", "mqtt.enabled: must be true or false"},
      {R"({"window": 0})", "mqtt.window: must be a whole number from 1"},
      {R"({"session_expiry_s": 0})", "mqtt.session_expiry_s: must be a whole number from 60"},
      {R"({"reconnect_min_ms": 5000, "reconnect_max_ms": 1000})", "must not be below mqtt.reconnect_min_ms"},
      {R"({"tls": {"cert_file": "/c.pem"}})", "give both or neither"},
      {R"({"password": "hunter2"})", "mqtt.password: unknown key"},
      {R"({"broker": ""})", "mqtt.broker: must not be empty"},
  };
  for (const auto& c : cases) {
    INFO(c.mqtt);
    const auto parsed = parse_settings(std::string(R"({"site": "s", "terminal": "t", "mqtt": )") + c.mqtt + "}");
    REQUIRE_FALSE(parsed.has_value());
    REQUIRE(parsed.error().size() == 1);
    CHECK_THAT(parsed.error()[0], Catch::Contains(c.problem));
  }
}

TEST_CASE("scanner and session settings, with lists and maps", "[config][scanners]") {
  const auto settings = parse_settings(R"({"site": "s", "terminal": "t",
      "scanners": {"tcp": {"enabled": true, "port": 7071}, "prefix": {"location": "@L"}},
      "session": {"default_location": "WARD3", "auto_confirm_s": 20,
                  "operators": {"nurse-042": ["issue", "count"], "tech-017": ["receive", "issue"]},
                  "cost_centres": {"WARD3": "CC-W3"},
                  "gln_locations": {"9506000134352": "WARD3", "9506000134352/SHELF-3": "WARD3-S3"},
                  "encounter_key_file": "/etc/edgestock/encounter.key",
                  "recalled_lots": [{"gtin": "05012345670027", "lot": "BAD1"}]}})");
  REQUIRE(settings.has_value());
  CHECK(settings->session.gln_locations.at("9506000134352/SHELF-3") == "WARD3-S3");
  CHECK(settings->session.encounter_key_file == "/etc/edgestock/encounter.key");
  CHECK(settings->scanners.tcp_enabled);
  CHECK(settings->scanners.tcp_port == 7071);
  CHECK(settings->scanners.tcp_bind == "127.0.0.1");
  CHECK(settings->scanners.prefix_location == "@L");
  CHECK(settings->session.operators.at("nurse-042") == std::vector<std::string>{"issue", "count"});
  CHECK(settings->session.cost_centres.at("WARD3") == "CC-W3");
  CHECK(settings->session.recalled_lots.at(0).second == "BAD1");
  CHECK(settings->session.auto_confirm_s == 20);

  struct Case {
    const char* session;
    const char* problem;
  };
  const Case cases[] = {
      {R"({"operators": {"nurse-042": ["dispense"]}})", "actions are receive, issue, transfer and count"},
      {R"({"operators": ["nurse-042"]})", "must be an object"},
      {R"({"recalled_lots": [{"gtin": "123", "lot": "A"}]})", "<14 digits>"},
      {R"({"cost_centres": {"WARD3": 7}})", "must map a code to a string"},
      // GS1 General Specifications 7.9.1: 9506000134352's check digit is 2
      {R"({"gln_locations": {"9506000134353": "WARD3"}})", "does not start with a GLN (13 digits, valid check digit)"},
      {R"({"gln_locations": {"9506000134352/": "WARD3"}})", "the extension after '/' is 1 to 20 characters"},
      {R"({"gln_locations": {"9506000134352": "ward 3"}})", "must map to a location code"},
      {R"({"gln_locations": ["9506000134352"]})", "must be an object"},
  };
  for (const auto& c : cases) {
    INFO(c.session);
    const auto parsed = parse_settings(std::string(R"({"site": "s", "terminal": "t", "session": )") + c.session + "}");
    REQUIRE_FALSE(parsed.has_value());
    CHECK_THAT(parsed.error().at(0), Catch::Contains(c.problem));
  }
}

TEST_CASE("Odoo scope: locations and whole product categories", "[config][odoo]") {
  const auto settings = parse_settings(R"({"site": "s", "terminal": "t",
      "odoo": {"locations": ["WARD3"], "categories": ["All / Pharmacy / Controlled drugs", "All / Laboratory"]}})");
  REQUIRE(settings.has_value());
  CHECK(settings->odoo.locations == std::vector<std::string>{"WARD3"});
  CHECK(settings->odoo.categories == std::vector<std::string>{"All / Pharmacy / Controlled drugs", "All / Laboratory"});
  CHECK(parse_settings(R"({"site": "s", "terminal": "t"})")->odoo.categories.empty());

  for (const char* bad : {R"("All / Pharmacy")", R"([7])", R"([""])"}) {
    INFO(bad);
    const auto parsed =
        parse_settings(std::string(R"({"site": "s", "terminal": "t", "odoo": {"categories": )") + bad + "}}");
    REQUIRE_FALSE(parsed.has_value());
    CHECK_THAT(parsed.error().at(0), Catch::Contains("odoo.categories"));
  }
}

TEST_CASE("secrets are never sent in clear to another host unless IT says so by name", "[config][security]") {
  const auto parse = [](const std::string& body) {
    return parse_settings(std::string(R"({"site": "s", "terminal": "t", )") + body + "}");
  };
  // A broker password over tcp:// to another machine.
  const auto mqtt_clear =
      parse(R"("mqtt": {"enabled": true, "broker": "tcp://mq.hospital.example:1883", "username": "ward3",
               "password_file": "/etc/edgestock/mqtt.pass"})");
  REQUIRE_FALSE(mqtt_clear.has_value());
  REQUIRE(mqtt_clear.error().size() == 1);
  CHECK_THAT(mqtt_clear.error()[0], Catch::Contains("mqtt.broker") && Catch::Contains("unencrypted") &&
                                        Catch::Contains("mqtt.allow_cleartext_password"));
  // Allowed: loopback, TLS, no password, or the insecure setting named.
  CHECK(parse(R"("mqtt": {"enabled": true, "broker": "tcp://127.0.0.1:1883", "password_file": "/p"})"));
  CHECK(parse(R"("mqtt": {"enabled": true, "broker": "tcp://localhost:1883", "password_file": "/p"})"));
  CHECK(parse(R"("mqtt": {"enabled": true, "broker": "tcp://[::1]:1883", "password_file": "/p"})"));
  CHECK(parse(R"("mqtt": {"enabled": true, "broker": "ssl://mq.hospital.example:8883", "password_file": "/p"})"));
  CHECK(parse(R"("mqtt": {"enabled": true, "broker": "tcp://mq.hospital.example:1883"})"));
  CHECK(parse(R"("mqtt": {"enabled": true, "broker": "tcp://mq.hospital.example:1883", "password_file": "/p",
                 "allow_cleartext_password": true})"));
  // The API key over http:// to another machine.
  const auto odoo_clear = parse(R"("odoo": {"enabled": true, "url": "http://erp.hospital.example:8069"})");
  REQUIRE_FALSE(odoo_clear.has_value());
  CHECK_THAT(odoo_clear.error().at(0), Catch::Contains("odoo.url") && Catch::Contains("odoo.allow_cleartext_api_key"));
  // Hosts named like loopback that are not.
  CHECK_FALSE(parse(R"("odoo": {"enabled": true, "url": "http://localhost.evil.example"})"));
  CHECK_FALSE(parse(R"("odoo": {"enabled": true, "url": "http://127.0.0.1.evil.example"})"));
  CHECK(parse(R"("odoo": {"enabled": true, "url": "http://127.0.0.1:8069"})"));
  CHECK(parse(R"("odoo": {"enabled": true, "url": "http://erp.hospital.example", "allow_cleartext_api_key": true})"));
  const auto not_http = parse(R"("odoo": {"url": "file:///etc/edgestock/odoo.key"})");
  REQUIRE_FALSE(not_http.has_value());
  CHECK_THAT(not_http.error().at(0), Catch::Contains("odoo.url") && Catch::Contains("must start with https://"));
  CHECK(host_of("tcp://user@mq.example:1883") == "mq.example");
  CHECK(host_of("https://[::1]:8069/web") == "[::1]");
}

TEST_CASE("the MQTT prefix is one topic level", "[config][mqtt]") {
  for (const char* prefix : {"a/b", "stock+", "#", "", "with space"}) {
    INFO(prefix);
    const auto parsed =
        parse_settings(std::string(R"({"site": "s", "terminal": "t", "mqtt": {"prefix": ")") + prefix + "\"}}");
    REQUIRE_FALSE(parsed.has_value());
    CHECK_THAT(parsed.error().at(0), Catch::Contains("mqtt.prefix: must be one topic level"));
  }
}

TEST_CASE("posting to Odoo needs to know where each kind of move goes", "[config][odoo]") {
  const auto off = parse_settings(R"({"site": "s", "terminal": "t", "odoo": {"enabled": true}})").value();
  CHECK_FALSE(off.odoo.posting.enabled);  // pulling only, until IT gives the ids
  CHECK(off.odoo.posting.batch_window_s == 86'400);
  const auto missing = parse_settings(R"({"site": "s", "terminal": "t",
      "odoo": {"enabled": true, "posting": {"enabled": true, "supplier_location_id": 1}}})");
  REQUIRE_FALSE(missing.has_value());
  const std::string all = [&] {
    std::string text;
    for (const auto& p : missing.error()) text += p + "\n";
    return text;
  }();
  CHECK_THAT(all, Catch::Contains("odoo.posting.inventory_loss_location_id: required when odoo.posting.enabled"));
  CHECK_THAT(all, Catch::Contains("odoo.posting.picking_type.outgoing: required"));
  CHECK_THAT(all, Catch::Contains("odoo.posting.consumption_location_id: required"));
  CHECK_THAT(all, !Catch::Contains("supplier_location_id"));
  const auto full = parse_settings(R"({"site": "s", "terminal": "t",
      "odoo": {"enabled": true, "posting": {"enabled": true, "interval_s": 30, "supplier_location_id": 1,
        "cost_centre_locations": {"CC-W3": 41, "CC-ICU": 42}, "inventory_loss_location_id": 3,
        "scrap_location_id": 4, "picking_type": {"incoming": 1, "internal": 2, "outgoing": 3},
        "batch_window_s": 3600, "batch_max_moves": 200}}})");
  INFO((full ? "" : full.error().front()));
  REQUIRE(full.has_value());
  CHECK(full->odoo.posting.cost_centre_locations.at("CC-ICU") == 42);
  CHECK(full->odoo.posting.outgoing_type == 3);
  CHECK(full->odoo.posting.batch_max_moves == 200);
  const auto bad = parse_settings(R"({"site": "s", "terminal": "t",
      "odoo": {"posting": {"cost_centre_locations": {"CC-W3": "ward"}, "scrap_location_id": -4}}})");
  REQUIRE_FALSE(bad.has_value());
  CHECK_THAT(bad.error().at(0), Catch::Contains("must map a cost centre to a positive Odoo id"));
  CHECK_THAT(bad.error().at(1), Catch::Contains("odoo.posting.scrap_location_id: must be a whole number from 0"));
}
