// Vectors written from ANSI/HIBC 2.x, the HIBCC Supplier Labeling Standard:
// the primary structure +LIC PCN U C (section 2.2), the secondary +R Q D B L C
// with its quantity/date flags $, $$, $$+, 8, 9 and date formats 0-7 or a
// five-digit Julian date (2.3), the concatenated form with '/' and one check
// character (2.4), and the modulo-43 check character (appendix: the sum of
// the Code 39 values of every character including the leading '+').
// Check characters were computed independently of the code under test.
#include <catch2/catch.hpp>

#include "edgestock/scanners/hibc.hpp"

using namespace edgestock::scanners;

TEST_CASE("HIBC modulo-43 check character", "[hibc]") {
  CHECK(hibc_check_character("+A123BJC5D6E71").value() == 'G');
  CHECK(hibc_check_character("+$$3270630LOT42G").value() == 'L');
  CHECK_THAT(hibc_check_character("+a123").error(), Catch::Contains("not in HIBC's set"));
}

TEST_CASE("HIBC primary: labeler, product, unit of measure", "[hibc]") {
  for (const char* scan : {"+A123BJC5D6E71G", "]A0+A123BJC5D6E71G", "]d1+A123BJC5D6E71G"}) {
    INFO(scan);
    const auto label = parse_hibc(scan);
    REQUIRE(label.has_value());
    REQUIRE(label->primary.has_value());
    CHECK_FALSE(label->secondary.has_value());
    CHECK(label->primary->labeler == "A123");
    CHECK(label->primary->product == "BJC5D6E7");
    CHECK(label->primary->unit_of_measure == 1);
    CHECK(label->primary->check == 'G');
  }
}

TEST_CASE("HIBC secondary: every quantity and date form", "[hibc]") {
  struct Case {
    const char* scan;
    std::optional<int> quantity;
    const char* expiry;
    const char* hour;
    const char* lot;
    const char* serial;
  };
  const Case cases[] = {
      {"+$$3270630LOT42GL", std::nullopt, "2027-06-30", "", "LOT42", ""},   // $$3 YYMMDD
      {"+$$+2063027SN9G+", std::nullopt, "2027-06-30", "", "", "SN9"},      // $$+2 MMDDYY, serial
      {"+$$8053270630AB1GJ", 5, "2027-06-30", "", "AB1", ""},               // $$8 two-digit quantity
      {"+$$0627L0TGS", std::nullopt, "2027-06-30", "", "L0T", ""},          // $$ MMYY: last day of June
      {"+27150LOT7GO", std::nullopt, "2027-05-30", "", "LOT7", ""},         // YYJJJ: day 150 of 2027
      {"+$LOT99GG", std::nullopt, "", "", "LOT99", ""},                     // $ lot only
      {"+$$7NOEXPG3", std::nullopt, "", "", "NOEXP", ""},                   // $$7 no date
      {"+$$62701012LOTHGU", std::nullopt, "2027-01-10", "12", "LOTH", ""},  // $$6 YYJJJHH
  };
  for (const auto& c : cases) {
    INFO(c.scan);
    const auto label = parse_hibc(c.scan);
    REQUIRE(label.has_value());
    REQUIRE(label->secondary.has_value());
    CHECK_FALSE(label->primary.has_value());
    const auto& s = *label->secondary;
    CHECK(s.quantity == c.quantity);
    CHECK(s.expiry == c.expiry);
    CHECK(s.expiry_hour == c.hour);
    CHECK(s.lot == c.lot);
    CHECK(s.serial == c.serial);
    CHECK(s.link == 'G');  // links it to the primary above
  }
}

TEST_CASE("HIBC concatenated primary and secondary", "[hibc]") {
  const auto label = parse_hibc("+A123BJC5D6E71/$$3270630LOT42K");
  REQUIRE(label.has_value());
  REQUIRE(label->primary.has_value());
  REQUIRE(label->secondary.has_value());
  CHECK(label->primary->product == "BJC5D6E7");
  CHECK(label->secondary->expiry == "2027-06-30");
  CHECK(label->secondary->lot == "LOT42");
  CHECK_FALSE(label->secondary->link.has_value());
}

TEST_CASE("HIBC labels that are refused, with the reason", "[hibc]") {
  struct Case {
    const char* scan;
    const char* reason;
  };
  const Case cases[] = {
      {"+A123BJC5D6E71H", "wrong check character 'H', expected 'G'"},
      {"+$$3271301LOTGB", "not a real date"},
      {"+1ABCX0M", "starts with a letter"},
      {"+$$9123GL", "needs 5 digits"},
      {"+$$4270630256LOTGT", "not an hour of the day"},
      {"A123BJC5D6E71G", "starts with '+'"},
      {"+a123", "not in HIBC's set"},
  };
  for (const auto& c : cases) {
    INFO(c.scan);
    const auto label = parse_hibc(c.scan);
    REQUIRE_FALSE(label.has_value());
    CHECK_THAT(label.error().reason, Catch::Contains(c.reason));
  }
}
