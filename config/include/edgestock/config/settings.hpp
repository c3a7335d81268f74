#pragma once
// The agent's settings: what a config file (and later a signed MQTT push)
// may set, each key with its default and its rule. Parsing is pure: text in,
// settings or the full list of problems out.

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace edgestock::config {

struct LedgerSettings {
  std::string path = "/var/lib/edgestock/ledger.db";
  std::string durability = "full";  // full | normal
  std::int64_t max_bytes = 0;       // 0: no cap
};

struct Settings {
  std::string site;
  std::string terminal;
  LedgerSettings ledger;
};

// Each problem names the key and what is wrong with it.
using Problems = std::vector<std::string>;

// Parses a JSON config document. Unknown keys are problems too: a typo must
// not silently fall back to a default.
std::expected<Settings, Problems> parse_settings(std::string_view json_text);

// Reads and parses a file; a missing or unreadable file is one problem.
std::expected<Settings, Problems> load_settings_file(const std::filesystem::path& path);

// The keys, their defaults and their meaning, for `edgestock config-keys` and docs.
struct KeyDoc {
  std::string key;
  std::string default_value;
  std::string meaning;
};
std::vector<KeyDoc> describe_keys();

}  // namespace edgestock::config
