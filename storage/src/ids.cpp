#include "edgestock/storage/ids.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <system_error>

#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/dates.hpp"

namespace edgestock::storage {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void fill_random(std::uint8_t* out, std::size_t size) {
  while (size > 0) {
    const ssize_t got = ::getrandom(out, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + std::generic_category().message(errno));
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

}  // namespace

MoveId MoveId::generate(std::int64_t unix_ms) {
  std::array<std::uint8_t, 16> bytes{};
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  fill_random(bytes.data() + 6, 10);
  bytes[6] = static_cast<std::uint8_t>(0x70 | (bytes[6] & 0x0f));  // version 7
  bytes[8] = static_cast<std::uint8_t>(0x80 | (bytes[8] & 0x3f));  // RFC 4122 variant
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0x0f];
  }
  return MoveId(std::move(text));
}

std::optional<MoveId> MoveId::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_place = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_place ? text[i] != '-' : !is_hex(text[i])) return std::nullopt;
  }
  if (text[14] != '7') return std::nullopt;
  if (text[19] != '8' && text[19] != '9' && text[19] != 'a' && text[19] != 'b') return std::nullopt;
  return MoveId(std::string(text));
}

}  // namespace edgestock::storage
