#include "edgestock/scanners/scan.hpp"

#include <array>
#include <cstdio>

#include "edgestock/scanners/gtin.hpp"
#include "edgestock/scanners/hibc.hpp"
#include "edgestock/scanners/iso15434.hpp"

namespace edgestock::scanners {
namespace {

std::unexpected<ScanError> fail(std::string reason, std::size_t position = 0) {
  return std::unexpected(ScanError{std::move(reason), position});
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Position of the first byte that breaks UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

// "http://" or "https://" in any case (URI schemes are case-insensitive).
bool looks_like_link(std::string_view text) {
  constexpr std::string_view kHttp = "http";
  if (text.size() < 7) return false;
  for (std::size_t i = 0; i < kHttp.size(); ++i) {
    if ((text[i] | 0x20) != kHttp[i]) return false;
  }
  const std::size_t after = (text[4] | 0x20) == 's' ? 5 : 4;
  return text.substr(after).starts_with("://");
}

bool is_store_code(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (const char c : code) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::expected<DecodedScan, ScanError> from_gs1(Gs1Message&& message, int today_year) {
  DecodedScan scan;
  scan.kind = ScanKind::gs1;
  scan.symbology = message.symbology;
  scan.broken_rules = std::move(message.broken_rules);
  if (const auto* gtin = message.find("01")) scan.gtin = *gtin;
  if (const auto* lot = message.find("10")) scan.lot = *lot;
  if (const auto* serial = message.find("21")) scan.serial = *serial;
  if (const auto* expiry = message.find("17")) scan.expiry = gs1_date(*expiry, today_year).value_or("");
  for (const char* ai : {"30", "37"}) {
    if (const auto* count = message.find(ai)) scan.count = std::stoll(*count);
  }
  if (scan.gtin.empty() && message.find("02") != nullptr) scan.gtin = *message.find("02");
  const std::pair<const char*, std::string*> keys[] = {
      {"414", &scan.gln}, {"254", &scan.gln_extension}, {"8017", &scan.gsrn_provider}, {"8018", &scan.gsrn_recipient}};
  for (const auto& [ai, field] : keys) {
    if (const auto* value = message.find(ai)) *field = *value;
  }
  scan.elements = std::move(message.elements);
  // A lot, expiry or serial alone is valid GS1 data (its broken "goes with
  // (01)" rule says so): the scan session decides what it completes.
  return scan;
}

}  // namespace

std::string DecodedScan::sscc() const {
  for (const auto& e : elements) {
    if (e.ai == "00") return e.value;
  }
  return {};
}

namespace {

std::expected<DecodedScan, ScanError> from_hibc(const HibcLabel& label) {
  DecodedScan scan;
  scan.kind = ScanKind::hibc;
  if (label.primary) {
    scan.hibc_labeler = label.primary->labeler;
    scan.hibc_product = label.primary->product;
    scan.hibc_unit = label.primary->unit_of_measure;
  }
  if (label.secondary) {
    scan.lot = label.secondary->lot;
    scan.serial = label.secondary->serial;
    scan.expiry = label.secondary->expiry;
    if (label.secondary->quantity) scan.count = *label.secondary->quantity;
    scan.hibc_link = label.secondary->link;
  }
  return scan;
}

// A pack marked in ISO/IEC 15434: IFA's PPN (format 06) or GS1 data in the
// envelope (format 05). Both on one pack must name the same product.
std::expected<DecodedScan, ScanError> from_iso15434(std::string_view raw, int today_year) {
  auto message = parse_iso15434(raw, today_year);
  if (!message) return std::unexpected(message.error());
  std::expected<DecodedScan, ScanError> scan = DecodedScan{};
  if (message->gs1) {
    scan = from_gs1(std::move(*message->gs1), today_year);
    if (!scan) return scan;
  }
  if (message->ppn) {
    const auto& pack = *message->ppn;
    if (message->gs1 && !pack.gtin.empty() && !scan->gtin.empty() && pack.gtin != scan->gtin) {
      return fail("the pack's PPN and GS1 data name different products (" + pack.gtin + ", " + scan->gtin + ")");
    }
    scan->kind = ScanKind::ppn;
    scan->ppn = pack.ppn;
    if (scan->gtin.empty()) scan->gtin = pack.gtin;
    const std::pair<const std::string*, std::string*> fields[] = {
        {&pack.lot, &scan->lot}, {&pack.expiry, &scan->expiry}, {&pack.serial, &scan->serial}};
    for (const auto& [from, to] : fields) {
      if (!from->empty() && !to->empty() && *from != *to) {
        return fail("the pack's PPN and GS1 data disagree (" + *from + ", " + *to + ")");
      }
      if (!from->empty()) *to = *from;
    }
  }
  return scan;
}

std::expected<DecodedScan, ScanError> internal_code(ScanKind kind, std::string_view value) {
  DecodedScan scan;
  scan.kind = kind;
  if (kind != ScanKind::command) {
    if (!is_store_code(value)) {
      return fail(std::string(to_string(kind)) + " code '" + std::string(value.substr(0, 64)) +
                  "' is not 1-64 letters, digits, '-', '_' or '.'");
    }
    scan.code = std::string(value);
    return scan;
  }
  constexpr std::array<std::pair<std::string_view, Command>, 7> kCommands{{{"RECEIVE", Command::receive},
                                                                           {"ISSUE", Command::issue},
                                                                           {"TRANSFER", Command::transfer},
                                                                           {"COUNT", Command::count},
                                                                           {"UNDO", Command::undo},
                                                                           {"CONFIRM", Command::confirm},
                                                                           {"CANCEL", Command::cancel}}};
  for (const auto& [name, command] : kCommands) {
    if (value == name) {
      scan.command = command;
      return scan;
    }
  }
  if (value.starts_with("QTY:")) {
    const auto digits = value.substr(4);
    if (!all_digits(digits) || digits.size() > 6 || std::stoll(std::string(digits)) == 0) {
      return fail("a quantity code is QTY: followed by 1 to 999999");
    }
    scan.command = Command::quantity;
    scan.command_quantity = std::stoll(std::string(digits));
    return scan;
  }
  return fail("unknown command code '" + std::string(value.substr(0, 32)) + "'");
}

}  // namespace

std::string_view to_string(ScanKind kind) {
  switch (kind) {
    case ScanKind::gs1:
      return "gs1";
    case ScanKind::hibc:
      return "hibc";
    case ScanKind::retail:
      return "retail";
    case ScanKind::location:
      return "location";
    case ScanKind::operator_badge:
      return "operator";
    case ScanKind::command:
      return "command";
    case ScanKind::ppn:
      return "ppn";
    case ScanKind::product_code:
      return "product_code";
  }
  return "unknown";
}

std::string_view to_string(Command command) {
  switch (command) {
    case Command::receive:
      return "receive";
    case Command::issue:
      return "issue";
    case Command::transfer:
      return "transfer";
    case Command::count:
      return "count";
    case Command::quantity:
      return "quantity";
    case Command::undo:
      return "undo";
    case Command::confirm:
      return "confirm";
    case Command::cancel:
      return "cancel";
  }
  return "unknown";
}

std::expected<DecodedScan, ScanError> decode_scan(std::string_view raw, const DecodeContext& context) {
  while (!raw.empty() && (raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
  if (raw.empty()) return fail("empty scan");
  if (raw.size() > kMaxScanLength) return fail("the scan is longer than 4096 characters", kMaxScanLength);
  if (const auto bad = invalid_utf8_at(raw); bad != std::string_view::npos) {
    return fail("the scan is not valid text (a broken character)", bad);
  }
  if (raw.starts_with(kIso15434Header)) return from_iso15434(raw, context.today_year);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x20 && c != 0x1d) return fail("the scan has a control character that no barcode here carries", i);
  }

  const auto& scheme = context.scheme;
  const std::pair<const std::string*, ScanKind> internal[] = {{&scheme.location, ScanKind::location},
                                                              {&scheme.operator_badge, ScanKind::operator_badge},
                                                              {&scheme.command, ScanKind::command},
                                                              {&scheme.product_code, ScanKind::product_code}};
  for (const auto& [prefix, kind] : internal) {
    if (!prefix->empty() && raw.starts_with(*prefix)) return internal_code(kind, raw.substr(prefix->size()));
  }

  std::string_view identifier;
  std::string_view body = raw;
  if (raw.size() >= 3 && raw[0] == ']') {
    identifier = raw.substr(0, 3);
    body = raw.substr(3);
  }
  if (looks_like_link(body)) {
    auto message = parse_gs1_digital_link(body, context.today_year);
    if (!message) return std::unexpected(message.error());
    message->symbology = std::string(identifier);
    return from_gs1(std::move(*message), context.today_year);
  }
  if (body.starts_with('+')) {
    auto label = parse_hibc(raw);
    if (!label) return std::unexpected(label.error());
    auto scan = from_hibc(*label);
    if (scan) scan->symbology = std::string(identifier);
    return scan;
  }
  if (body.starts_with('(')) {
    auto message = parse_gs1_human_readable(body, context.today_year);
    if (!message) return std::unexpected(message.error());
    return from_gs1(std::move(*message), context.today_year);
  }
  // EAN/UPC: ]E0 (EAN-13, UPC-A, UPC-E), ]E4 (EAN-8), ]I1 (ITF-14), or bare digits.
  const bool retail_identifier = identifier == "]E0" || identifier == "]E4" || identifier == "]I1";
  if (retail_identifier || (identifier.empty() && all_digits(body) &&
                            (body.size() == 8 || body.size() == 12 || body.size() == 13 || body.size() == 14))) {
    DecodedScan scan;
    scan.kind = ScanKind::retail;
    scan.symbology = std::string(identifier);
    auto gtin = identifier == "]E0" && body.size() == 8 ? expand_upc_e(body) : normalize_gtin(body);
    if (!gtin) return fail(gtin.error(), identifier.size());
    scan.gtin = *gtin;
    return scan;
  }
  auto message = parse_gs1_element_string(raw, context.today_year);
  if (!message) {
    if (identifier.empty() && !all_digits(body.substr(0, 2))) {
      return fail("not a barcode edgestock knows (GS1, HIBC, EAN/UPC or a store code)");
    }
    return std::unexpected(message.error());
  }
  return from_gs1(std::move(*message), context.today_year);
}

bool names_a_patient(const DecodedScan& scan) {
  if (!scan.gsrn_recipient.empty()) return true;
  for (const auto& e : scan.elements) {
    if (e.ai.starts_with("725")) return true;
  }
  return false;
}

std::string unescape_scan(std::string_view typed) {
  std::string raw;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    const auto rest = typed.substr(i);
    if (rest.starts_with("<GS>") || rest.starts_with("{GS}") || rest.starts_with("\\x1d") ||
        rest.starts_with("\\x1D")) {
      raw += '\x1d';
      i += 3;
    } else if (rest.starts_with("<RS>") || rest.starts_with("\\x1e") || rest.starts_with("\\x1E")) {
      raw += '\x1e';  // ISO/IEC 15434's record separator
      i += 3;
    } else if (rest.starts_with("<EOT>")) {
      raw += '\x04';
      i += 4;
    } else if (rest.starts_with("\\x04")) {
      raw += '\x04';
      i += 3;
    } else if (rest.starts_with("\\\\")) {
      raw += '\\';
      i += 1;
    } else {
      raw += typed[i];
    }
  }
  return raw;
}

std::string escape_scan(std::string_view raw) {
  std::string out;
  for (const char c : raw) {
    if (c == '\x1d') {
      out += "<GS>";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace edgestock::scanners
