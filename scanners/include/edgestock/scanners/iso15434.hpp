#pragma once
// ISO/IEC 15434 messages as printed on EU medicine packs: the envelope
// "[)>" RS, then format 06 (ANSI MH10.8.2 data identifiers: IFA's PPN
// "9N", lot "1T", expiry "D", serial "S", ...) or format 05 (GS1 element
// strings), each ended by RS, the message by EOT. Pure.

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "edgestock/scanners/gs1.hpp"

namespace edgestock::scanners {

// A pack marked to IFA's PPN specification (format 06).
struct PpnPack {
  std::string ppn;     // 12 characters: PRA code, product number, 2 check digits
  std::string gtin;    // 14 digits: the pack's "8P" GTIN, or for a PZN (PRA 11) its NTIN
  std::string lot;     // 1T
  std::string expiry;  // D, as YYYY-MM-DD
  std::string serial;  // S
};

struct Iso15434Message {
  std::optional<PpnPack> ppn;     // format 06
  std::optional<Gs1Message> gs1;  // format 05
};

inline constexpr std::string_view kIso15434Header = "[)>\x1e";

// The PPN check digits (IFA PPN specification, "Calculation of PPN check
// digits"): each character's ASCII code weighted 2, 3, 4, ... from the left,
// summed modulo 97, as two digits.
std::string ppn_check_digits(std::string_view without_check);

std::expected<Iso15434Message, ScanError> parse_iso15434(std::string_view scan, int today_year);

}  // namespace edgestock::scanners
