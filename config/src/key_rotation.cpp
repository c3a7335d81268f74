#include "edgestock/config/key_rotation.hpp"

#include <algorithm>

#include "edgestock/config/signing.hpp"
#include "signed_document.hpp"

namespace edgestock::config {
namespace {

bool is_key_id(const std::string& text) {
  return text.size() == 16 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::vector<std::string> effective_trusted_keys(const std::vector<std::string>& local, const KeyRotation& rotation) {
  std::vector<std::string> out;
  for (const auto* keys : {&local, &rotation.trusted_keys}) {
    for (const auto& key : *keys) {
      const auto id = key_id(key);
      const bool retired = std::ranges::find(rotation.retired, id) != rotation.retired.end();
      const bool listed = std::ranges::any_of(out, [&id](const std::string& k) { return key_id(k) == id; });
      if (!retired && !listed && !id.empty()) out.push_back(key);
    }
  }
  return out;
}

RotationVerdict check_key_rotation(std::string_view payload, const RotationContext& c) {
  RotationVerdict verdict;
  auto& problems = verdict.problems;
  const auto document = detail::read_document(payload, c.central.max_push_bytes, "key rotation");
  if (!document) {
    problems.push_back(document.error());
    return verdict;
  }
  const auto& d = *document;
  detail::unknown_members(d, {"version", "issued_at", "expires_at", "target", "trusted_keys", "retired", "signatures"},
                          problems);
  const auto before = effective_trusted_keys(c.central.trusted_keys, c.applied);
  const auto signers = detail::signers_of(d, kKeysDomain, payload, before, problems);
  detail::require_signatures(signers, c.central.signature_threshold, false, "a key rotation", problems);
  verdict.signed_by = signers.key_ids;

  auto& next = verdict.rotation;
  if (!d.contains("version") || !detail::whole(d["version"]) || d["version"].get<std::int64_t>() <= 0) {
    problems.emplace_back("version: required, a whole number above 0");
  } else {
    next.version = d["version"].get<std::int64_t>();
    if (next.version < c.applied.version) {
      problems.push_back("version " + std::to_string(next.version) + " is older than key rotation " +
                         std::to_string(c.applied.version) + ", in force already (a replayed or stale document)");
    }
  }
  (void)detail::check_times(d, c.now_s, c.central.max_clock_skew_s, problems);
  if (!d.contains("target")) {
    problems.emplace_back("target: required");
  } else {
    detail::check_target(d["target"], c.site, c.terminal, problems);
  }
  auto strings = [&](const char* name, auto valid, const char* what) {
    std::vector<std::string> out;
    if (!d.contains(name)) return out;
    if (!d[name].is_array()) {
      problems.push_back(std::string(name) + ": must be a list of " + what);
      return out;
    }
    for (const auto& item : d[name]) {
      if (!item.is_string() || !valid(item.get<std::string>())) {
        problems.push_back(std::string(name) + ": each must be " + what);
        return std::vector<std::string>{};
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  };
  next.trusted_keys = strings(
      "trusted_keys", [](const std::string& k) { return !key_id(k).empty(); },
      "an Ed25519 public key, 32 bytes in base64");
  next.retired = strings("retired", is_key_id, "a key id: 16 hex digits (edgestock config keygen prints it)");
  for (const auto& key : next.trusted_keys) {
    if (std::ranges::find(next.retired, key_id(key)) != next.retired.end()) {
      problems.push_back("trusted_keys: key " + key_id(key) + " is also retired");
    }
  }
  // Retiring too much would cut the terminal off from central IT for good.
  const auto after = effective_trusted_keys(c.central.trusted_keys, next);
  if (after.size() < static_cast<std::size_t>(c.central.signature_threshold)) {
    problems.push_back("it would leave " + std::to_string(after.size()) + " trusted keys and " +
                       std::to_string(c.central.signature_threshold) +
                       " signatures are needed (central.signature_threshold): no push could be accepted again");
  }
  if (!problems.empty()) return verdict;
  verdict.outcome = next.version == c.applied.version ? RotationVerdict::Outcome::already_applied
                                                      : RotationVerdict::Outcome::accepted;
  return verdict;
}

std::expected<std::string, std::string> sign_key_rotation(std::string_view document, std::string_view private_key) {
  return detail::add_signature(kKeysDomain, document, private_key);
}

}  // namespace edgestock::config
