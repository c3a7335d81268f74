#pragma once
// GTINs as printed on EAN-8, UPC-A, EAN-13 and ITF-14 symbols (GS1 General
// Specifications, section 7.9: the mod-10 check digit).

#include <expected>
#include <string>
#include <string_view>

namespace edgestock::scanners {

// The GS1 mod-10 check digit for `digits` (the data without its check digit).
// The caller passes digits only.
char gs1_check_digit(std::string_view digits);

// An 8, 12, 13 or 14 digit GTIN, its check digit verified, padded with leading
// zeros to the 14 digits every GTIN is kept as. The error says why not.
std::expected<std::string, std::string> normalize_gtin(std::string_view text);

// UPC-E (zero-suppressed UPC-A: number system 0 or 1, six digits, check
// digit) expanded to its 14-digit GTIN (GS1 General Specifications 5.2.2.4.2).
std::expected<std::string, std::string> expand_upc_e(std::string_view eight_digits);

}  // namespace edgestock::scanners
