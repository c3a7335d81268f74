#include "edgestock/config/push.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "edgestock/config/signing.hpp"

namespace edgestock::config {
namespace {

using Json = nlohmann::json;

constexpr const char* kLocalOnly[] = {"site", "terminal", "ledger.path", "central"};

// Canonical form: keys sorted by their bytes (nlohmann's objects are), no
// spaces, strings as nlohmann writes them (UTF-8 kept, only " \ and control
// characters escaped), whole numbers only: a float has more than one spelling.
std::expected<std::string, std::string> canonical(const Json& value) {
  bool fractional = false;
  std::function<void(const Json&)> walk = [&](const Json& v) {
    if (v.is_number_float()) fractional = true;
    if (v.is_structured()) {
      for (const auto& child : v) walk(child);
    }
  };
  walk(value);
  if (fractional) return std::unexpected("numbers must be whole numbers");
  return value.dump(-1, ' ', false, Json::error_handler_t::strict);
}

std::expected<Json, std::string> parsed_object(std::string_view text) {
  try {
    auto json = Json::parse(text);
    if (!json.is_object()) return std::unexpected("the document must be a JSON object");
    return json;
  } catch (const Json::exception& error) {
    return std::unexpected(std::string("not valid JSON: ") + error.what());
  }
}

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
    bool only_local = false;
    for (const char* local : kLocalOnly) only_local |= path == local;
    if (only_local) {
      problems.push_back("settings." + path + ": may be set only in the terminal's own file, never pushed");
    } else if (value.is_object()) {
      local_only_keys(value, path, problems);
    }
  }
}

bool whole(const Json& v) {
  return v.is_number_integer() || v.is_number_unsigned();
}

void check_target(const Json& target, const PushContext& c, Problems& problems) {
  if (target.is_string() && target == "all") return;
  if (!target.is_object() || !target.contains("site") || !target["site"].is_string()) {
    problems.emplace_back(R"(target: must be "all", {"site": ...} or {"site": ..., "terminals": [...]})");
    return;
  }
  if (target["site"].get<std::string>() != c.site) {
    problems.push_back("target: for site " + target["site"].get<std::string>() + ", this is " + c.site);
    return;
  }
  if (!target.contains("terminals")) return;
  const auto& terminals = target["terminals"];
  if (!terminals.is_array()) {
    problems.emplace_back("target.terminals: must be a list of terminal ids");
    return;
  }
  for (const auto& t : terminals) {
    if (t.is_string() && t.get<std::string>() == c.terminal) return;
  }
  problems.push_back("target: not for terminal " + c.terminal);
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
  auto json = parsed_object(document);
  if (!json) return std::unexpected(json.error());
  json->erase("signatures");
  auto text = canonical(*json);
  if (!text) return std::unexpected(text.error());
  return std::string(kPushDomain) + *text;
}

std::string effective_settings_hash(std::string_view local_file, const std::vector<std::string>& pushed_settings) {
  const auto local = push_signed_bytes(local_file);
  std::string all = local ? *local : std::string(local_file);
  for (const auto& part : pushed_settings) all += "\n" + part;
  return sha256_hex(all);
}

std::expected<std::string, std::string> sign_push(std::string_view document, std::string_view private_key) {
  auto bytes = push_signed_bytes(document);
  if (!bytes) return std::unexpected(bytes.error());
  auto signature = sign_bytes(private_key, *bytes);
  if (!signature) return std::unexpected(signature.error());
  const auto public_key = public_key_of(private_key);
  if (!public_key) return std::unexpected(public_key.error());
  auto json = *parsed_object(document);
  if (!json.contains("signatures") || !json["signatures"].is_array()) json["signatures"] = Json::array();
  json["signatures"].push_back({{"key", key_id(*public_key)}, {"sig", *signature}});
  return json.dump(2);
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
  for (const auto& [key, value] : d.items()) {
    static const std::set<std::string> kKnown = {"version",           "issued_at", "expires_at", "target",
                                                 "min_agent_version", "settings",  "signatures"};
    if (!kKnown.contains(key)) problems.push_back(key + ": unknown key");
  }
  auto field = [&](const char* name, auto is_right, const char* what) -> const Json* {
    if (!d.contains(name)) {
      problems.push_back(std::string(name) + ": required");
      return nullptr;
    }
    if (!is_right(d[name])) {
      problems.push_back(std::string(name) + ": must be " + what);
      return nullptr;
    }
    return &d[name];
  };
  const auto* version = field(
      "version", [](const Json& v) { return whole(v) && v.get<std::int64_t>() > 0; }, "a whole number above 0");
  const auto* issued = field("issued_at", whole, "Unix seconds");
  const auto* expires = field("expires_at", whole, "Unix seconds");
  const auto* target = field(
      "target", [](const Json&) { return true; }, "");
  const auto* settings = field(
      "settings", [](const Json& v) { return v.is_object(); }, "an object of settings");
  const auto* minimum = d.contains("min_agent_version") ? &d["min_agent_version"] : nullptr;

  // Signatures first among the checks of meaning: an unsigned or forged
  // document says nothing about anything else.
  const auto signed_bytes = push_signed_bytes(payload);
  if (!signed_bytes) problems.push_back(signed_bytes.error());
  std::set<std::string> signers;
  if (d.contains("signatures") && signed_bytes) {
    if (!d["signatures"].is_array()) {
      problems.emplace_back("signatures: must be a list");
    } else {
      for (const auto& s : d["signatures"]) {
        if (!s.is_object() || !s.contains("key") || !s.contains("sig") || !s["key"].is_string() ||
            !s["sig"].is_string()) {
          problems.emplace_back(R"(signatures: each must be {"key": KEY_ID, "sig": BASE64})");
          continue;
        }
        const auto named = s["key"].get<std::string>();
        for (const auto& trusted : c.central.trusted_keys) {
          if (key_id(trusted) == named && verify_signature(trusted, *signed_bytes, s["sig"].get<std::string>())) {
            signers.insert(key_id(trusted));
          }
        }
      }
    }
  }
  const auto threshold = static_cast<std::size_t>(c.central.signature_threshold);
  const bool unsigned_doc = !d.contains("signatures") || (d["signatures"].is_array() && d["signatures"].empty());
  if (unsigned_doc && c.central.allow_unsigned) {
    verdict.unsigned_accepted = true;
  } else if (unsigned_doc) {
    problems.emplace_back("not signed: a push needs the signature of a trusted key (central.trusted_keys)");
  } else if (signers.size() < threshold) {
    problems.push_back("signatures: " + std::to_string(signers.size()) + " of the trusted keys signed it, " +
                       std::to_string(threshold) + " needed (a signature that does not verify counts for nothing)");
  }
  verdict.signed_by.assign(signers.begin(), signers.end());

  if (version != nullptr) verdict.version = version->get<std::int64_t>();
  const bool same_version = version != nullptr && verdict.version == c.applied_version;
  if (version != nullptr && verdict.version < c.applied_version) {
    problems.push_back("version " + std::to_string(verdict.version) + " is older than version " +
                       std::to_string(c.applied_version) + ", applied already (a replayed or stale document)");
  }
  if (issued != nullptr && issued->get<std::int64_t>() > c.now_s + c.central.max_clock_skew_s) {
    problems.push_back("issued_at is " + std::to_string(issued->get<std::int64_t>() - c.now_s) +
                       " s in the future, more than central.max_clock_skew_s allows");
  }
  if (expires != nullptr && expires->get<std::int64_t>() <= c.now_s) {
    problems.push_back("expired " + std::to_string(c.now_s - expires->get<std::int64_t>()) + " s ago");
  }
  if (issued != nullptr && expires != nullptr && expires->get<std::int64_t>() <= issued->get<std::int64_t>()) {
    problems.emplace_back("expires_at: must be after issued_at");
  }
  if (target != nullptr) check_target(*target, c, problems);
  if (minimum != nullptr) {
    const auto order =
        minimum->is_string() ? compare_versions(c.agent_version, minimum->get<std::string>()) : std::nullopt;
    if (!order) {
      problems.emplace_back("min_agent_version: must be a version such as \"0.2.0\"");
    } else if (*order < 0) {
      problems.push_back("needs edgestock " + minimum->get<std::string>() + " or newer; this is " + c.agent_version);
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
