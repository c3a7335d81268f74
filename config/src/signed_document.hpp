#pragma once
// What every document from central IT shares (config pushes, key rotations,
// commands): canonical bytes under a domain string, Ed25519 signatures of
// trusted keys, issue and expiry times, a target. Private to config/.

#include <cstdint>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/config/settings.hpp"

namespace edgestock::config::detail {

using Json = nlohmann::json;

// Keys sorted by their bytes, no spaces, whole numbers only.
std::expected<std::string, std::string> canonical(const Json& value);
std::expected<Json, std::string> parsed_object(std::string_view text);
// A document from the network: refused unread over `max_bytes` ("the `what`
// is N bytes, ..."), else parsed as an object.
std::expected<Json, std::string> read_document(std::string_view payload, int max_bytes, std::string_view what);
// `domain` then the document without "signatures", canonical.
std::expected<std::string, std::string> signed_bytes(std::string_view domain, std::string_view document);
// The document with one more signature over signed_bytes(domain, ...).
std::expected<std::string, std::string> add_signature(std::string_view domain, std::string_view document,
                                                      std::string_view private_key);

bool whole(const Json& v);

struct Signers {
  std::vector<std::string> key_ids;  // distinct trusted keys whose signature verified
  bool unsigned_document = false;    // no signatures at all
};
// Checks "signatures" against `trusted`; malformed entries are problems.
Signers signers_of(const Json& document, std::string_view domain, std::string_view text,
                   const std::vector<std::string>& trusted, Problems& problems);
// The refusal when too few trusted keys signed; `allow_unsigned` lets an
// unsigned document through (development).
void require_signatures(const Signers& signers, int threshold, bool allow_unsigned, std::string_view what,
                        Problems& problems);

// issued_at / expires_at present, whole, not in the future beyond the skew,
// not expired, in order. Returns {issued, expires} (0 when absent).
std::pair<std::int64_t, std::int64_t> check_times(const Json& document, std::int64_t now_s, int max_skew_s,
                                                  Problems& problems);
// "all", {"site"}, {"site", "terminals"}: for this terminal or a problem.
void check_target(const Json& target, const std::string& site, const std::string& terminal, Problems& problems);
// Members outside `known` are problems.
void unknown_members(const Json& document, const std::vector<std::string>& known, Problems& problems);

}  // namespace edgestock::config::detail
