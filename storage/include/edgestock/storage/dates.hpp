#pragma once
// Calendar dates and timestamps, all in UTC, all on C++20 <chrono>: the one
// place that turns Unix milliseconds into text and back. Pure functions.
//
// Formats:
//   RFC 3339   2026-11-24T06:34:25.123Z          events, logs, the audit log
//   date       2026-11-24                        expiry dates, "today"
//   Odoo       2026-11-24 06:34:25               Odoo's Datetime fields (UTC, no zone)
//   HTTP       Tue, 24 Nov 2026 06:34:25 GMT     the Date header (RFC 9110 IMF-fixdate)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgestock::storage {

// RFC 3339 UTC with milliseconds; times before 1970 too (-1 is
// 1969-12-31T23:59:59.999Z).
std::string_view format_rfc3339_ms(std::int64_t unix_ms, char (&buffer)[32]);
std::string rfc3339_ms(std::int64_t unix_ms);

// YYYY-MM-DD of `unix_ms` plus `days`.
std::string utc_date(std::int64_t unix_ms, int days = 0);
int utc_year(std::int64_t unix_ms);

// Odoo's Datetime text (fields.Datetime.to_string: "%Y-%m-%d %H:%M:%S", UTC),
// whole seconds (milliseconds are dropped, never rounded up).
std::string odoo_datetime(std::int64_t unix_ms);
// Odoo's Datetime text back to Unix milliseconds; nullopt unless it is
// exactly that shape and a real date.
std::optional<std::int64_t> parse_odoo_datetime(std::string_view text);

// An HTTP Date header in IMF-fixdate form; nullopt for anything else
// (the obsolete forms are not sent by the servers edgestock talks to).
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace edgestock::storage
