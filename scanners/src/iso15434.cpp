#include "edgestock/scanners/iso15434.hpp"

#include <vector>

#include "edgestock/scanners/gtin.hpp"
#include "gs1_values.hpp"

namespace edgestock::scanners {
namespace {

constexpr char kRs = '\x1e';
constexpr char kGs = '\x1d';
constexpr char kEot = '\x04';

using gs1::all_digits;
using gs1::refusal;

// IFA: lot and serial are 1 to 20 of 0-9, A-Z, '-' and '_' (the lot) or
// letters and digits (the serial); both within GS1's CSET 82.
bool is_ifa_text(std::string_view text, std::size_t max) {
  if (text.empty() || text.size() > max) return false;
  for (const char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (true) {
    const auto end = text.find(by, pos);
    parts.push_back(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return parts;
}

std::expected<PpnPack, ScanError> parse_format06(std::string_view body, std::size_t at, int today_year) {
  PpnPack pack;
  std::string gtin;
  for (const auto field : split(body, kGs)) {
    const std::size_t here = at + static_cast<std::size_t>(field.data() - body.data());
    if (field.empty()) return refusal("an empty data field in the 06 message", here);
    if (field.starts_with("9N")) {
      const auto ppn = field.substr(2);
      if (ppn.size() < 4 || ppn.size() > 22 || !is_ifa_text(ppn, 22))
        return refusal("PPN (9N) is 4 to 22 letters and digits", here);
      const auto check = ppn_check_digits(ppn.substr(0, ppn.size() - 2));
      if (ppn.substr(ppn.size() - 2) != check) {
        return refusal("PPN " + std::string(ppn) + ": wrong check digits " + std::string(ppn.substr(ppn.size() - 2)) +
                           ", expected " + check,
                       here);
      }
      pack.ppn = std::string(ppn);
    } else if (field.starts_with("8P")) {
      auto normal = normalize_gtin(field.substr(2));
      if (!normal) return refusal("GTIN (8P): " + normal.error(), here);
      gtin = *normal;
    } else if (field.starts_with("1T")) {
      if (!is_ifa_text(field.substr(2), 20)) return refusal("lot (1T) is 1 to 20 of 0-9, A-Z, '-' and '_'", here);
      pack.lot = std::string(field.substr(2));
    } else if (field.starts_with("16D")) {
      if (field.size() != 11 || !all_digits(field.substr(3)))
        return refusal("date of manufacture (16D) is YYYYMMDD", here);
    } else if (field.starts_with("D")) {
      // IFA: expiry YYMMDD, day 00 when only the month is given.
      auto date = gs1_date(field.substr(1), today_year);
      if (!date) return refusal("expiry (D): " + date.error(), here);
      pack.expiry = *date;
    } else if (field.starts_with("S")) {
      if (!is_ifa_text(field.substr(1), 20)) return refusal("serial (S) is 1 to 20 letters and digits", here);
      pack.serial = std::string(field.substr(1));
    } else {
      return refusal("data identifier \"" + std::string(field.substr(0, 3)) +
                         "\" is not one that IFA's PPN specification uses (9N, 8P, 1T, D, 16D, S)",
                     here);
    }
  }
  if (pack.ppn.empty()) return refusal("the 06 message has no PPN (9N)", at);
  if (!gtin.empty()) {
    pack.gtin = gtin;
  } else if (pack.ppn.size() == 12 && pack.ppn.starts_with("11") && all_digits(pack.ppn)) {
    // A PZN (PRA code 11) has a GTIN of its own: the NTIN 4150 + PZN + check
    // digit (GS1 Germany and IFA, "PZN in the NTIN").
    const std::string ntin = "4150" + pack.ppn.substr(2, 8);
    pack.gtin = "0" + ntin + std::string(1, gs1_check_digit(ntin));
  }
  return pack;
}

}  // namespace

std::string ppn_check_digits(std::string_view without_check) {
  long sum = 0;
  long weight = 2;
  for (const char c : without_check) sum += static_cast<unsigned char>(c) * weight++;
  const auto check = static_cast<int>(sum % 97);
  return std::string{static_cast<char>('0' + check / 10), static_cast<char>('0' + check % 10)};
}

std::expected<Iso15434Message, ScanError> parse_iso15434(std::string_view scan, int today_year) {
  if (!scan.starts_with(kIso15434Header)) return refusal("an ISO/IEC 15434 message starts with [)> and RS", 0);
  std::string_view rest = scan.substr(kIso15434Header.size());
  if (!rest.empty() && rest.back() == kEot) rest.remove_suffix(1);
  if (rest.empty() || rest.back() != kRs)
    return refusal("the ISO/IEC 15434 message does not end with RS (and EOT)", scan.size());
  rest.remove_suffix(1);
  Iso15434Message message;
  for (const auto envelope : split(rest, kRs)) {
    const std::size_t at = static_cast<std::size_t>(envelope.data() - scan.data());
    if (envelope.size() < 3 || envelope[2] != kGs) return refusal("a format envelope is two digits and GS", at);
    const auto format = envelope.substr(0, 2);
    const auto body = envelope.substr(3);
    if (format == "06" && !message.ppn) {
      auto pack = parse_format06(body, at + 3, today_year);
      if (!pack) return std::unexpected(pack.error());
      message.ppn = std::move(*pack);
    } else if (format == "05" && !message.gs1) {
      auto gs1 = parse_gs1_element_string(body, today_year);
      if (!gs1) return refusal(gs1.error().reason, at + 3 + gs1.error().position);
      message.gs1 = std::move(*gs1);
    } else {
      return refusal("format " + std::string(format) + " is not read here (05: GS1, 06: PPN), or comes twice", at);
    }
  }
  return message;
}

}  // namespace edgestock::scanners
