#pragma once
// Code lists that GS1 components are checked against: ISO 3166-1 country
// codes (numeric and alpha-2), ISO 4217 numeric currency codes, and GS1's
// PackageTypeCode list (UN/ECE Recommendation 21 with GS1's additions).

#include <string_view>

namespace edgestock::scanners::gs1 {

bool is_iso3166_numeric(std::string_view three_digits);
bool is_iso3166_alpha2(std::string_view two_letters);
bool is_iso4217_numeric(std::string_view three_digits);
bool is_package_type(std::string_view code);

}  // namespace edgestock::scanners::gs1
