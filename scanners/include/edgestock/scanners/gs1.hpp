#pragma once
// GS1 barcodes as a hospital store meets them: element strings from GS1-128,
// GS1 DataMatrix and GS1 QR (with or without a symbology identifier, FNC1 as
// ASCII 29, '#' or "Alt029"), the human-readable "(01)...(17)..." form, and
// GS1 Digital Link URIs. Pure functions: text in, elements or a reason out.

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace edgestock::scanners {

struct Gs1Element {
  std::string ai;     // "01", "17", "3103", ...
  std::string value;  // as encoded
};

// An association rule of GS1's (General Specifications 4.13, the Syntax
// Dictionary's req= and ex=) that a message breaks. Not a syntax error: a
// label may carry its GTIN and its lot in two barcodes.
struct Gs1BrokenRule {
  enum class Kind { needs, excludes };
  Kind kind = Kind::needs;
  std::string ai;       // the AI whose rule it is
  std::string meaning;  // "(10) BATCH/LOT goes with one of (01), (02), ..."
};

struct Gs1Message {
  std::string symbology;  // "]C1", "]d2", "]Q3", "]e0" or empty
  std::vector<Gs1Element> elements;
  std::vector<Gs1BrokenRule> broken_rules;
  // The value of the first element with this AI, or nullptr.
  [[nodiscard]] const std::string* find(std::string_view ai) const;
};

struct ScanError {
  std::string reason;    // for the person holding the scanner
  std::size_t position;  // where in the scanned text it went wrong
};

// `today_year` (e.g. 2026) anchors GS1's century rule for YYMMDD dates.
// Each refuses what breaks GS1's syntax (unknown AI, length, character set,
// a component's check, the same AI twice with different values) and lists
// the association rules the data breaks in `broken_rules`.
std::expected<Gs1Message, ScanError> parse_gs1_element_string(std::string_view scan, int today_year);
std::expected<Gs1Message, ScanError> parse_gs1_human_readable(std::string_view text, int today_year);
std::expected<Gs1Message, ScanError> parse_gs1_digital_link(std::string_view uri, int today_year);

// A GS1 date (YYMMDD; DD 00 = last day of the month) as YYYY-MM-DD, with
// the century chosen by GS1's rule (General Specifications 7.12).
std::expected<std::string, std::string> gs1_date(std::string_view yymmdd, int today_year);

// The decimal value of a measure AI such as 3103 (kg, 3 decimals): "001250" -> "1.25".
std::string gs1_measure(std::string_view ai, std::string_view digits);

// The association rules these elements break, over all of them together
// (pass the elements of every barcode on one item).
std::vector<Gs1BrokenRule> gs1_broken_rules(const std::vector<Gs1Element>& elements);

// What an AI is called, for `edgestock decode`: "GTIN", "BATCH/LOT", "USE BY or EXPIRY", ...
std::string_view gs1_ai_title(std::string_view ai);

}  // namespace edgestock::scanners
