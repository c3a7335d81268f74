#include "edgestock/config/push.hpp"

#include <algorithm>
#include <charconv>

#include "edgestock/config/signing.hpp"
#include "signed_document.hpp"

namespace edgestock::config {
namespace {

using detail::canonical;
using detail::Json;
using detail::parsed_object;

void lay_over(Json& base, const Json& top) {
  for (const auto& [key, value] : top.items()) {
    if (value.is_object() && base.contains(key) && base[key].is_object()) {
      lay_over(base[key], value);
    } else {
      base[key] = value;
    }
  }
}

void local_only_keys(const Json& settings, const std::string& prefix, Problems& problems) {
  for (const auto& [key, value] : settings.items()) {
    const auto path = prefix.empty() ? key : prefix + "." + key;
    if (is_local_only(path)) {
      problems.push_back("settings." + path + ": may be set only in the terminal's own file, never pushed");
    } else if (value.is_object()) {
      local_only_keys(value, path, problems);
    }
  }
}

}  // namespace

std::optional<int> compare_versions(std::string_view a, std::string_view b) {
  auto parts = [](std::string_view v) -> std::optional<std::vector<long>> {
    std::vector<long> out;
    while (!v.empty()) {
      const auto dot = v.find('.');
      const auto part = v.substr(0, dot);
      long n = 0;
      const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), n);
      if (part.empty() || error != std::errc() || end != part.data() + part.size()) return std::nullopt;
      out.push_back(n);
      if (dot == std::string_view::npos) break;
      v.remove_prefix(dot + 1);
      if (v.empty()) return std::nullopt;
    }
    if (out.empty()) return std::nullopt;
    return out;
  };
  const auto x = parts(a);
  const auto y = parts(b);
  if (!x || !y) return std::nullopt;
  for (std::size_t i = 0; i < std::max(x->size(), y->size()); ++i) {
    const long p = i < x->size() ? (*x)[i] : 0;
    const long q = i < y->size() ? (*y)[i] : 0;
    if (p != q) return p < q ? -1 : 1;
  }
  return 0;
}

std::expected<std::string, std::string> push_signed_bytes(std::string_view document) {
  return detail::signed_bytes(kPushDomain, document);
}

std::string effective_settings_hash(std::string_view local_file, const std::vector<std::string>& pushed_settings) {
  const auto local = push_signed_bytes(local_file);
  std::string all = local ? *local : std::string(local_file);
  for (const auto& part : pushed_settings) all += "\n" + part;
  return sha256_hex(all);
}

std::expected<std::string, std::string> sign_push(std::string_view document, std::string_view private_key) {
  return detail::add_signature(kPushDomain, document, private_key);
}

std::expected<Settings, Problems> settings_with_pushes(std::string_view local_file,
                                                       const std::vector<std::string>& pushed_settings) {
  auto local = parsed_object(local_file);
  if (!local) return std::unexpected(Problems{"the local config: " + local.error()});
  Problems problems;
  for (const auto& text : pushed_settings) {
    auto pushed = parsed_object(text);
    if (!pushed) {
      problems.push_back("settings: " + pushed.error());
      continue;
    }
    local_only_keys(*pushed, "", problems);
    lay_over(*local, *pushed);
  }
  if (!problems.empty()) return std::unexpected(std::move(problems));
  auto settings = parse_settings(local->dump());
  if (!settings) {
    for (auto& problem : settings.error()) problem = "settings." + problem;
  }
  return settings;
}

PushVerdict check_push(std::string_view payload, const PushContext& c) {
  PushVerdict verdict;
  auto& problems = verdict.problems;
  if (payload.size() > static_cast<std::size_t>(c.central.max_push_bytes)) {
    problems.push_back("the document is " + std::to_string(payload.size()) + " bytes, over central.max_push_bytes (" +
                       std::to_string(c.central.max_push_bytes) + "); it was not read");
    return verdict;
  }
  auto document = parsed_object(payload);
  if (!document) {
    problems.push_back(document.error());
    return verdict;
  }
  const auto& d = *document;
  detail::unknown_members(
      d, {"version", "issued_at", "expires_at", "target", "min_agent_version", "settings", "signatures"}, problems);
  const Json* version = nullptr;
  if (!d.contains("version")) {
    problems.emplace_back("version: required");
  } else if (!detail::whole(d["version"]) || d["version"].get<std::int64_t>() <= 0) {
    problems.emplace_back("version: must be a whole number above 0");
  } else {
    version = &d["version"];
  }
  if (!d.contains("target")) problems.emplace_back("target: required");
  const Json* settings = nullptr;
  if (!d.contains("settings")) {
    problems.emplace_back("settings: required");
  } else if (!d["settings"].is_object()) {
    problems.emplace_back("settings: must be an object of settings");
  } else {
    settings = &d["settings"];
  }

  // Signatures first among the checks of meaning: an unsigned or forged
  // document says nothing about anything else.
  const auto signers = detail::signers_of(d, kPushDomain, payload, c.central.trusted_keys, problems);
  detail::require_signatures(signers, c.central.signature_threshold, c.central.allow_unsigned, "a push", problems);
  verdict.unsigned_accepted = signers.unsigned_document && c.central.allow_unsigned;
  verdict.signed_by = signers.key_ids;

  if (version != nullptr) verdict.version = version->get<std::int64_t>();
  const bool same_version = version != nullptr && verdict.version == c.applied_version;
  if (version != nullptr && verdict.version < c.applied_version) {
    problems.push_back("version " + std::to_string(verdict.version) + " is older than version " +
                       std::to_string(c.applied_version) + ", applied already (a replayed or stale document)");
  }
  (void)detail::check_times(d, c.now_s, c.central.max_clock_skew_s, problems);
  if (d.contains("target")) detail::check_target(d["target"], c.site, c.terminal, problems);
  if (d.contains("min_agent_version")) {
    const auto& minimum = d["min_agent_version"];
    const auto order =
        minimum.is_string() ? compare_versions(c.agent_version, minimum.get<std::string>()) : std::nullopt;
    if (!order) {
      problems.emplace_back("min_agent_version: must be a version such as \"0.2.0\"");
    } else if (*order < 0) {
      problems.push_back("needs edgestock " + minimum.get<std::string>() + " or newer; this is " + c.agent_version);
    }
  }
  if (settings != nullptr) {
    if (auto text = canonical(*settings); !text) {
      problems.push_back("settings: " + text.error());
    } else {
      verdict.settings = *text;
      if (auto merged = settings_with_pushes(c.local_file, {*text}); !merged) {
        problems.insert(problems.end(), merged.error().begin(), merged.error().end());
      }
    }
  }
  if (!problems.empty()) return verdict;
  verdict.outcome = same_version ? PushVerdict::Outcome::already_applied : PushVerdict::Outcome::accepted;
  return verdict;
}

}  // namespace edgestock::config
