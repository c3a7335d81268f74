// Vectors written from the GS1 General Specifications (GenSpecs): section 3.2
// (AI formats), 5.10.1 (predefined-length AIs need no FNC1), 7.8.x (FNC1 as
// the separator, transmitted as GS, ASCII 29), 7.9.1 (mod-10 check digits),
// 7.12 (the century of YYMMDD dates), 3.4.x (DD 00 = day unknown: the last
// day of the month), and the GS1 Digital Link URI syntax standard.
#include <catch2/catch.hpp>

#include "edgestock/scanners/gs1.hpp"

using namespace edgestock::scanners;

namespace {
constexpr int kYear = 2026;
const std::string kGs = "\x1d";

std::vector<std::pair<std::string, std::string>> pairs(const Gs1Message& message) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : message.elements) out.emplace_back(e.ai, e.value);
  return out;
}
using Pairs = std::vector<std::pair<std::string, std::string>>;
}  // namespace

TEST_CASE("element strings: GTIN, expiry, lot, serial, with every FNC1 form", "[gs1]") {
  // 01 and 17 have predefined lengths (5.10.1): no separator; 10 is variable: GS before 21.
  const Pairs expected{{"01", "09506000134352"}, {"17", "271231"}, {"10", "LOT-42A"}, {"21", "SN0001"}};
  for (const std::string& separator : {kGs, std::string("#"), std::string("Alt029")}) {
    for (const char* prefix : {"", "]C1", "]d2", "]Q3", "]e0"}) {
      const std::string scan =
          std::string(prefix) + "0109506000134352" + "17271231" + "10LOT-42A" + separator + "21SN0001";
      INFO(scan);
      const auto message = parse_gs1_element_string(scan, kYear);
      REQUIRE(message.has_value());
      CHECK(pairs(*message) == expected);
      CHECK(message->symbology == prefix);
    }
  }
}

TEST_CASE("element strings: fixed-length data, measures, logistics and internal AIs", "[gs1]") {
  const auto message = parse_gs1_element_string(
      "]C1"
      "00009506000134350004"
      "02"
      "09506000134352"
      "37"
      "12" +
          kGs +
          "3103001250"
          "15"
          "270200"
          "11"
          "260101"
          "13"
          "260102"
          "16"
          "270101"
          "410"
          "9506000134352"
          "422"
          "380" +
          kGs +  // 422 and 7003 have fixed lengths but not predefined ones: FNC1 follows (7.8.5)
          "7003"
          "2712312359" +
          kGs +
          "240"
          "REF-9" +
          kGs +
          "250"
          "S2" +
          kGs +
          "400"
          "PO-77" +
          kGs +
          "8020"
          "INV-1" +
          kGs +
          "91"
          "WARD-3-INTERNAL",
      kYear);
  REQUIRE(message.has_value());
  CHECK(*message->find("00") == "009506000134350004");
  CHECK(*message->find("37") == "12");
  CHECK(*message->find("3103") == "001250");
  CHECK(gs1_measure("3103", "001250") == "1.25");
  CHECK(gs1_measure("3102", "000005") == "0.05");
  CHECK(gs1_measure("3100", "000042") == "42");
  CHECK(*message->find("410") == "9506000134352");
  CHECK(*message->find("7003") == "2712312359");
  CHECK(*message->find("91") == "WARD-3-INTERNAL");
  CHECK(message->elements.size() == 16);
  CHECK(message->find("10") == nullptr);
}

TEST_CASE("dates: day 00, leap years and the century rule", "[gs1][dates]") {
  CHECK(gs1_date("271231", kYear).value() == "2027-12-31");
  CHECK(gs1_date("280200", kYear).value() == "2028-02-29");  // DD 00: last day; 2028 is a leap year
  CHECK(gs1_date("270200", kYear).value() == "2027-02-28");
  CHECK(gs1_date("750101", kYear).value() == "2075-01-01");  // 49 years ahead: this century
  CHECK(gs1_date("770101", kYear).value() == "1977-01-01");  // 51 ahead: the previous one
  CHECK(gs1_date("760101", kYear).value() == "2076-01-01");  // 50 ahead: still this century
  CHECK(gs1_date("990101", 2048).value() == "1999-01-01");   // 51 ahead of 48
  CHECK(gs1_date("990101", 2051).value() == "2099-01-01");   // 48 ahead of 51
  CHECK(gs1_date("000101", 2099).value() == "2100-01-01");   // 99 behind: the next century
  CHECK_THAT(gs1_date("271301", kYear).error(), Catch::Contains("month 13"));
  CHECK_THAT(gs1_date("270230", kYear).error(), Catch::Contains("day 30 does not exist in 2027-02"));
  CHECK_THAT(gs1_date("2712", kYear).error(), Catch::Contains("six digits"));
}

TEST_CASE("element strings that are refused, with the reason and where", "[gs1]") {
  struct Case {
    std::string scan;
    const char* reason;
  };
  const Case cases[] = {
      {"0109506000134353", "wrong check digit 3, expected 2"},
      {"01095060001343", "needs 14 characters, only 12 follow"},
      {"0109506000134352"
       "17271301",
       "month 13"},
      {"0109506000134352"
       "10" +
           std::string(21, 'L'),
       "takes 1 to 20 characters, not 21"},
      {"0109506000134352"
       "10LOT 1",
       "a character GS1 does not allow"},
      {"0109506000134352"
       "5512",
       "unknown or unsupported Application Identifier"},
      {"0109506000134352"
       "10ABC" +
           kGs,
       "a separator ends the scan"},
      {"]C1", "no GS1 data"},
      {"0109506000134352"
       "3103A01250",
       "takes digits only"},
      {"0109506000134352"
       "7003"
       "2712312460",
       "not a time of day"},
      {"00009506000134350005", "wrong check digit"},
  };
  for (const auto& c : cases) {
    INFO(c.scan);
    const auto message = parse_gs1_element_string(c.scan, kYear);
    REQUIRE_FALSE(message.has_value());
    CHECK_THAT(message.error().reason, Catch::Contains(c.reason));
  }
  const auto unknown = parse_gs1_element_string(
      "0109506000134352"
      "5512",
      kYear);
  CHECK(unknown.error().position == 16);
}

TEST_CASE("the human-readable form (01)...(17)...", "[gs1]") {
  const auto message = parse_gs1_human_readable("(01)09506000134352(17)271231(10)LOT-42A(21)SN0001", kYear);
  REQUIRE(message.has_value());
  CHECK(pairs(*message) == Pairs{{"01", "09506000134352"}, {"17", "271231"}, {"10", "LOT-42A"}, {"21", "SN0001"}});
  CHECK_THAT(parse_gs1_human_readable("(01)09506000134353", kYear).error().reason, Catch::Contains("check digit"));
  CHECK_THAT(parse_gs1_human_readable("(55)1", kYear).error().reason, Catch::Contains("unknown"));
  CHECK_THAT(parse_gs1_human_readable("(01", kYear).error().reason, Catch::Contains("not closed"));
  CHECK_THAT(parse_gs1_human_readable("01)x", kYear).error().reason, Catch::Contains("expected \"(\""));
}

TEST_CASE("GS1 Digital Link URIs on id.gs1.org and on any domain", "[gs1][digital-link]") {
  const auto canonical = parse_gs1_digital_link("https://id.gs1.org/01/09506000134352/10/LOT%2F42?17=271231", kYear);
  REQUIRE(canonical.has_value());
  CHECK(pairs(*canonical) == Pairs{{"01", "09506000134352"}, {"10", "LOT/42"}, {"17", "271231"}});

  const auto custom = parse_gs1_digital_link(
      "https://labels.example-pharma.com/dl/01/09506000134352/21/SN%2FX?linkType=gs1:pip&17=280200#top", kYear);
  REQUIRE(custom.has_value());
  CHECK(*custom->find("21") == "SN/X");
  CHECK(*custom->find("17") == "280200");
  CHECK(custom->find("linkType") == nullptr);

  struct Case {
    const char* uri;
    const char* reason;
  };
  const Case cases[] = {
      {"ftp://id.gs1.org/01/09506000134352", "starts with https://"},
      {"https://id.gs1.org/gtin/09506000134352", "retired name \"gtin\""},
      {"https://id.gs1.org/dl/09506000134352", "no primary key"},
      {"https://id.gs1.org/01/09506000134353", "check digit"},
      {"https://id.gs1.org/01/09506000134352/10", "has no value"},
      {"https://id.gs1.org/01/09506000134352/10/A%ZZ", "percent-encoding"},
      {"https://id.gs1.org/01/09506000134352?17=271232", "day 32 does not exist"},
  };
  for (const auto& c : cases) {
    INFO(c.uri);
    const auto message = parse_gs1_digital_link(c.uri, kYear);
    REQUIRE_FALSE(message.has_value());
    CHECK_THAT(message.error().reason, Catch::Contains(c.reason));
  }
}

TEST_CASE("a space is not in GS1's character set, even percent-encoded in a link", "[gs1][digital-link]") {
  const auto message = parse_gs1_digital_link("https://id.gs1.org/01/09506000134352/21/SN%20X", kYear);
  REQUIRE_FALSE(message.has_value());
  CHECK_THAT(message.error().reason, Catch::Contains("a character GS1 does not allow"));
}
