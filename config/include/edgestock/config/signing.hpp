#pragma once
// Ed25519 signatures for config pushes, through OpenSSL's EVP interface.
// Keys and signatures travel as standard base64 (RFC 4648, with padding) of
// their raw bytes: a public key is 32 bytes, a private key its 32-byte seed,
// a signature 64 bytes.

#include <expected>
#include <string>
#include <string_view>

namespace edgestock::config {

struct SigningKey {
  std::string public_key;   // base64
  std::string private_key;  // base64: keep it in a file only its owner can read
};

std::expected<SigningKey, std::string> generate_signing_key();
// The base64 signature of `bytes`, or why the key cannot be used.
std::expected<std::string, std::string> sign_bytes(std::string_view private_key, std::string_view bytes);
// False for a bad signature, a malformed key or signature, anything else.
bool verify_signature(std::string_view public_key, std::string_view bytes, std::string_view signature);
// The public key of a private one (base64 both), for `config keygen` and checks.
std::expected<std::string, std::string> public_key_of(std::string_view private_key);
// A short name for a public key: the first 8 bytes of the SHA-256 of its raw
// bytes, in hex ("3f6a0c2e9b1d4470"). Empty when the key is not 32 bytes of base64.
std::string key_id(std::string_view public_key);

// The SHA-256 of `bytes`, in lower-case hex.
std::string sha256_hex(std::string_view bytes);

std::string base64_encode(std::string_view bytes);
// Nothing when `text` is not canonical padded base64.
std::expected<std::string, std::string> base64_decode(std::string_view text);

}  // namespace edgestock::config
