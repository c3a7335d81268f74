#include "edgestock/config/signing.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace edgestock::config {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Pkey private_key_from(std::string_view base64) {
  const auto raw = base64_decode(base64);
  if (!raw || raw->size() != kKeyBytes) return nullptr;
  return Pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(*raw), raw->size()));
}

Pkey public_key_from(std::string_view base64) {
  const auto raw = base64_decode(base64);
  if (!raw || raw->size() != kKeyBytes) return nullptr;
  return Pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(*raw), raw->size()));
}

std::expected<std::string, std::string> raw_public(EVP_PKEY* key) {
  std::array<unsigned char, kKeyBytes> raw{};
  std::size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &size) != 1 || size != kKeyBytes) {
    return std::unexpected("OpenSSL could not give the public key");
  }
  return base64_encode({reinterpret_cast<const char*>(raw.data()), size});
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(bytes), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::expected<std::string, std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::unexpected("not base64: the length is not a multiple of 4");
  for (const char c : text) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return std::unexpected("not base64: it holds characters base64 does not use");
  }
  std::string out(3 * (text.size() / 4), '\0');
  const int written =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(text), static_cast<int>(text.size()));
  if (written < 0) return std::unexpected("not base64");
  // EVP_DecodeBlock counts the padding as zero bytes: take them off.
  std::size_t size = static_cast<std::size_t>(written);
  if (text.ends_with("==")) {
    size -= 2;
  } else if (text.ends_with("=")) {
    size -= 1;
  }
  out.resize(size);
  // Canonical only: what decodes must encode back to the same text.
  if (base64_encode(out) != text) return std::unexpected("not canonical base64");
  return out;
}

std::expected<SigningKey, std::string> generate_signing_key() {
  const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* made = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &made) != 1) {
    return std::unexpected("OpenSSL could not make an Ed25519 key");
  }
  const Pkey key(made);
  std::array<unsigned char, kKeyBytes> seed{};
  std::size_t size = seed.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &size) != 1 || size != kKeyBytes) {
    return std::unexpected("OpenSSL could not give the private key");
  }
  auto pub = raw_public(key.get());
  if (!pub) return std::unexpected(pub.error());
  return SigningKey{*pub, base64_encode({reinterpret_cast<const char*>(seed.data()), size})};
}

std::expected<std::string, std::string> public_key_of(std::string_view private_key) {
  const auto key = private_key_from(private_key);
  if (!key) return std::unexpected("not an Ed25519 private key (32 bytes in base64)");
  return raw_public(key.get());
}

std::expected<std::string, std::string> sign_bytes(std::string_view private_key, std::string_view bytes) {
  const auto key = private_key_from(private_key);
  if (!key) return std::unexpected("not an Ed25519 private key (32 bytes in base64)");
  const MdCtx ctx(EVP_MD_CTX_new());
  std::array<unsigned char, kSignatureBytes> signature{};
  std::size_t size = signature.size();
  // Ed25519 hashes the message itself: no digest is named.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &size, bytes_of(bytes), bytes.size()) != 1 ||
      size != kSignatureBytes) {
    return std::unexpected("OpenSSL could not sign");
  }
  return base64_encode({reinterpret_cast<const char*>(signature.data()), size});
}

bool verify_signature(std::string_view public_key, std::string_view bytes, std::string_view signature) {
  const auto key = public_key_from(public_key);
  const auto raw = base64_decode(signature);
  if (!key || !raw || raw->size() != kSignatureBytes) return false;
  const MdCtx ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), bytes_of(*raw), raw->size(), bytes_of(bytes), bytes.size()) == 1;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest.at(i) >> 4];
    hex += kHex[digest.at(i) & 0x0f];
  }
  return hex;
}

std::string key_id(std::string_view public_key) {
  const auto raw = base64_decode(public_key);
  if (!raw || raw->size() != kKeyBytes) return "";
  return sha256_hex(*raw).substr(0, 16);
}

}  // namespace edgestock::config
