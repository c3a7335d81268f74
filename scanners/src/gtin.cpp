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

std::expected<std::string, std::string> expand_upc_e(std::string_view e) {
  if (e.size() != 8) return std::unexpected("a UPC-E code has 8 digits, not " + std::to_string(e.size()));
  for (const char c : e) {
    if (c < '0' || c > '9') return std::unexpected("a UPC-E code has digits only");
  }
  if (e[0] != '0' && e[0] != '1') return std::unexpected("a UPC-E code starts with number system 0 or 1");
  const auto d = e.substr(1, 6);
  std::string upc_a(1, e[0]);  // 11 digits without the check digit
  switch (d[5]) {
    case '0':
    case '1':
    case '2':
      upc_a += std::string(d.substr(0, 2)) + d[5] + "0000" + std::string(d.substr(2, 3));
      break;
    case '3':
      upc_a += std::string(d.substr(0, 3)) + "00000" + std::string(d.substr(3, 2));
      break;
    case '4':
      upc_a += std::string(d.substr(0, 4)) + "00000" + d[4];
      break;
    default:
      upc_a += std::string(d.substr(0, 5)) + "0000" + d[5];
      break;
  }
  const char check = gs1_check_digit(upc_a);
  if (check != e[7]) return std::unexpected(std::string("wrong check digit: ") + e[7] + ", expected " + check);
  return "00" + upc_a + check;
}

}  // namespace edgestock::scanners
