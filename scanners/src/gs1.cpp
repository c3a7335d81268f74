#include "edgestock/scanners/gs1.hpp"

#include "gs1_ai_table.hpp"
#include "gs1_values.hpp"

namespace edgestock::scanners {
namespace {

constexpr char kGroupSeparator = '\x1d';

using gs1::all_digits;
using gs1::refusal;

int two_digits(std::string_view text, std::size_t at) {
  return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

using gs1::days_in_month;

// Strips a symbology identifier such as "]C1" or "]d2".
std::string_view take_symbology(std::string_view& text) {
  if (text.size() >= 3 && text[0] == ']') {
    const auto identifier = text.substr(0, 3);
    text.remove_prefix(3);
    return identifier;
  }
  return {};
}

// Length of a separator at the start of `text`: GS, '#' or "Alt029".
std::size_t separator_at(std::string_view text) {
  if (text.empty()) return 0;
  if (text[0] == kGroupSeparator || text[0] == '#') return 1;
  if (text.substr(0, 6) == "Alt029") return 6;
  return 0;
}

}  // namespace

const std::string* Gs1Message::find(std::string_view ai) const {
  for (const auto& element : elements) {
    if (element.ai == ai) return &element.value;
  }
  return nullptr;
}

std::expected<std::string, std::string> gs1_date(std::string_view yymmdd, int today_year) {
  if (yymmdd.size() != 6 || !all_digits(yymmdd)) return std::unexpected("a date is six digits, YYMMDD");
  const int yy = two_digits(yymmdd, 0);
  const int month = two_digits(yymmdd, 2);
  int day = two_digits(yymmdd, 4);
  // Century (7.12): within 49 years ahead, or 50 behind, of the current year.
  const int current_yy = today_year % 100;
  const int century = today_year - current_yy;
  int year = century + yy;
  const int difference = yy - current_yy;
  if (difference >= 51) year -= 100;
  if (difference <= -50) year += 100;
  if (month < 1 || month > 12) return std::unexpected("month " + std::to_string(month) + " does not exist");
  if (day == 0) day = days_in_month(year, month);  // only year and month known
  if (day > days_in_month(year, month)) {
    return std::unexpected("day " + std::to_string(day) + " does not exist in " + std::to_string(year) + "-" +
                           (month < 10 ? "0" : "") + std::to_string(month));
  }
  // YYYY-MM-DD by hand: this runs for every expiry scanned.
  std::string text = "0000-00-00";
  for (int i = 3, y = year; i >= 0; --i, y /= 10) text[static_cast<std::size_t>(i)] = static_cast<char>('0' + y % 10);
  text[5] = static_cast<char>('0' + month / 10);
  text[6] = static_cast<char>('0' + month % 10);
  text[8] = static_cast<char>('0' + day / 10);
  text[9] = static_cast<char>('0' + day % 10);
  return text;
}

std::string gs1_measure(std::string_view ai, std::string_view digits) {
  if (ai.size() != 4 || digits.empty()) return std::string(digits);
  const auto decimals = static_cast<std::size_t>(ai[3] - '0');
  std::string padded(digits);
  if (padded.size() <= decimals) padded.insert(0, decimals + 1 - padded.size(), '0');
  std::string whole = padded.substr(0, padded.size() - decimals);
  std::string fraction = padded.substr(padded.size() - decimals);
  while (whole.size() > 1 && whole.front() == '0') whole.erase(0, 1);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

std::string_view gs1_ai_title(std::string_view ai) {
  const auto* entry = gs1::find_ai(ai);
  return entry != nullptr ? std::string_view(entry->title) : std::string_view("UNKNOWN");
}

std::expected<Gs1Message, ScanError> parse_gs1_element_string(std::string_view scan, int today_year) {
  Gs1Message message;
  message.elements.reserve(8);
  std::string_view rest = scan;
  message.symbology = std::string(take_symbology(rest));
  // A leading FNC1 (some scanners send it) carries no data.
  rest.remove_prefix(separator_at(rest));
  if (rest.empty()) return refusal("no GS1 data after the symbology identifier", scan.size());
  while (!rest.empty()) {
    const std::size_t at = scan.size() - rest.size();
    std::string_view ai;
    const auto* entry = gs1::match_ai(rest, ai);
    if (entry == nullptr) {
      return refusal("unknown or unsupported Application Identifier at \"" + std::string(rest.substr(0, 4)) + "\"", at);
    }
    rest.remove_prefix(ai.size());
    std::string_view value;
    if (entry->predefined_length) {
      // General Specifications figure 7.8.5-2: these AIs have a predefined
      // length and need no FNC1 after them.
      const auto length = static_cast<std::size_t>(entry->max_length());
      if (rest.size() < length) {
        return refusal("AI (" + std::string(ai) + ") " + entry->title + " needs " + std::to_string(length) +
                           " characters, only " + std::to_string(rest.size()) + " follow",
                       at);
      }
      value = rest.substr(0, length);
    } else {
      // Every other AI ends at a separator or at the end of the scan, even
      // when its length is fixed (7.8.5).
      std::size_t end = 0;
      while (end < rest.size() && separator_at(rest.substr(end)) == 0) ++end;
      value = rest.substr(0, end);
    }
    rest.remove_prefix(value.size());
    if (auto problem = gs1::check_value(*entry, ai, value, today_year); !problem.empty()) {
      if (!entry->predefined_length && static_cast<int>(value.size()) > entry->max_length()) {
        problem += ": is a separator (FNC1) missing after it?";
      }
      return refusal(problem, at);
    }
    const std::size_t separator = separator_at(rest);
    if (separator > 0) {
      rest.remove_prefix(separator);
      if (rest.empty()) return refusal("a separator ends the scan with no data after it", scan.size());
    }
    if (auto problem = gs1::add_element(message, ai, std::string(value)); !problem.empty()) return refusal(problem, at);
  }
  message.broken_rules = gs1_broken_rules(message.elements);
  return message;
}

std::expected<Gs1Message, ScanError> parse_gs1_human_readable(std::string_view text, int today_year) {
  Gs1Message message;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] != '(') return refusal("expected \"(\" to open an Application Identifier", pos);
    const auto close = text.find(')', pos);
    if (close == std::string_view::npos) return refusal("an Application Identifier is not closed with \")\"", pos);
    const auto ai = text.substr(pos + 1, close - pos - 1);
    const auto* entry = gs1::find_ai(ai);
    if (entry == nullptr) return refusal("unknown Application Identifier (" + std::string(ai) + ")", pos);
    auto next = text.find('(', close + 1);
    if (next == std::string_view::npos) next = text.size();
    const auto value = text.substr(close + 1, next - close - 1);
    if (auto problem = gs1::check_value(*entry, ai, value, today_year); !problem.empty()) return refusal(problem, pos);
    if (auto problem = gs1::add_element(message, ai, std::string(value)); !problem.empty())
      return refusal(problem, pos);
    pos = next;
  }
  if (message.elements.empty()) return refusal("no Application Identifiers", 0);
  message.broken_rules = gs1_broken_rules(message.elements);
  return message;
}

}  // namespace edgestock::scanners
