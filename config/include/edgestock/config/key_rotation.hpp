#pragma once
// Key rotation from the centre: a signed document, retained on {p}/keys, that
// says which keys the fleet trusts beyond each terminal's own file and which
// keys are retired (never trusted again, even if a terminal's file lists
// them), so a leaked key can be retired without visiting a ward. Like a push
// it is the whole state, never a delta: a terminal that missed versions
// while offline is right after the newest alone. Pure.
//
//   {"version": 3, "issued_at": ..., "expires_at": ..., "target": "all",
//    "trusted_keys": ["<base64 public key>", ...], "retired": ["<key id>", ...],
//    "signatures": [{"key": "<key id>", "sig": "<base64>"}]}
//
// Signed over kKeysDomain and the canonical document (as a push, another
// domain: a push's signature is never a rotation's). It needs
// central.signature_threshold signatures of keys trusted before it, is never
// accepted unsigned (not even with central.allow_unsigned), and must leave at
// least that many keys trusted.

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/config/settings.hpp"

namespace edgestock::config {

inline constexpr std::string_view kKeysDomain = "edgestock-keys-v1\n";

struct KeyRotation {
  std::int64_t version = 0;               // 0: none applied
  std::vector<std::string> trusted_keys;  // base64 public keys, beyond the local file's
  std::vector<std::string> retired;       // key ids

  bool operator==(const KeyRotation&) const = default;
};

// The local file's keys and the rotation's, less the retired ones.
std::vector<std::string> effective_trusted_keys(const std::vector<std::string>& local, const KeyRotation& rotation);

struct RotationContext {
  std::string site;
  std::string terminal;
  std::int64_t now_s = 0;
  CentralSettings central;  // the local file's
  KeyRotation applied;      // the rotation in force
};

struct RotationVerdict {
  enum class Outcome { accepted, already_applied, refused };
  Outcome outcome = Outcome::refused;
  Problems problems;
  KeyRotation rotation;  // when accepted
  std::vector<std::string> signed_by;
};

RotationVerdict check_key_rotation(std::string_view payload, const RotationContext& context);

std::expected<std::string, std::string> sign_key_rotation(std::string_view document, std::string_view private_key);

}  // namespace edgestock::config
