#pragma once
// One entry point for every scan: decides what kind of barcode the text is
// (GS1, HIBC, EAN/UPC, or one of the store's own codes) and decodes it. Pure:
// no catalogue, no clock (the caller passes the year for GS1 dates).

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/scanners/gs1.hpp"

namespace edgestock::scanners {

enum class ScanKind { gs1, hibc, retail, location, operator_badge, command, product_code, ppn };
enum class Command { receive, issue, transfer, count, quantity, undo, confirm, cancel };

std::string_view to_string(ScanKind kind);
std::string_view to_string(Command command);

// How the store's own labels are told apart: by a prefix each (config).
struct InternalCodeScheme {
  std::string location = "LOC:";
  std::string operator_badge = "OP:";
  std::string command = "CMD:";
  std::string product_code = "PC:";
};

struct DecodeContext {
  int today_year = 2026;
  InternalCodeScheme scheme;
};

struct DecodedScan {
  ScanKind kind = ScanKind::retail;
  std::string symbology;
  std::string gtin;  // 14 digits, for GS1 and retail codes
  std::string hibc_labeler;
  std::string hibc_product;
  std::optional<int> hibc_unit;
  std::optional<char> hibc_link;
  std::string lot;
  std::string serial;
  std::string expiry;                 // YYYY-MM-DD
  std::optional<std::int64_t> count;  // GS1 AI 30/37 or the HIBC quantity
  std::string code;                   // location code, operator badge or product code
  std::optional<Command> command;
  std::int64_t command_quantity = 0;        // for Command::quantity
  std::vector<Gs1Element> elements;         // GS1: every element as scanned
  std::vector<Gs1BrokenRule> broken_rules;  // GS1 association rules it breaks
  std::string ppn;                          // IFA Pharmacy Product Number (ISO/IEC 15434 format 06)
  std::string gln;                          // GS1 AI 414: a location (a store, a shelf)
  std::string gln_extension;                // AI 254 with it
  std::string gsrn_provider;                // AI 8017: a caregiver's badge
  // AI 8018: a patient's wristband. Never stored, logged or published as it
  // is: the session turns it into an encounter reference by a keyed hash.
  std::string gsrn_recipient;
  // GS1 data with no product key: a lot, expiry or serial printed in a
  // barcode of its own, beside the GTIN's.
  [[nodiscard]] bool attributes_only() const {
    return kind == ScanKind::gs1 && gtin.empty() && !elements.empty() && sscc().empty() && gln.empty() &&
           gsrn_provider.empty() && gsrn_recipient.empty();
  }
  [[nodiscard]] std::string sscc() const;
};

inline constexpr std::size_t kMaxScanLength = 4096;

std::expected<DecodedScan, ScanError> decode_scan(std::string_view scan, const DecodeContext& context);

// Whether a scan carries a patient's identity (a wristband's GSRN, AI 8018,
// or the patient data of AIs 7250-7259): it is then journaled without it.
bool names_a_patient(const DecodedScan& scan);
inline constexpr std::string_view kPatientScanJournaled = "[a patient's wristband: its data is not kept]";

// Support staff type scans by hand: "\x1d", "<GS>", "{GS}" and "\\" stand
// for the separator and a backslash; "\x1e" or "<RS>" and "\x04" or
// "<EOT>" for ISO/IEC 15434's record separator and end. Returns the raw scan.
std::string unescape_scan(std::string_view typed);
// The other way, for showing and storing raw scans: GS becomes "<GS>",
// other control characters "\xNN".
std::string escape_scan(std::string_view raw);

}  // namespace edgestock::scanners
