#include "edgestock/scanners/gs1.hpp"

#include <array>
#include <cstdio>
#include <optional>

#include "edgestock/scanners/gtin.hpp"
#include "gs1_ai_table.hpp"

namespace edgestock::scanners {
namespace {

constexpr char kGroupSeparator = '\x1d';

std::unexpected<ScanError> fail(std::string reason, std::size_t position) {
  return std::unexpected(ScanError{std::move(reason), position});
}

// GS1 AI encodable character set 82 (General Specifications, figure 7.11-1).
bool in_cset82(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kPunctuation = "!\"%&'()*+,-./:;<=>?_";
  return kPunctuation.find(c) != std::string_view::npos;
}

bool is_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

int two_digits(std::string_view text, std::size_t at) {
  return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
}

// Checks one element's value against its AI's format; "" when it is valid.
std::string check_value(const gs1::AiFormat& format, std::string_view ai, std::string_view value, int today_year) {
  const std::string name = "AI (" + std::string(ai) + ") " + std::string(format.title);
  if (static_cast<int>(value.size()) < format.min_length || static_cast<int>(value.size()) > format.max_length) {
    if (format.min_length == format.max_length) {
      return name + " needs " + std::to_string(format.min_length) + " characters, not " + std::to_string(value.size());
    }
    return name + " takes 1 to " + std::to_string(format.max_length) + " characters, not " +
           std::to_string(value.size());
  }
  for (const char c : value) {
    if (format.charset == gs1::Charset::numeric ? (c < '0' || c > '9') : !in_cset82(c)) {
      return name +
             (format.charset == gs1::Charset::numeric ? " takes digits only" : " has a character GS1 does not allow");
    }
  }
  switch (format.check) {
    case gs1::Check::gs1_mod10:
      if (gs1_check_digit(value.substr(0, value.size() - 1)) != value.back()) {
        return name + ": wrong check digit " + std::string(1, value.back()) + ", expected " +
               std::string(1, gs1_check_digit(value.substr(0, value.size() - 1)));
      }
      break;
    case gs1::Check::date_yymmdd:
    case gs1::Check::date_yymmdd_day00:
      if (auto date = gs1_date(value, today_year); !date) return name + ": " + date.error();
      break;
    case gs1::Check::date_time: {
      if (auto date = gs1_date(value.substr(0, 6), today_year); !date || value.substr(4, 2) == "00") {
        return name + ": not a date and time (YYMMDDhhmm)";
      }
      if (two_digits(value, 6) > 23 || two_digits(value, 8) > 59) return name + ": not a time of day (hhmm)";
      break;
    }
    case gs1::Check::none:
      break;
  }
  return {};
}

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
  if (yymmdd.size() != 6 || !is_digits(yymmdd)) return std::unexpected("a date is six digits, YYMMDD");
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
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  return std::string(text);
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
  std::string_view matched;
  const auto format = gs1::match_ai(ai, matched);
  return format && matched == ai ? format->title : std::string_view("UNKNOWN");
}

std::expected<Gs1Message, ScanError> parse_gs1_element_string(std::string_view scan, int today_year) {
  Gs1Message message;
  std::string_view rest = scan;
  message.symbology = std::string(take_symbology(rest));
  // A leading FNC1 (some scanners send it) carries no data.
  rest.remove_prefix(separator_at(rest));
  if (rest.empty()) return fail("no GS1 data after the symbology identifier", scan.size());
  while (!rest.empty()) {
    const std::size_t at = scan.size() - rest.size();
    std::string_view ai;
    const auto format = gs1::match_ai(rest, ai);
    if (!format) {
      return fail("unknown or unsupported Application Identifier at \"" + std::string(rest.substr(0, 4)) + "\"", at);
    }
    const auto& rules = *format;
    rest.remove_prefix(ai.size());
    std::string_view value;
    if (rules.min_length == rules.max_length) {
      if (rest.size() < static_cast<std::size_t>(rules.min_length)) {
        return fail("AI (" + std::string(ai) + ") " + std::string(rules.title) + " needs " +
                        std::to_string(rules.min_length) + " characters, only " + std::to_string(rest.size()) +
                        " follow",
                    at);
      }
      value = rest.substr(0, static_cast<std::size_t>(rules.min_length));
      rest.remove_prefix(value.size());
    } else {
      std::size_t end = 0;
      while (end < rest.size() && separator_at(rest.substr(end)) == 0) ++end;
      value = rest.substr(0, end);
      rest.remove_prefix(end);
    }
    if (auto problem = check_value(rules, ai, value, today_year); !problem.empty()) return fail(problem, at);
    const std::size_t separator = separator_at(rest);
    if (separator > 0) {
      rest.remove_prefix(separator);
      if (rest.empty()) return fail("a separator ends the scan with no data after it", scan.size());
    } else if (!rest.empty() && !gs1::has_predefined_length(ai) && rules.min_length != rules.max_length) {
      return fail("a separator is missing after AI (" + std::string(ai) + ")", scan.size() - rest.size());
    }
    message.elements.push_back({std::string(ai), std::string(value)});
  }
  return message;
}

std::expected<Gs1Message, ScanError> parse_gs1_human_readable(std::string_view text, int today_year) {
  Gs1Message message;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] != '(') return fail("expected \"(\" to open an Application Identifier", pos);
    const auto close = text.find(')', pos);
    if (close == std::string_view::npos) return fail("an Application Identifier is not closed with \")\"", pos);
    const auto ai = text.substr(pos + 1, close - pos - 1);
    std::string_view matched;
    const auto format = gs1::match_ai(ai, matched);
    if (!format || matched != ai) return fail("unknown Application Identifier (" + std::string(ai) + ")", pos);
    auto next = text.find('(', close + 1);
    if (next == std::string_view::npos) next = text.size();
    const auto value = text.substr(close + 1, next - close - 1);
    if (auto problem = check_value(*format, ai, value, today_year); !problem.empty()) return fail(problem, pos);
    message.elements.push_back({std::string(ai), std::string(value)});
    pos = next;
  }
  if (message.elements.empty()) return fail("no Application Identifiers", 0);
  return message;
}

namespace {

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int high = hex(text[i + 1]);
    const int low = hex(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

}  // namespace

std::expected<Gs1Message, ScanError> parse_gs1_digital_link(std::string_view uri, int today_year) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos ||
      (uri.substr(0, scheme_end) != "https" && uri.substr(0, scheme_end) != "http")) {
    return fail("a GS1 Digital Link starts with https://", 0);
  }
  const auto path_start = uri.find('/', scheme_end + 3);
  if (path_start == std::string_view::npos) return fail("the link has no path", uri.size());
  const auto query_start = uri.find('?', path_start);
  const auto path =
      uri.substr(path_start, query_start == std::string_view::npos ? std::string_view::npos : query_start - path_start);
  // Segments after the domain; the link's AIs are the last pairs of the path,
  // starting at a primary key (01 for a trade item), whatever the domain's own
  // prefix path is.
  std::vector<std::string_view> segments;
  for (std::size_t pos = 1; pos <= path.size();) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) segments.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  std::size_t first = segments.size();
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i] == "01" || segments[i] == "00" || segments[i] == "414") {
      first = i;
      break;
    }
  }
  if (first == segments.size()) return fail("no primary key (01 GTIN) in the link's path", path_start);
  if ((segments.size() - first) % 2 != 0) return fail("an Application Identifier in the path has no value", path_start);
  Gs1Message message;
  auto add = [&](std::string_view ai, std::string_view raw_value, std::size_t at) -> std::optional<ScanError> {
    std::string_view matched;
    const auto format = gs1::match_ai(ai, matched);
    if (!format || matched != ai) return ScanError{"unknown Application Identifier " + std::string(ai), at};
    const auto value = percent_decode(raw_value);
    if (!value) return ScanError{"bad percent-encoding in the value of AI " + std::string(ai), at};
    if (auto problem = check_value(*format, ai, *value, today_year); !problem.empty()) return ScanError{problem, at};
    message.elements.push_back({std::string(ai), *value});
    return std::nullopt;
  };
  for (std::size_t i = first; i < segments.size(); i += 2) {
    if (auto error = add(segments[i], segments[i + 1], path_start)) return std::unexpected(*error);
  }
  if (query_start != std::string_view::npos) {
    auto query = uri.substr(query_start + 1);
    const auto fragment = query.find('#');
    if (fragment != std::string_view::npos) query = query.substr(0, fragment);
    for (std::size_t pos = 0; pos < query.size();) {
      auto amp = query.find('&', pos);
      if (amp == std::string_view::npos) amp = query.size();
      const auto pair = query.substr(pos, amp - pos);
      const auto equals = pair.find('=');
      const auto key = pair.substr(0, equals);
      // Non-numeric keys (linkType, ...) are for resolvers, not for stock.
      if (equals != std::string_view::npos && is_digits(key)) {
        if (auto error = add(key, pair.substr(equals + 1), query_start + 1 + pos)) return std::unexpected(*error);
      }
      pos = amp + 1;
    }
  }
  return message;
}

}  // namespace edgestock::scanners
