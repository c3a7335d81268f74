// The checks the GS1 Barcode Syntax Dictionary names for each component
// (its "linters"), written from the GS1 General Specifications: 7.9.1
// (mod-10 check digit), 7.9.5 (the alphanumeric check character pair),
// 7.12 (dates), ISO 3166-1, ISO 4217, ISO 5218, ISO 13616 (IBAN). Each
// returns "" when the data passes, else what is wrong in words.
#include <string>

#include "edgestock/scanners/gs1.hpp"
#include "edgestock/scanners/gtin.hpp"
#include "gs1_ai_table.hpp"
#include "gs1_code_lists.hpp"
#include "gs1_values.hpp"

namespace edgestock::scanners::gs1 {
namespace {

long long value_of(std::string_view digits) {
  long long value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

std::string mod10(std::string_view data) {
  if (data.size() < 2 || !all_digits(data)) return "a check digit needs digits";
  const char expected = gs1_check_digit(data.substr(0, data.size() - 1));
  if (expected == data.back()) return {};
  return "wrong check digit " + std::string(1, data.back()) + ", expected " + std::string(1, expected);
}

// General Specifications 7.9.5: data characters weighted by primes from the
// right, modulo 1021, written as two characters of CSET 32.
std::string check_pair(std::string_view data) {
  constexpr std::string_view kCset82 =
      "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  constexpr std::string_view kCset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  if (data.size() < 2) return "too short for its two check characters";
  auto is_prime = [](int n) {
    for (int d = 2; d * d <= n; ++d) {
      if (n % d == 0) return false;
    }
    return n >= 2;
  };
  const std::size_t body = data.size() - 2;
  long sum = 0;
  int prime = 1;
  for (std::size_t i = 0; i < body; ++i) {
    do {
      ++prime;
    } while (!is_prime(prime));
    const auto at = kCset82.find(data[body - 1 - i]);
    if (at == std::string_view::npos) return "has a character GS1 does not allow";
    sum += static_cast<long>(at) * prime;
  }
  sum %= 1021;
  const std::string expected{kCset32[static_cast<std::size_t>(sum >> 5)], kCset32[static_cast<std::size_t>(sum & 31)]};
  if (data.substr(body) == expected) return {};
  return "wrong check characters " + std::string(data.substr(body)) + ", expected " + expected;
}

// The GS1 Company Prefix a key starts with: at least 4 digits (its shortest
// allocation); whether it was ever allocated needs GS1's registry.
std::string company_prefix(std::string_view data) {
  if (data.size() < 4 || !all_digits(data.substr(0, 4))) {
    return "does not start with a GS1 Company Prefix (at least 4 digits)";
  }
  return {};
}

std::string date(std::string_view data, int today_year, bool day00, bool four_digit_year) {
  std::string yymmdd(data);
  if (four_digit_year) {
    if (data.size() != 8 || !all_digits(data)) return "a date is eight digits, YYYYMMDD";
    const auto year = value_of(data.substr(0, 4));
    const auto month = value_of(data.substr(4, 2));
    auto day = value_of(data.substr(6, 2));
    if (month < 1 || month > 12) return "month " + std::to_string(month) + " does not exist";
    const long long last = days_in_month(year, month);
    if (day == 0 && day00) day = last;
    if (day < 1 || day > last) {
      return "day " + std::to_string(day) + " does not exist in " + std::string(data.substr(0, 4)) + "-" +
             std::string(data.substr(4, 2));
    }
    return {};
  }
  if (data.size() == 6 && data.substr(4) == "00" && !day00) return "day 00 (day unknown) is not allowed in this date";
  auto parsed = gs1_date(yymmdd, today_year);
  return parsed ? std::string() : parsed.error();
}

std::string in_range(std::string_view data, long long low, long long high, const char* what) {
  if (!all_digits(data) || value_of(data) < low || value_of(data) > high) {
    return std::string("not ") + what + " (" + std::string(data) + ")";
  }
  return {};
}

// ISO 13616: country, two check digits, up to 30 letters and digits; the
// whole, moved and read as digits, leaves 1 modulo 97.
std::string iban(std::string_view data) {
  if (data.size() < 5 || data.size() > 34) return "an IBAN has 5 to 34 characters";
  if (!is_iso3166_alpha2(data.substr(0, 2))) return "an IBAN starts with a country code";
  if (!all_digits(data.substr(2, 2))) return "an IBAN has two check digits after its country";
  int remainder = 0;
  const std::string moved = std::string(data.substr(4)) + std::string(data.substr(0, 4));
  for (const char c : moved) {
    if (c >= '0' && c <= '9') {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    } else {
      return "an IBAN has only capital letters and digits";
    }
  }
  return remainder == 1 ? std::string() : "the IBAN's check digits are wrong";
}

std::string percent_encoding(std::string_view data) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '%' && (i + 2 >= data.size() || !hex(data[i + 1]) || !hex(data[i + 2]))) {
      return "a '%' is not followed by two hexadecimal digits";
    }
  }
  return {};
}

}  // namespace

std::string lint(Lint lint, std::string_view data, int today_year) {
  switch (lint) {
    case Lint::csum:
      return mod10(data);
    case Lint::csumalpha:
      return check_pair(data);
    case Lint::key:
      return company_prefix(data);
    case Lint::keyoff1:
      return data.empty() ? "empty" : company_prefix(data.substr(1));
    case Lint::yymmd0:
      return date(data, today_year, true, false);
    case Lint::yymmdd:
      return date(data, today_year, false, false);
    case Lint::yyyymmd0:
      return date(data, today_year, true, true);
    case Lint::yyyymmdd:
      return date(data, today_year, false, true);
    case Lint::hh:
      return in_range(data, 0, 23, "an hour 00-23");
    case Lint::mi:
      return in_range(data, 0, 59, "a minute 00-59");
    case Lint::ss:
      return in_range(data, 0, 59, "a second 00-59");
    case Lint::hhmi:
      if (data.size() != 4 || !in_range(data.substr(0, 2), 0, 23, "").empty() ||
          !in_range(data.substr(2), 0, 59, "").empty()) {
        return "not a time of day (hhmm): " + std::string(data);
      }
      return {};
    case Lint::iso3166:
      return is_iso3166_numeric(data) ? std::string() : "not an ISO 3166 country code (" + std::string(data) + ")";
    case Lint::iso3166999:
      return data == "999" || is_iso3166_numeric(data)
                 ? std::string()
                 : "not an ISO 3166 country code or 999 (" + std::string(data) + ")";
    case Lint::iso3166alpha2:
      return is_iso3166_alpha2(data) ? std::string()
                                     : "not an ISO 3166 two-letter country code (" + std::string(data) + ")";
    case Lint::iso4217:
      return is_iso4217_numeric(data) ? std::string() : "not an ISO 4217 currency code (" + std::string(data) + ")";
    case Lint::iso5218:
      return data == "0" || data == "1" || data == "2" || data == "9" ? std::string()
                                                                      : "not an ISO 5218 sex code (0, 1, 2 or 9)";
    case Lint::iban:
      return iban(data);
    case Lint::latitude:
      return in_range(data, 0, 1800000000, "a latitude (0 to 1800000000)");
    case Lint::longitude:
      return in_range(data, 0, 3600000000LL, "a longitude (0 to 3600000000)");
    case Lint::pcenc:
      return percent_encoding(data);
    case Lint::pieceoftotal: {
      if (data.size() % 2 != 0 || !all_digits(data)) return "not a piece and a total";
      const auto piece = value_of(data.substr(0, data.size() / 2));
      const auto total = value_of(data.substr(data.size() / 2));
      if (piece == 0 || total == 0 || piece > total) {
        return "piece " + std::to_string(piece) + " of " + std::to_string(total) + " is not a piece of the total";
      }
      return {};
    }
    case Lint::nonzero:
      return data.find_first_not_of('0') == std::string_view::npos ? "must not be zero" : "";
    case Lint::nozeroprefix:
      return data.size() > 1 && data[0] == '0' ? "must not start with a zero" : "";
    case Lint::zero:
      return data == "0" ? "" : "must be 0";
    case Lint::winding:
      return data == "0" || data == "1" || data == "9" ? "" : "winding direction is 0, 1 or 9";
    case Lint::yesno:
      return data == "0" || data == "1" ? "" : "must be 0 (no) or 1 (yes)";
    case Lint::hyphen:
      return data.find_first_not_of('-') == std::string_view::npos ? "" : "must be '-'";
    case Lint::importeridx: {
      const char c = data.size() == 1 ? data[0] : ' ';
      const bool ok =
          (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
      return ok ? "" : "not an importer index (one of 0-9, A-Z, a-z, '-', '_')";
    }
    case Lint::packagetype:
      return is_package_type(data) ? std::string() : "not a GS1 package type code (" + std::string(data) + ")";
    case Lint::mediatype:
      return in_range(data, 1, 10, "").empty() || in_range(data, 80, 99, "").empty()
                 ? std::string()
                 : "not an AIDC media type (01-10, 80-99)";
    case Lint::posinseqslash: {
      if (data.size() != 3 || data[1] != '/' || data[0] < '1' || data[0] > '9' || data[2] < '1' || data[2] > '9' ||
          data[0] > data[2]) {
        return "not a position in a sequence (like 1/2)";
      }
      return {};
    }
    case Lint::couponcode:
    case Lint::couponposoffer:
      return all_digits(data) ? std::string() : "a coupon code takes digits only";
    case Lint::hasnondigit:
      return all_digits(data) ? "must not be digits only" : "";
  }
  return {};
}

}  // namespace edgestock::scanners::gs1
