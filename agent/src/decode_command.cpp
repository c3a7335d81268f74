#include "decode_command.hpp"

#include <nlohmann/json.hpp>

#include "edgestock/scanners/gs1.hpp"
#include "edgestock/scanners/scan.hpp"
#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/dates.hpp"

namespace edgestock::agent {
namespace {

// A patient's wristband number and the patient data beside it (AIs 8018,
// 7250-7259) are not repeated, even to support staff: their output gets
// pasted into tickets.
std::string shown_value(const scanners::Gs1Element& e) {
  if (e.ai == "8018" || e.ai.starts_with("725")) return "[patient data, not shown]";
  return e.value;
}

nlohmann::ordered_json as_json(const scanners::DecodedScan& s) {
  nlohmann::ordered_json j{{"ok", true}, {"kind", std::string(scanners::to_string(s.kind))}};
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) j[key] = value;
  };
  put("symbology", s.symbology);
  put("gtin", s.gtin);
  put("hibc_labeler", s.hibc_labeler);
  put("hibc_product", s.hibc_product);
  if (s.hibc_unit) j["hibc_unit"] = *s.hibc_unit;
  if (s.hibc_link) j["hibc_link"] = std::string(1, *s.hibc_link);
  put("ppn", s.ppn);
  put("gln", s.gln);
  put("gln_extension", s.gln_extension);
  put("gsrn_provider", s.gsrn_provider);
  if (!s.gsrn_recipient.empty()) j["patient_wristband"] = true;
  put("lot", s.lot);
  put("serial", s.serial);
  put("expiry", s.expiry);
  if (s.count) j["count"] = *s.count;
  put("code", s.code);
  if (s.command) j["command"] = std::string(scanners::to_string(*s.command));
  if (s.command == scanners::Command::quantity) j["quantity"] = s.command_quantity;
  if (!s.elements.empty()) {
    auto& elements = j["elements"] = nlohmann::ordered_json::array();
    for (const auto& e : s.elements) {
      elements.push_back(
          {{"ai", e.ai}, {"title", std::string(scanners::gs1_ai_title(e.ai))}, {"value", shown_value(e)}});
    }
  }
  if (!s.broken_rules.empty()) {
    auto& warnings = j["warnings"] = nlohmann::ordered_json::array();
    for (const auto& rule : s.broken_rules) {
      warnings.push_back({{"rule", rule.kind == scanners::Gs1BrokenRule::Kind::needs ? "requires" : "excludes"},
                          {"ai", rule.ai},
                          {"meaning", rule.meaning}});
    }
  }
  return j;
}

void print_text(const scanners::DecodedScan& s, int year, std::ostream& out) {
  out << scanners::to_string(s.kind);
  if (!s.symbology.empty()) out << " (" << s.symbology << ")";
  out << "\n";
  auto line = [&](const char* name, const std::string& value) {
    if (!value.empty()) out << "  " << name << std::string(14 - std::string(name).size(), ' ') << value << "\n";
  };
  for (const auto& e : s.elements) {
    std::string value = shown_value(e);
    if (e.ai == "11" || e.ai == "13" || e.ai == "15" || e.ai == "16" || e.ai == "17") {
      value += " = " + scanners::gs1_date(e.value, year).value_or("?");
    } else if (e.ai.size() == 4 && e.ai[0] == '3') {
      value += " = " + scanners::gs1_measure(e.ai, e.value);
    }
    out << "  (" << e.ai << ") " << scanners::gs1_ai_title(e.ai) << ": " << value << "\n";
  }
  // Valid syntax that breaks an association rule: GS1 checks these over every
  // barcode on the item, so the scan session decides what each one means.
  for (const auto& rule : s.broken_rules) out << "  warning: " << rule.meaning << "\n";
  if (s.elements.empty()) {
    line("ppn", s.ppn);
    line("gtin", s.gtin);
    line("labeler", s.hibc_labeler);
    line("product", s.hibc_product);
    if (s.hibc_unit) line("unit", std::to_string(*s.hibc_unit));
    line("lot", s.lot);
    line("serial", s.serial);
    line("expiry", s.expiry);
    if (s.count) line("quantity", std::to_string(*s.count));
    if (s.hibc_link) line("link", std::string(1, *s.hibc_link));
    line("code", s.code);
    if (s.command) line("command", std::string(scanners::to_string(*s.command)));
    if (s.command == scanners::Command::quantity) line("quantity", std::to_string(s.command_quantity));
  }
}

}  // namespace

int run_decode(const std::vector<std::string>& texts, bool json, std::istream& in, std::ostream& out) {
  scanners::DecodeContext context;
  context.today_year = storage::utc_year(storage::SystemClock().now_ms());
  bool all_ok = true;
  auto decode_one = [&](const std::string& typed) {
    const std::string raw = scanners::unescape_scan(typed);
    const auto scan = scanners::decode_scan(raw, context);
    if (json) {
      if (scan) {
        out << as_json(*scan).dump() << "\n";
      } else {
        out << nlohmann::ordered_json{{"ok", false},
                                      {"reason", scan.error().reason},
                                      {"position", scan.error().position},
                                      {"raw", scanners::escape_scan(raw)}}
                   .dump()
            << "\n";
      }
    } else if (scan) {
      print_text(*scan, context.today_year, out);
    } else {
      out << "refused: " << scan.error().reason << " (at character " << scan.error().position + 1 << " of \""
          << scanners::escape_scan(raw.substr(0, 200)) << "\")\n";
    }
    all_ok = all_ok && scan.has_value();
  };
  if (!texts.empty()) {
    for (const auto& text : texts) decode_one(text);
  } else {
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) decode_one(line);
    }
  }
  return all_ok ? 0 : 1;
}

}  // namespace edgestock::agent
