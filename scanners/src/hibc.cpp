#include "edgestock/scanners/hibc.hpp"

#include <array>
#include <cstdio>

namespace edgestock::scanners {
namespace {

// Code 39's 43 characters in their check-value order.
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";

std::unexpected<ScanError> fail(std::string reason, std::size_t position) {
  return std::unexpected(ScanError{"HIBC: " + std::move(reason), position});
}

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}
bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
int number(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

std::optional<std::string> calendar(int year, int month, int day) {
  constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return std::nullopt;
  const int last = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day == 0) day = last;  // month and year only: the month's last day
  if (day < 1 || day > last) return std::nullopt;
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  return std::string(text);
}

std::optional<std::string> julian(int year, int day_of_year) {
  const int days = is_leap(year) ? 366 : 365;
  if (day_of_year < 1 || day_of_year > days) return std::nullopt;
  constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int month = 1;
  int remaining = day_of_year;
  for (; month <= 12; ++month) {
    const int in_month = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
    if (remaining <= in_month) break;
    remaining -= in_month;
  }
  return calendar(year, month, remaining);
}

// Reads the date field whose format character is `format`, from `text`.
// Returns the characters used, or nullopt with `problem` set.
std::optional<std::size_t> read_date(char format, std::string_view text, HibcSecondary& out, std::string& problem) {
  struct Layout {
    std::size_t length;
    const char* name;
  };
  Layout layout{};
  switch (format) {
    case '0':
    case '1':
      layout = {4, "MMYY"};
      break;
    case '2':
      layout = {7, "2MMDDYY"};
      break;
    case '3':
      layout = {7, "3YYMMDD"};
      break;
    case '4':
      layout = {9, "4YYMMDDHH"};
      break;
    case '5':
      layout = {6, "5YYJJJ"};
      break;
    case '6':
      layout = {8, "6YYJJJHH"};
      break;
    case '7':
      return 1;  // no date
    default:
      problem = "unknown date format '" + std::string(1, format) + "'";
      return std::nullopt;
  }
  if (text.size() < layout.length || !all_digits(text.substr(0, layout.length))) {
    problem = std::string("the expiry date does not match its format ") + layout.name;
    return std::nullopt;
  }
  const auto d = text.substr(format <= '1' ? 0 : 1, layout.length - (format <= '1' ? 0 : 1));
  std::optional<std::string> date;
  switch (format) {
    case '0':
    case '1':
      date = calendar(2000 + number(d.substr(2, 2)), number(d.substr(0, 2)), 0);
      break;
    case '2':
      date = calendar(2000 + number(d.substr(4, 2)), number(d.substr(0, 2)), number(d.substr(2, 2)));
      break;
    case '3':
    case '4':
      date = calendar(2000 + number(d.substr(0, 2)), number(d.substr(2, 2)), number(d.substr(4, 2)));
      break;
    case '5':
    case '6':
      date = julian(2000 + number(d.substr(0, 2)), number(d.substr(2, 3)));
      break;
    default:
      break;
  }
  if (!date) {
    problem = "the expiry date " + std::string(d) + " (" + layout.name + ") is not a real date";
    return std::nullopt;
  }
  out.expiry = *date;
  if (format == '4' || format == '6') {
    out.expiry_hour = std::string(d.substr(d.size() - 2));
    if (number(out.expiry_hour) > 23) {
      problem = "the expiry hour " + out.expiry_hour + " is not an hour of the day";
      return std::nullopt;
    }
  }
  return layout.length;
}

// Parses secondary data (after "+" or "/"), up to but excluding the trailing
// link/check characters, which the caller has removed.
std::optional<HibcSecondary> parse_secondary(std::string_view data, std::string& problem) {
  HibcSecondary out;
  bool serial = false;
  std::size_t pos = 0;
  if (data.substr(0, 2) == "$$") {
    pos = 2;
    if (pos < data.size() && data[pos] == '+') {
      serial = true;
      ++pos;
    }
    if (pos < data.size() && (data[pos] == '8' || data[pos] == '9')) {
      const std::size_t digits = data[pos] == '8' ? 2 : 5;
      if (data.size() < pos + 1 + digits || !all_digits(data.substr(pos + 1, digits))) {
        problem = "the quantity after $$" + std::string(1, data[pos]) + " needs " + std::to_string(digits) + " digits";
        return std::nullopt;
      }
      out.quantity = number(data.substr(pos + 1, digits));
      pos += 1 + digits;
    }
    if (pos >= data.size()) {
      problem = "the date format is missing after $$";
      return std::nullopt;
    }
    const auto used = read_date(data[pos], data.substr(pos), out, problem);
    if (!used) return std::nullopt;
    pos += *used;
  } else if (data.substr(0, 1) == "$") {
    pos = 1;
    if (pos < data.size() && data[pos] == '+') {
      serial = true;
      ++pos;
    }
  } else if (data.size() >= 5 && all_digits(data.substr(0, 5))) {
    const auto date = julian(2000 + number(data.substr(0, 2)), number(data.substr(2, 3)));
    if (!date) {
      problem = "the date " + std::string(data.substr(0, 5)) + " (YYJJJ) is not a real date";
      return std::nullopt;
    }
    out.expiry = *date;
    pos = 5;
  } else {
    problem = "secondary data starts with $, $$ or a five-digit date";
    return std::nullopt;
  }
  const auto rest = data.substr(pos);
  if (rest.size() > 18) {
    problem = "a lot or serial number has at most 18 characters";
    return std::nullopt;
  }
  for (const char c : rest) {
    if (!is_alnum(c) && c != '-' && c != '.' && c != ' ' && c != '$' && c != '/' && c != '+' && c != '%') {
      problem = "character not allowed in a lot or serial number";
      return std::nullopt;
    }
  }
  (serial ? out.serial : out.lot) = std::string(rest);
  return out;
}

std::optional<HibcPrimary> parse_primary(std::string_view data, std::string& problem) {
  // LIC (4) + PCN (1-18) + unit of measure (1 digit)
  if (data.size() < 6) {
    problem = "a primary structure has a 4-character labeler code, a product number and a unit of measure";
    return std::nullopt;
  }
  if (data[0] < 'A' || data[0] > 'Z') {
    problem = "the labeler code starts with a letter";
    return std::nullopt;
  }
  for (const char c : data) {
    if (!is_alnum(c)) {
      problem = "the primary structure has letters and digits only";
      return std::nullopt;
    }
  }
  if (data.size() - 5 > 18) {
    problem = "the product number has at most 18 characters";
    return std::nullopt;
  }
  if (data.back() < '0' || data.back() > '9') {
    problem = "the unit of measure is one digit";
    return std::nullopt;
  }
  return HibcPrimary{std::string(data.substr(0, 4)), std::string(data.substr(4, data.size() - 5)), data.back() - '0',
                     0};
}

}  // namespace

std::expected<char, std::string> hibc_check_character(std::string_view data) {
  int sum = 0;
  for (const char c : data) {
    const auto value = kAlphabet.find(c);
    if (value == std::string_view::npos)
      return std::unexpected(std::string("character '") + c + "' is not in HIBC's set");
    sum += static_cast<int>(value);
  }
  return kAlphabet[static_cast<std::size_t>(sum % 43)];
}

std::expected<HibcLabel, ScanError> parse_hibc(std::string_view scan) {
  std::size_t offset = 0;
  if (scan.size() >= 3 && scan[0] == ']') offset = 3;  // symbology identifier
  const auto text = scan.substr(offset);
  if (text.size() < 3 || text[0] != '+') return fail("an HIBC label starts with '+'", offset);
  const auto body = text.substr(0, text.size() - 1);
  const auto check = hibc_check_character(body);
  if (!check) return fail(check.error(), offset);
  if (*check != text.back()) {
    return fail(std::string("wrong check character '") + text.back() + "', expected '" + *check + "'",
                offset + text.size() - 1);
  }
  const auto data = body.substr(1);  // after '+'
  std::string problem;
  HibcLabel label;
  const bool secondary_only = data[0] == '$' || (data.size() >= 5 && all_digits(data.substr(0, 5)));
  if (secondary_only) {
    // Standalone secondary: the last character before the check links it to its primary.
    if (data.size() < 2) return fail("the secondary structure is too short", offset);
    auto secondary = parse_secondary(data.substr(0, data.size() - 1), problem);
    if (!secondary) return fail(problem, offset);
    secondary->link = data.back();
    label.secondary = std::move(secondary);
    return label;
  }
  const auto slash = data.find('/');
  auto primary = parse_primary(data.substr(0, slash), problem);
  if (!primary) return fail(problem, offset);
  if (slash == std::string_view::npos) {
    primary->check = text.back();
    label.primary = std::move(primary);
    return label;
  }
  // Concatenated: one check character for both; no link character.
  auto secondary = parse_secondary(data.substr(slash + 1), problem);
  if (!secondary) return fail(problem, offset + 1 + slash + 1);
  label.primary = std::move(primary);
  label.secondary = std::move(secondary);
  return label;
}

}  // namespace edgestock::scanners
