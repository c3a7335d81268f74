#include "edgestock/config/central_command.hpp"

#include "signed_document.hpp"

namespace edgestock::config {
namespace {

bool is_nonce(const std::string& text) {
  if (text.size() < 8 || text.size() > 64) return false;
  return text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
         std::string::npos;
}

}  // namespace

std::map<std::string, std::int64_t> unexpired_nonces(std::map<std::string, std::int64_t> nonces, std::int64_t now_s) {
  std::erase_if(nonces, [now_s](const auto& entry) { return entry.second <= now_s; });
  return nonces;
}

CommandVerdict check_central_command(std::string_view payload, const CommandContext& c) {
  CommandVerdict verdict;
  auto& problems = verdict.problems;
  const auto document = detail::read_document(payload, c.central.max_push_bytes, "command");
  if (!document) {
    problems.push_back(document.error());
    return verdict;
  }
  const auto& d = *document;
  detail::unknown_members(d, {"command", "nonce", "issued_at", "expires_at", "target", "signatures"}, problems);
  const auto signers = detail::signers_of(d, kCommandDomain, payload, c.central.trusted_keys, problems);
  detail::require_signatures(signers, c.central.signature_threshold, c.central.allow_unsigned, "a command", problems);
  verdict.signed_by = signers.key_ids;
  verdict.unsigned_accepted = signers.unsigned_document && c.central.allow_unsigned;

  if (d.contains("command") && d["command"].is_string()) verdict.command = d["command"].get<std::string>();
  if (verdict.command != "resync" && verdict.command != "replay" && verdict.command != "report") {
    problems.emplace_back(R"(command: must be "resync", "replay" or "report")");
  }
  if (d.contains("nonce") && d["nonce"].is_string()) verdict.nonce = d["nonce"].get<std::string>();
  if (!is_nonce(verdict.nonce)) {
    problems.emplace_back("nonce: required, 8-64 letters, digits, '-' or '_' (new for every command)");
  } else if (c.nonces.contains(verdict.nonce)) {
    problems.push_back("nonce " + verdict.nonce + " was used already: a replayed command");
  }
  const auto [issued, expires] = detail::check_times(d, c.now_s, c.central.max_clock_skew_s, problems);
  verdict.expires_at = expires;
  if (issued != 0 && expires > issued + kMaxCommandLifeS) {
    problems.push_back("expires_at: a command may live at most " + std::to_string(kMaxCommandLifeS) + " s");
  }
  if (!d.contains("target")) {
    problems.emplace_back("target: required");
  } else {
    detail::check_target(d["target"], c.site, c.terminal, problems);
  }
  if (unexpired_nonces(c.nonces, c.now_s).size() >= kMaxRememberedNonces) {
    problems.push_back("more than " + std::to_string(kMaxRememberedNonces) +
                       " commands are still unexpired; this one is refused until older ones expire");
  }
  verdict.accepted = problems.empty();
  return verdict;
}

std::expected<std::string, std::string> sign_central_command(std::string_view document, std::string_view private_key) {
  return detail::add_signature(kCommandDomain, document, private_key);
}

}  // namespace edgestock::config
