#include "edgestock/scanners/gtin.hpp"

namespace edgestock::scanners {

char gs1_check_digit(std::string_view digits) {
  // From the right, data digits are weighted 3, 1, 3, 1...
  int sum = 0;
  int weight = 3;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = 4 - weight;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::expected<std::string, std::string> normalize_gtin(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return std::unexpected("a GTIN has digits only");
  }
  if (text.size() != 8 && text.size() != 12 && text.size() != 13 && text.size() != 14) {
    return std::unexpected("a GTIN has 8, 12, 13 or 14 digits, not " + std::to_string(text.size()));
  }
  const char expected = gs1_check_digit(text.substr(0, text.size() - 1));
  if (text.back() != expected) {
    return std::unexpected(std::string("wrong check digit: ") + text.back() + ", expected " + expected);
  }
  return std::string(14 - text.size(), '0') + std::string(text);
}

}  // namespace edgestock::scanners
