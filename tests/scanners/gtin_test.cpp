#include <catch2/catch.hpp>

#include "edgestock/scanners/gtin.hpp"

using namespace edgestock::scanners;

// GS1 General Specifications 7.9.1: check digit by weights 3,1,3,... from the right.
TEST_CASE("GS1 check digits", "[gtin]") {
  CHECK(gs1_check_digit("501234567001") == '0');
  CHECK(gs1_check_digit("400638133393") == '1');   // EAN-13 4006381333931
  CHECK(gs1_check_digit("03600029145") == '2');    // UPC-A 036000291452
  CHECK(gs1_check_digit("9638507") == '4');        // EAN-8 96385074
  CHECK(gs1_check_digit("1061414100041") == '5');  // GTIN-14 10614141000415
}

TEST_CASE("GTINs of every length become 14 digits", "[gtin]") {
  CHECK(normalize_gtin("4006381333931").value() == "04006381333931");
  CHECK(normalize_gtin("036000291452").value() == "00036000291452");
  CHECK(normalize_gtin("96385074").value() == "00000096385074");
  CHECK(normalize_gtin("10614141000415").value() == "10614141000415");
}

TEST_CASE("bad GTINs are refused with the reason", "[gtin]") {
  CHECK_THAT(normalize_gtin("4006381333932").error(), Catch::Contains("wrong check digit: 2, expected 1"));
  CHECK_THAT(normalize_gtin("40063813339").error(), Catch::Contains("not 11"));
  CHECK_THAT(normalize_gtin("40063813339A1").error(), Catch::Contains("digits only"));
  CHECK_THAT(normalize_gtin("").error(), Catch::Contains("not 0"));
}
