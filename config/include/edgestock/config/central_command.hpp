#pragma once
// Commands from central IT on {p}/{site}/{terminal}/cmd, answered on
// .../cmd/ack. Signed like a push (over kCommandDomain: a push's signature is
// never a command's), with a nonce and an expiry so that a recorded command
// cannot be replayed: the terminal remembers every nonce until its command
// expires, and a command may live at most kMaxCommandLifeS. Pure.
//
//   {"command": "resync" | "replay" | "report", "nonce": "<8-64 letters,
//    digits, '-' or '_'>", "issued_at": ..., "expires_at": ...,
//    "target": {"site": ..., "terminals": [...]}, "signatures": [...]}

#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/config/settings.hpp"

namespace edgestock::config {

inline constexpr std::string_view kCommandDomain = "edgestock-command-v1\n";
inline constexpr std::int64_t kMaxCommandLifeS = 86'400;
// Nonces remembered at most; a command past it is refused until old ones expire.
inline constexpr std::size_t kMaxRememberedNonces = 10'000;

struct CommandContext {
  std::string site;
  std::string terminal;
  std::int64_t now_s = 0;
  CentralSettings central;                     // with the trusted keys in force (key rotation applied)
  std::map<std::string, std::int64_t> nonces;  // seen, with their expiry (Unix seconds)
};

struct CommandVerdict {
  bool accepted = false;
  Problems problems;
  std::string command;  // resync, replay or report
  std::string nonce;
  std::int64_t expires_at = 0;
  std::vector<std::string> signed_by;
  bool unsigned_accepted = false;
};

CommandVerdict check_central_command(std::string_view payload, const CommandContext& context);

// The nonces still to be remembered at `now_s` (expired ones dropped).
std::map<std::string, std::int64_t> unexpired_nonces(std::map<std::string, std::int64_t> nonces, std::int64_t now_s);

std::expected<std::string, std::string> sign_central_command(std::string_view document, std::string_view private_key);

}  // namespace edgestock::config
