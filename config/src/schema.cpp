#include "edgestock/config/schema.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "edgestock/config/settings.hpp"

namespace edgestock::config {
namespace {

using Json = nlohmann::json;

constexpr const char* kDialect = "https://json-schema.org/draft/2020-12/schema";
// The keys a file must have (the table's own "required" flags).
constexpr const char* kRequired[] = {"site", "terminal"};

Json object_schema() {
  return Json{{"type", "object"}, {"properties", Json::object()}, {"additionalProperties", false}};
}

// Nested objects from the table's dotted keys; `pushable`: leave out what only
// the local file may set, and require nothing.
Json settings_tree(bool pushable) {
  Json root = object_schema();
  for (const auto& key : describe_keys()) {
    if (pushable && key.local_only) continue;
    Json* node = &root;
    std::string_view rest = key.key;
    for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
      const std::string group(rest.substr(0, dot));
      auto& properties = (*node)["properties"];
      if (!properties.contains(group)) properties[group] = object_schema();
      node = &properties[group];
      rest.remove_prefix(dot + 1);
    }
    auto value = Json::parse(key.schema);
    value["description"] = key.meaning;
    (*node)["properties"][std::string(rest)] = std::move(value);
  }
  if (!pushable) {
    for (const char* required : kRequired) root["required"].push_back(required);
  }
  return root;
}

std::string after_colon(const std::string& problem) {
  const auto colon = problem.find(": ");
  return colon == std::string::npos ? problem : problem.substr(colon + 2);
}

}  // namespace

std::string settings_schema() {
  auto schema = settings_tree(false);
  schema["$schema"] = kDialect;
  schema["$id"] = "https://edgestock.example/schema/config.json";
  schema["title"] = "edgestock terminal config (/etc/edgestock/edgestock.json)";
  return schema.dump(2);
}

std::string push_schema() {
  const Json whole = {{"type", "integer"}, {"minimum", 0}};
  Json schema = object_schema();
  schema["$schema"] = kDialect;
  schema["$id"] = "https://edgestock.example/schema/config-push.json";
  schema["title"] = "edgestock config push ({prefix}/{site}/config, {prefix}/{site}/{terminal}/config)";
  schema["required"] = {"version", "issued_at", "expires_at", "target", "settings"};
  auto& p = schema["properties"];
  p["version"] = {{"type", "integer"}, {"minimum", 1}, {"description", "newer than the one applied, or refused"}};
  p["issued_at"] = whole;
  p["issued_at"]["description"] = "Unix seconds";
  p["expires_at"] = whole;
  p["expires_at"]["description"] = "Unix seconds; after it the document is refused";
  p["target"] = {
      {"description", "\"all\", {\"site\": ...} or {\"site\": ..., \"terminals\": [...]}"},
      {"oneOf",
       {{{"const", "all"}},
        {{"type", "object"},
         {"required", {"site"}},
         {"properties",
          {{"site", {{"type", "string"}}}, {"terminals", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
         {"additionalProperties", false}}}}};
  p["min_agent_version"] = {{"type", "string"}, {"pattern", "^[0-9]+(\\.[0-9]+)*$"}};
  p["settings"] = settings_tree(true);
  p["signatures"] = {{"type", "array"},
                     {"items",
                      {{"type", "object"},
                       {"required", {"key", "sig"}},
                       {"properties",
                        {{"key", {{"type", "string"}, {"description", "key id: edgestock config keygen prints it"}}},
                         {"sig", {{"type", "string"}, {"description", "base64 Ed25519 signature"}}}}},
                       {"additionalProperties", false}}}};
  return schema.dump(2);
}

std::vector<FileProblem> check_settings_text(std::string_view text) {
  try {
    const auto parsed = Json::parse(text);
    (void)parsed;
  } catch (const Json::parse_error& error) {
    // The line of the byte where the parser gave up.
    const auto upto = text.substr(0, std::min<std::size_t>(error.byte == 0 ? 0 : error.byte - 1, text.size()));
    const int line = 1 + static_cast<int>(std::count(upto.begin(), upto.end(), '\n'));
    return {{"$", line, std::string("not valid JSON: ") + error.what()}};
  }
  const auto parsed = parse_settings(text);
  if (parsed) return {};
  std::vector<FileProblem> out;
  for (const auto& problem : parsed.error()) {
    // "mqtt.window: must be ..." or "mqtt.tls.cert_file and mqtt.tls.key_file: ...".
    const auto path = problem.substr(0, problem.find_first_of(": "));
    const bool names_a_key = path.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") == std::string::npos &&
                             !path.empty() && problem.find(':') != std::string::npos;
    if (!names_a_key) {
      out.push_back({"$", 1, problem});
      continue;
    }
    // "path: message" loses its path (it is given apart); anything else is kept whole.
    const auto message = problem.starts_with(path + ": ") ? after_colon(problem) : problem;
    out.push_back({"$." + path, line_of_member(text, path), message});
  }
  return out;
}

}  // namespace edgestock::config
