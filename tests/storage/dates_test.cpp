// The one date module. Expected texts are written out by hand (checked with
// `date -u -d @<seconds>`), never computed by the code under test.
#include "edgestock/storage/dates.hpp"

#include <catch2/catch.hpp>

using namespace edgestock::storage;

TEST_CASE("RFC 3339 with milliseconds, before and after 1970", "[dates]") {
  CHECK(rfc3339_ms(1'795'000'000'000) == "2026-11-18T11:06:40.000Z");
  CHECK(rfc3339_ms(1'794'999'999'999) == "2026-11-18T11:06:39.999Z");
  CHECK(rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(rfc3339_ms(1'835'481'599'000) == "2028-02-29T23:59:59.000Z");  // leap day
}

TEST_CASE("UTC dates for expiry windows and the current year", "[dates]") {
  CHECK(utc_date(1'795'000'000'000) == "2026-11-18");
  CHECK(utc_date(1'795'000'000'000, 30) == "2026-12-18");
  CHECK(utc_date(1'795'000'000'000, -18) == "2026-10-31");
  CHECK(utc_date(-1) == "1969-12-31");
  CHECK(utc_year(1'795'000'000'000) == 2026);
  CHECK(utc_year(-1) == 1969);
}

TEST_CASE("Odoo Datetime text both ways", "[dates]") {
  CHECK(odoo_datetime(1'795'502'065'000) == "2026-11-24 06:34:25");
  CHECK(odoo_datetime(1'795'502'065'999) == "2026-11-24 06:34:25");  // dropped, not rounded up
  CHECK(parse_odoo_datetime("2026-11-24 06:34:25") == 1'795'502'065'000);
  CHECK(parse_odoo_datetime("2028-02-29 23:59:59") == 1'835'481'599'000);
  for (const char* bad :
       {"", "2026-11-24", "2026-11-24T06:34:25", "2026-13-01 00:00:00", "2027-02-29 00:00:00", "2026-11-24 24:00:00",
        "2026-11-24 06:60:00", "2026-11-24 06:34:25.5", "2026-1a-24 06:34:25", "+026-11-24 06:34:25"}) {
    INFO(bad);
    CHECK_FALSE(parse_odoo_datetime(bad).has_value());
  }
}

TEST_CASE("HTTP Date headers (IMF-fixdate only)", "[dates]") {
  CHECK(parse_http_date("Tue, 24 Nov 2026 06:34:25 GMT") == 1'795'502'065'000);
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  for (const char* bad :
       {"", "Tuesday, 24-Nov-26 06:34:25 GMT", "Tue Nov 24 06:34:25 2026", "Tue, 24 Nov 2026 06:34:25 UTC",
        "Tue, 24 Noe 2026 06:34:25 GMT", "Tue, 31 Nov 2026 06:34:25 GMT"}) {
    INFO(bad);
    CHECK_FALSE(parse_http_date(bad).has_value());
  }
}
