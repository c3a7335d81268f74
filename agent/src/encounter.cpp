#include "encounter.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace edgestock::agent {

std::string encounter_reference(std::string_view site_secret, std::string_view gsrn) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), site_secret.data(), static_cast<int>(site_secret.size()),
           reinterpret_cast<const unsigned char*>(gsrn.data()), gsrn.size(), digest.data(), &length) == nullptr ||
      length < 16) {
    throw std::runtime_error("HMAC-SHA-256 is not available from OpenSSL");
  }
  constexpr char kHex[] = "0123456789abcdef";
  std::string reference = "gsrn-hmac:";
  for (unsigned int i = 0; i < 16; ++i) {
    reference += kHex[digest[i] >> 4];
    reference += kHex[digest[i] & 0xf];
  }
  return reference;
}

}  // namespace edgestock::agent
