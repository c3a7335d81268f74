#include "edgestock/storage/dates.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace edgestock::storage {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::sys_days;
using Instant = std::chrono::sys_time<milliseconds>;

struct Civil {
  std::chrono::year_month_day date{};
  std::chrono::hh_mm_ss<milliseconds> time{};
};

Civil civil(std::int64_t unix_ms) {
  const Instant at{milliseconds(unix_ms)};
  const auto day = std::chrono::floor<days>(at);  // floor: before 1970 too
  return {std::chrono::year_month_day(day), std::chrono::hh_mm_ss<milliseconds>(at - day)};
}

// Reads exactly `width` digits at text[at...]; -1 if any is not a digit.
int digits(std::string_view text, std::size_t at, std::size_t width) {
  if (at + width > text.size()) return -1;
  int value = 0;
  const auto* first = text.data() + at;
  const auto [end, error] = std::from_chars(first, first + width, value);
  return error == std::errc() && end == first + width && text[at] != '-' && text[at] != '+' ? value : -1;
}

std::optional<std::int64_t> instant_of(int year, unsigned month, unsigned day, int hour, int minute, int second) {
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!date.ok() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;  // 60: a leap second, read as the next second's start
  }
  const auto at =
      sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second);
  return std::chrono::duration_cast<milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

std::string_view format_rfc3339_ms(std::int64_t unix_ms, char (&buffer)[32]) {
  const Civil c = civil(unix_ms);
  const int written =
      std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(c.date.year()),
                    unsigned(c.date.month()), unsigned(c.date.day()), int(c.time.hours().count()),
                    int(c.time.minutes().count()), int(c.time.seconds().count()), int(c.time.subseconds().count()));
  return {buffer, written > 0 ? static_cast<std::size_t>(written) : 0};
}

std::string rfc3339_ms(std::int64_t unix_ms) {
  char buffer[32];
  return std::string(format_rfc3339_ms(unix_ms, buffer));
}

std::string utc_date(std::int64_t unix_ms, int plus_days) {
  const auto c = civil(unix_ms);
  const std::chrono::year_month_day date(sys_days(c.date) + days(plus_days));
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(date.year()), unsigned(date.month()), unsigned(date.day()));
  return text;
}

int utc_year(std::int64_t unix_ms) {
  return int(civil(unix_ms).date.year());
}

std::string odoo_datetime(std::int64_t unix_ms) {
  const Civil c = civil(unix_ms);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d:%02d", int(c.date.year()), unsigned(c.date.month()),
                unsigned(c.date.day()), int(c.time.hours().count()), int(c.time.minutes().count()),
                int(c.time.seconds().count()));
  return text;
}

std::optional<std::int64_t> parse_odoo_datetime(std::string_view text) {
  // 0123456789012345678
  // 2026-11-24 06:34:25
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const int year = digits(text, 0, 4);
  const int month = digits(text, 5, 2);
  const int day = digits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return std::nullopt;
  return instant_of(year, unsigned(month), unsigned(day), digits(text, 11, 2), digits(text, 14, 2),
                    digits(text, 17, 2));
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  // 01234567890123456789012345678
  // Tue, 24 Nov 2026 06:34:25 GMT
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  const int day = digits(text, 5, 2);
  const int year = digits(text, 12, 4);
  if (month == 0 || day < 0 || year < 0) return std::nullopt;
  return instant_of(year, month, unsigned(day), digits(text, 17, 2), digits(text, 20, 2), digits(text, 23, 2));
}

}  // namespace edgestock::storage
