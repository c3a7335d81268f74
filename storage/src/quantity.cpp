#include "edgestock/storage/quantity.hpp"

#include <limits>
#include <stdexcept>

namespace edgestock::storage {

std::expected<Quantity, std::string> Quantity::parse(std::string_view text) {
  const std::string shown = "'" + std::string(text.substr(0, 40)) + "'";
  if (text.empty()) return std::unexpected("empty quantity");
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const auto point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  if (whole.empty() && fraction.empty()) return std::unexpected("no digits in quantity " + shown);
  if (point != std::string_view::npos && fraction.empty()) {
    return std::unexpected("quantity " + shown + " ends with a decimal point");
  }
  if (fraction.size() > static_cast<std::size_t>(kDecimals)) {
    return std::unexpected("quantity " + shown + " has more than 6 decimals");
  }
  std::int64_t micros = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return std::unexpected("quantity " + shown + " is not a decimal number");
    micros = micros * 10 + (c - '0');
    if (micros > kMaxMicros / kScale) {
      return std::unexpected("quantity " + shown + " is larger than one move may carry");
    }
  }
  micros *= kScale;
  std::int64_t unit = kScale / 10;
  for (const char c : fraction) {
    if (c < '0' || c > '9') return std::unexpected("quantity " + shown + " is not a decimal number");
    micros += (c - '0') * unit;
    unit /= 10;
  }
  if (micros > kMaxMicros) return std::unexpected("quantity " + shown + " is larger than one move may carry");
  return Quantity(negative ? -micros : micros);
}

std::string Quantity::to_string() const {
  const bool negative = micros_ < 0;
  // Magnitudes are bounded far below INT64_MIN, so negation is safe.
  const std::int64_t magnitude = negative ? -micros_ : micros_;
  std::string text = std::to_string(magnitude / kScale);
  std::int64_t fraction = magnitude % kScale;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, static_cast<std::size_t>(kDecimals) - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    text += '.';
    text += digits;
  }
  return negative ? "-" + text : text;
}

std::int64_t Quantity::checked(std::int64_t a, std::int64_t b, bool subtract) {
  std::int64_t result = 0;
  const bool overflow = subtract ? __builtin_sub_overflow(a, b, &result) : __builtin_add_overflow(a, b, &result);
  if (overflow) throw std::overflow_error("quantity arithmetic overflows 64 bits");
  return result;
}

std::expected<Quantity, std::string> Quantity::times(std::int64_t count) const {
  std::int64_t result = 0;
  if (__builtin_mul_overflow(micros_, count, &result) || result > kMaxMicros || result < -kMaxMicros) {
    return std::unexpected(to_string() + " x " + std::to_string(count) + " is larger than one move may carry");
  }
  return Quantity(result);
}

}  // namespace edgestock::storage
