#include "signed_document.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "edgestock/config/signing.hpp"

namespace edgestock::config::detail {

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

std::expected<Json, std::string> read_document(std::string_view payload, int max_bytes, std::string_view what) {
  if (payload.size() > static_cast<std::size_t>(max_bytes)) {
    return std::unexpected("the " + std::string(what) + " is " + std::to_string(payload.size()) +
                           " bytes, over central.max_push_bytes; it was not read");
  }
  return parsed_object(payload);
}

std::expected<std::string, std::string> signed_bytes(std::string_view domain, std::string_view document) {
  auto json = parsed_object(document);
  if (!json) return std::unexpected(json.error());
  json->erase("signatures");
  auto text = canonical(*json);
  if (!text) return std::unexpected(text.error());
  return std::string(domain) + *text;
}

std::expected<std::string, std::string> add_signature(std::string_view domain, std::string_view document,
                                                      std::string_view private_key) {
  auto bytes = signed_bytes(domain, document);
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

bool whole(const Json& v) {
  return v.is_number_integer() || v.is_number_unsigned();
}

Signers signers_of(const Json& d, std::string_view domain, std::string_view text,
                   const std::vector<std::string>& trusted, Problems& problems) {
  Signers out;
  out.unsigned_document = !d.contains("signatures") || (d["signatures"].is_array() && d["signatures"].empty());
  const auto bytes = signed_bytes(domain, text);
  if (!bytes) {
    problems.push_back(bytes.error());
    return out;
  }
  if (!d.contains("signatures")) return out;
  if (!d["signatures"].is_array()) {
    problems.emplace_back("signatures: must be a list");
    return out;
  }
  std::set<std::string> ids;
  for (const auto& s : d["signatures"]) {
    if (!s.is_object() || !s.contains("key") || !s.contains("sig") || !s["key"].is_string() || !s["sig"].is_string()) {
      problems.emplace_back(R"(signatures: each must be {"key": KEY_ID, "sig": BASE64})");
      continue;
    }
    const auto named = s["key"].get<std::string>();
    for (const auto& key : trusted) {
      if (key_id(key) == named && verify_signature(key, *bytes, s["sig"].get<std::string>())) ids.insert(named);
    }
  }
  out.key_ids.assign(ids.begin(), ids.end());
  return out;
}

void require_signatures(const Signers& signers, int threshold, bool allow_unsigned, std::string_view what,
                        Problems& problems) {
  if (signers.unsigned_document && allow_unsigned) return;
  if (signers.unsigned_document) {
    problems.push_back("not signed: " + std::string(what) +
                       " needs the signature of a trusted key (central.trusted_keys)");
  } else if (signers.key_ids.size() < static_cast<std::size_t>(threshold)) {
    problems.push_back("signatures: " + std::to_string(signers.key_ids.size()) + " of the trusted keys signed it, " +
                       std::to_string(threshold) + " needed (a signature that does not verify counts for nothing)");
  }
}

std::pair<std::int64_t, std::int64_t> check_times(const Json& d, std::int64_t now_s, int max_skew_s,
                                                  Problems& problems) {
  auto time = [&](const char* name) -> std::int64_t {
    if (!d.contains(name)) {
      problems.push_back(std::string(name) + ": required");
      return 0;
    }
    if (!whole(d[name])) {
      problems.push_back(std::string(name) + ": must be Unix seconds");
      return 0;
    }
    return d[name].get<std::int64_t>();
  };
  const auto issued = time("issued_at");
  const auto expires = time("expires_at");
  if (issued != 0 && issued > now_s + max_skew_s) {
    problems.push_back("issued_at is " + std::to_string(issued - now_s) +
                       " s in the future, more than central.max_clock_skew_s allows");
  }
  if (expires != 0 && expires <= now_s) problems.push_back("expired " + std::to_string(now_s - expires) + " s ago");
  if (issued != 0 && expires != 0 && expires <= issued) problems.emplace_back("expires_at: must be after issued_at");
  return {issued, expires};
}

void check_target(const Json& target, const std::string& site, const std::string& terminal, Problems& problems) {
  if (target.is_string() && target == "all") return;
  if (!target.is_object() || !target.contains("site") || !target["site"].is_string()) {
    problems.emplace_back(R"(target: must be "all", {"site": ...} or {"site": ..., "terminals": [...]})");
    return;
  }
  if (target["site"].get<std::string>() != site) {
    problems.push_back("target: for site " + target["site"].get<std::string>() + ", this is " + site);
    return;
  }
  if (!target.contains("terminals")) return;
  const auto& terminals = target["terminals"];
  if (!terminals.is_array()) {
    problems.emplace_back("target.terminals: must be a list of terminal ids");
    return;
  }
  for (const auto& t : terminals) {
    if (t.is_string() && t.get<std::string>() == terminal) return;
  }
  problems.push_back("target: not for terminal " + terminal);
}

void unknown_members(const Json& d, const std::vector<std::string>& known, Problems& problems) {
  for (const auto& [key, value] : d.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) problems.push_back(key + ": unknown key");
  }
}

}  // namespace edgestock::config::detail
