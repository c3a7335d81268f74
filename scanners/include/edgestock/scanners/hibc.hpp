#pragma once
// HIBC, the Health Industry Bar Code of the HIBCC Supplier Labeling Standard
// (ANSI/HIBC 2.x), found on medical devices: a primary structure (labeler,
// product, unit of measure), a secondary one (quantity, expiry, lot or
// serial), or both in one symbol. Every form ends with a modulo-43 check
// character. Pure functions.

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "edgestock/scanners/gs1.hpp"

namespace edgestock::scanners {

struct HibcPrimary {
  std::string labeler;      // LIC: 4 characters, the first a letter
  std::string product;      // PCN: 1-18 characters
  int unit_of_measure = 0;  // 0 = unit of use, 1-8 packaging levels, 9 variable quantity
  char check = 0;           // also the link character a separate secondary carries
};

struct HibcSecondary {
  std::optional<int> quantity;
  std::string expiry;       // YYYY-MM-DD, empty when not given
  std::string expiry_hour;  // "HH" when the date format has one
  std::string lot;
  std::string serial;
  std::optional<char> link;  // in a separate secondary: the primary's check character
};

struct HibcLabel {
  std::optional<HibcPrimary> primary;
  std::optional<HibcSecondary> secondary;
};

// The modulo-43 check character of `data` (which starts with '+').
std::expected<char, std::string> hibc_check_character(std::string_view data);

// Decodes a scan that starts with '+' (a symbology identifier such as "]A0"
// or "]d1" before it is allowed).
std::expected<HibcLabel, ScanError> parse_hibc(std::string_view scan);

}  // namespace edgestock::scanners
