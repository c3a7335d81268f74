#pragma once
// Config pushed by central IT: a signed document with the whole desired state
// of the settings it targets. Pure: a payload and what the terminal knows in,
// a verdict out; nothing is applied or persisted here.
//
// A document:
//   {"version": 42, "issued_at": 1796280000, "expires_at": 1796884800,
//    "target": "all" | {"site": "stjames"} | {"site": "stjames", "terminals": ["ward3-t1"]},
//    "min_agent_version": "0.1.0", "settings": {...the keys of the local file...},
//    "signatures": [{"key": "<key id>", "sig": "<base64 Ed25519>"}]}
// Times are Unix seconds. What is signed is kPushDomain followed by the
// document without "signatures" in canonical form (push_signed_bytes,
// docs/configuration.md).

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/config/settings.hpp"

namespace edgestock::config {

inline constexpr std::string_view kPushDomain = "edgestock-config-v1\n";

// The bytes a signature covers, or why the document has no canonical form
// (not JSON, not an object, a number that is not a whole number).
std::expected<std::string, std::string> push_signed_bytes(std::string_view document);
// The document with one more signature (for `edgestock config sign`).
std::expected<std::string, std::string> sign_push(std::string_view document, std::string_view private_key);

struct PushContext {
  std::string site;
  std::string terminal;
  std::string agent_version;         // "0.1.0"
  std::int64_t applied_version = 0;  // of the documents of this scope applied so far
  std::int64_t now_s = 0;
  CentralSettings central;  // from the local file
  std::string local_file;   // the local config's JSON text: a push is checked as it would be applied
};

struct PushVerdict {
  enum class Outcome { accepted, already_applied, refused };
  Outcome outcome = Outcome::refused;
  std::vector<std::string> problems;  // every reason it was refused, in the store's words
  std::int64_t version = 0;
  std::vector<std::string> signed_by;  // ids of the trusted keys that signed
  bool unsigned_accepted = false;      // allowed by central.allow_unsigned: say so in the status
  std::string settings;                // the "settings" object, canonical JSON
};

PushVerdict check_push(std::string_view payload, const PushContext& context);

// The local file with pushed settings laid over it, key by key, in order
// (a site's document, then the terminal's). Keys only the local file may set
// (site, terminal, ledger.path, central.*) are problems.
std::expected<Settings, Problems> settings_with_pushes(std::string_view local_file,
                                                       const std::vector<std::string>& pushed_settings);

// The SHA-256 (hex) of the effective settings: the local file and the pushed
// settings in canonical form, in order. Central IT compares it across a fleet.
std::string effective_settings_hash(std::string_view local_file, const std::vector<std::string>& pushed_settings);

// "0.1.10" against "0.1.9": -1, 0 or 1; nullopt for a malformed version.
std::optional<int> compare_versions(std::string_view a, std::string_view b);

}  // namespace edgestock::config
