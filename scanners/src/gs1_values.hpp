#pragma once
// Checking one element's data against its AI's components: the part shared
// by element strings, the human-readable form and Digital Link URIs.

#include <expected>
#include <string>
#include <string_view>

#include "edgestock/scanners/gs1.hpp"
#include "gs1_ai_table.hpp"

namespace edgestock::scanners::gs1 {

inline std::unexpected<ScanError> refusal(std::string reason, std::size_t position) {
  return std::unexpected(ScanError{std::move(reason), position});
}

// Days in a month of the Gregorian calendar (month 1-12).
inline int days_in_month(long long year, long long month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

inline bool all_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

// "" when `value` is valid data for this AI, else the reason, naming the AI,
// its title and the part that is wrong.
std::string check_value(const AiEntry& entry, std::string_view ai, std::string_view value, int today_year);

// Appends the element, refusing the same AI twice with different values
// (dropping an exact repeat); "" on success, else the reason.
std::string add_element(Gs1Message& message, std::string_view ai, std::string value);

}  // namespace edgestock::scanners::gs1
