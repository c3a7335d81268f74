#include "edgestock/config/settings.hpp"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

namespace edgestock::config {
namespace {

using Json = nlohmann::json;

// One row of the declarative table: where the key lives, what it defaults
// to, and how a JSON value is checked and stored.
struct Key {
  const char* path;  // dotted: "ledger.durability"
  bool required;
  const char* meaning;
  std::function<std::string(const Settings&)> show_default;
  std::function<std::string(const Json&, Settings&)> apply;  // "" or the problem
};

bool is_identifier(const std::string& text) {
  if (text.empty() || text.size() > 64) return false;
  for (const char c : text) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string identifier(const Json& value, std::string& out) {
  if (!value.is_string()) return "must be a string";
  const auto text = value.get<std::string>();
  // Ids appear in MQTT topics: no '/', '+', '#' or spaces.
  if (!is_identifier(text)) return "must be 1-64 letters, digits, '-', '_' or '.'";
  out = text;
  return {};
}

const std::vector<Key>& keys() {
  static const std::vector<Key> table{
      {"site", true, "site id (hospital or clinic); part of every MQTT topic",
       [](const Settings&) { return std::string("(required)"); },
       [](const Json& v, Settings& s) { return identifier(v, s.site); }},
      {"terminal", true, "terminal id; part of every MQTT topic and the ledger's owner",
       [](const Settings&) { return std::string("(required)"); },
       [](const Json& v, Settings& s) { return identifier(v, s.terminal); }},
      {"ledger.path", false, "SQLite ledger file (created 0600)", [](const Settings& d) { return d.ledger.path; },
       [](const Json& v, Settings& s) -> std::string {
         if (!v.is_string() || v.get<std::string>().empty()) return "must be a non-empty path";
         s.ledger.path = v.get<std::string>();
         return {};
       }},
      {"ledger.durability", false, "full (survives power loss) or normal (survives a crash only)",
       [](const Settings& d) { return d.ledger.durability; },
       [](const Json& v, Settings& s) -> std::string {
         if (!v.is_string() || (v != "full" && v != "normal")) return "must be \"full\" or \"normal\"";
         s.ledger.durability = v.get<std::string>();
         return {};
       }},
      {"ledger.max_bytes", false, "hard cap on the ledger's size in bytes, 0 for none",
       [](const Settings& d) { return std::to_string(d.ledger.max_bytes); },
       [](const Json& v, Settings& s) -> std::string {
         if (!v.is_number_integer() || v.get<std::int64_t>() < 0) return "must be a whole number >= 0";
         const auto bytes = v.get<std::int64_t>();
         if (bytes != 0 && bytes < 1024 * 1024) return "must be 0 or at least 1048576 (1 MiB)";
         s.ledger.max_bytes = bytes;
         return {};
       }},
  };
  return table;
}

// Finds a dotted key in a JSON object; nullptr when absent.
const Json* find(const Json& document, std::string_view path) {
  const Json* node = &document;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string part(path.substr(0, dot));
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return node;
}

// Every leaf key of the document that the table does not know.
void unknown_keys(const Json& node, const std::string& prefix, Problems& problems) {
  for (const auto& [name, value] : node.items()) {
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    bool known_leaf = false;
    bool known_group = false;
    for (const auto& key : keys()) {
      const std::string k = key.path;
      known_leaf |= k == path;
      known_group |= k.rfind(path + ".", 0) == 0;
    }
    if (known_group && value.is_object()) {
      unknown_keys(value, path, problems);
    } else if (!known_leaf) {
      problems.push_back(path + ": unknown key");
    }
  }
}

}  // namespace

std::expected<Settings, Problems> parse_settings(std::string_view json_text) {
  Json document;
  try {
    document = Json::parse(json_text);
  } catch (const Json::parse_error& error) {
    return std::unexpected(Problems{std::string("not valid JSON: ") + error.what()});
  }
  if (!document.is_object()) return std::unexpected(Problems{"the config must be a JSON object"});
  Settings settings;
  Problems problems;
  for (const auto& key : keys()) {
    const Json* value = find(document, key.path);
    if (value == nullptr) {
      if (key.required) problems.push_back(std::string(key.path) + ": required");
      continue;
    }
    if (auto problem = key.apply(*value, settings); !problem.empty()) {
      problems.push_back(std::string(key.path) + ": " + problem);
    }
  }
  unknown_keys(document, "", problems);
  if (!problems.empty()) return std::unexpected(std::move(problems));
  return settings;
}

std::expected<Settings, Problems> load_settings_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected(Problems{"cannot read config file " + path.string()});
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_settings(text.str());
  if (!parsed) {
    for (auto& problem : parsed.error()) problem = path.string() + ": " + problem;
  }
  return parsed;
}

std::vector<KeyDoc> describe_keys() {
  const Settings defaults;
  std::vector<KeyDoc> docs;
  for (const auto& key : keys()) docs.push_back({key.path, key.show_default(defaults), key.meaning});
  return docs;
}

}  // namespace edgestock::config
