// The JSON Schemas generated from the table of keys, and `config check`'s
// problems placed on their lines. Expected values are written out by hand
// from the table's documented bounds (docs/configuration.md).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "edgestock/config/schema.hpp"
#include "edgestock/config/settings.hpp"

using namespace edgestock::config;
using Json = nlohmann::json;

TEST_CASE("the config schema describes every key of the table where the file puts it", "[config][schema]") {
  const auto schema = Json::parse(settings_schema());
  CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema["required"] == Json{"site", "terminal"});
  CHECK(schema["additionalProperties"] == false);
  const auto& mqtt = schema["properties"]["mqtt"];
  CHECK(mqtt["additionalProperties"] == false);
  CHECK(mqtt["properties"]["window"]["type"] == "integer");
  CHECK(mqtt["properties"]["window"]["minimum"] == 1);
  CHECK(mqtt["properties"]["window"]["maximum"] == 10000);
  CHECK(schema["properties"]["ledger"]["properties"]["durability"]["enum"] == Json{"full", "normal"});
  CHECK(mqtt["properties"]["tls"]["properties"]["verify"]["type"] == "boolean");
  CHECK(schema["properties"]["session"]["properties"]["operators"]["additionalProperties"]["items"]["enum"] ==
        Json{"receive", "issue", "transfer", "count"});
  // Every key of the table, at its dotted place, with its meaning.
  for (const auto& key : describe_keys()) {
    INFO(key.key);
    const Json* node = &schema;
    std::string rest = key.key;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      node = &(*node)["properties"][rest.substr(0, dot)];
      rest = rest.substr(dot + 1);
    }
    REQUIRE((*node)["properties"].contains(rest));
    CHECK((*node)["properties"][rest]["description"] == key.meaning);
    CHECK((*node)["properties"][rest].contains("type"));
  }
}

TEST_CASE("the push schema leaves out what only the terminal's own file may set", "[config][schema]") {
  const auto schema = Json::parse(push_schema());
  CHECK(schema["required"] == Json{"version", "issued_at", "expires_at", "target", "settings"});
  const auto& settings = schema["properties"]["settings"]["properties"];
  CHECK_FALSE(settings.contains("site"));
  CHECK_FALSE(settings.contains("terminal"));
  CHECK_FALSE(settings.contains("central"));
  CHECK_FALSE(settings["ledger"]["properties"].contains("path"));
  CHECK(settings["ledger"]["properties"].contains("retention_days"));
  CHECK(settings["mqtt"]["properties"].contains("broker"));
  CHECK_FALSE(schema["properties"]["settings"].contains("required"));
  CHECK(is_local_only("central.trusted_keys"));
  CHECK(is_local_only("ledger.path"));
  CHECK_FALSE(is_local_only("ledger.retention_days"));
  CHECK_FALSE(is_local_only("centralised"));
}

TEST_CASE("line_of_member finds where a member starts, or its nearest enclosing member", "[config][schema]") {
  const std::string text =
      "{\n"                                                 // 1
      "  \"site\": \"a{b\\\"c\",\n"                         // 2: braces and an escaped quote inside a string
      "  \"mqtt\": {\n"                                     // 3
      "    \"tls\": {\"verify\": false},\n"                 // 4
      "    \"window\": 0\n"                                 // 5
      "  },\n"                                              // 6
      "  \"odoo\": {\"locations\": [\"A\", {\"x\": 1}],\n"  // 7
      "    \"url\": \"http://x\"}\n"                        // 8
      "}\n";
  CHECK(line_of_member(text, "site") == 2);
  CHECK(line_of_member(text, "mqtt") == 3);
  CHECK(line_of_member(text, "mqtt.tls.verify") == 4);
  CHECK(line_of_member(text, "mqtt.window") == 5);
  CHECK(line_of_member(text, "mqtt.tls.ca_file") == 4);  // absent: its group's line
  CHECK(line_of_member(text, "odoo.url") == 8);
  CHECK(line_of_member(text, "terminal") == 0);
}

TEST_CASE("config check gives every problem with its JSON path and line", "[config][schema]") {
  const std::string text =
      "{\n"
      "  \"site\": \"stjames\",\n"
      "  \"terminal\": \"ward 3\",\n"  // 3: a space
      "  \"mqtt\": {\n"
      "    \"window\": 0,\n"  // 5: below 1
      "    \"windw\": 5\n"    // 6: a typo
      "  },\n"
      "  \"ledger\": {\"durability\": \"fast\"}\n"  // 8
      "}\n";
  const auto problems = check_settings_text(text);
  auto find = [&](const std::string& path) -> const FileProblem* {
    for (const auto& p : problems) {
      if (p.path == path) return &p;
    }
    return nullptr;
  };
  REQUIRE(problems.size() == 4);
  REQUIRE(find("$.terminal"));
  CHECK(find("$.terminal")->line == 3);
  CHECK(find("$.terminal")->message == "must be 1-64 letters, digits, '-', '_' or '.'");
  REQUIRE(find("$.mqtt.window"));
  CHECK(find("$.mqtt.window")->line == 5);
  CHECK(find("$.mqtt.window")->message == "must be a whole number from 1 to 10000");
  REQUIRE(find("$.mqtt.windw"));
  CHECK(find("$.mqtt.windw")->line == 6);
  CHECK(find("$.mqtt.windw")->message == "unknown key");
  REQUIRE(find("$.ledger.durability"));
  CHECK(find("$.ledger.durability")->line == 8);

  // A syntax error: the line where the parser gave up.
  const auto broken = check_settings_text("{\n  \"site\": \"x\",\n  \"terminal\": \"t\"\n  \"mqtt\": {}\n}\n");
  REQUIRE(broken.size() == 1);
  CHECK(broken[0].path == "$");
  CHECK(broken[0].line == 4);
  CHECK_THAT(broken[0].message, Catch::StartsWith("not valid JSON"));

  CHECK(check_settings_text(R"({"site": "stjames", "terminal": "ward3-t1"})").empty());
  const auto missing = check_settings_text("{}");
  REQUIRE(missing.size() == 2);
  CHECK(missing[0].path == "$.site");
  CHECK(missing[0].line == 0);
  CHECK(missing[0].message == "required");
}
