#include <catch2/catch.hpp>

#include "edgestock/scanners/gtin.hpp"
#include "edgestock/scanners/iso15434.hpp"
#include "edgestock/scanners/scan.hpp"

using namespace edgestock::scanners;

namespace {
const DecodeContext kContext{};
}

TEST_CASE("UPC-E expands to its GTIN (GenSpecs 5.2.2.4.2)", "[upc-e]") {
  CHECK(expand_upc_e("04252614").value() == "00042100005264");  // last digit 4... rule 0-2
  CHECK(expand_upc_e("01234531").value() == "00012300000451");  // rule 3
  CHECK(expand_upc_e("01234543").value() == "00012340000053");  // rule 4
  CHECK(expand_upc_e("01234572").value() == "00012345000072");  // rule 5-9
  CHECK(expand_upc_e("12345601").value() == "00123000004561");  // number system 1
  CHECK_THAT(expand_upc_e("04252615").error(), Catch::Contains("wrong check digit: 5, expected 4"));
  CHECK_THAT(expand_upc_e("24252614").error(), Catch::Contains("number system 0 or 1"));
}

TEST_CASE("every kind of scan is recognised and decoded", "[scan]") {
  SECTION("GS1 DataMatrix with lot and expiry") {
    const auto scan = decode_scan(
                          "]d2010950600013435217271231"
                          "10LOT-42A\x1d"
                          "21SN7",
                          kContext)
                          .value();
    CHECK(scan.kind == ScanKind::gs1);
    CHECK(scan.symbology == "]d2");
    CHECK(scan.gtin == "09506000134352");
    CHECK(scan.expiry == "2027-12-31");
    CHECK(scan.lot == "LOT-42A");
    CHECK(scan.serial == "SN7");
  }
  SECTION("GS1-128 from a keyboard wedge that dropped the identifier") {
    const auto scan = decode_scan(
                          "010950600013435237"
                          "24",
                          kContext)
                          .value();
    CHECK(scan.kind == ScanKind::gs1);
    CHECK(scan.count == 24);
  }
  SECTION("GS1 Digital Link in a QR code") {
    const auto scan = decode_scan("https://id.gs1.org/01/09506000134352/10/B7?17=280200", kContext).value();
    CHECK(scan.kind == ScanKind::gs1);
    CHECK(scan.lot == "B7");
    CHECK(scan.expiry == "2028-02-29");
  }
  SECTION("human-readable text typed from a label") {
    CHECK(decode_scan("(01)09506000134352(10)B7", kContext).value().lot == "B7");
  }
  SECTION("EAN-13, UPC-A, EAN-8, ITF-14 and UPC-E") {
    CHECK(decode_scan("5012345670010", kContext).value().gtin == "05012345670010");
    CHECK(decode_scan("]E05012345670010", kContext).value().gtin == "05012345670010");
    CHECK(decode_scan("036000291452", kContext).value().gtin == "00036000291452");
    CHECK(decode_scan("]E496385074", kContext).value().gtin == "00000096385074");
    CHECK(decode_scan("]I110614141000415", kContext).value().gtin == "10614141000415");
    const auto upc_e = decode_scan("]E004252614", kContext).value();
    CHECK(upc_e.kind == ScanKind::retail);
    CHECK(upc_e.gtin == "00042100005264");
  }
  SECTION("HIBC with its secondary") {
    const auto scan = decode_scan("+A123BJC5D6E71/$$3270630LOT42K", kContext).value();
    CHECK(scan.kind == ScanKind::hibc);
    CHECK(scan.hibc_labeler == "A123");
    CHECK(scan.hibc_product == "BJC5D6E7");
    CHECK(scan.hibc_unit == 1);
    CHECK(scan.lot == "LOT42");
    CHECK(scan.expiry == "2027-06-30");
  }
  SECTION("the store's own codes") {
    CHECK(decode_scan("LOC:WARD3", kContext).value().code == "WARD3");
    CHECK(decode_scan("LOC:WARD3", kContext).value().kind == ScanKind::location);
    CHECK(decode_scan("OP:nurse-042", kContext).value().kind == ScanKind::operator_badge);
    CHECK(decode_scan("PC:GLV-M", kContext).value().code == "GLV-M");
    CHECK(decode_scan("CMD:ISSUE", kContext).value().command == Command::issue);
    CHECK(decode_scan("CMD:UNDO", kContext).value().command == Command::undo);
    const auto quantity = decode_scan("CMD:QTY:12", kContext).value();
    CHECK(quantity.command == Command::quantity);
    CHECK(quantity.command_quantity == 12);
    DecodeContext custom;
    custom.scheme.location = "@L";
    CHECK(decode_scan("@LTHEATRE2", custom).value().code == "THEATRE2");
  }
  SECTION("a trailing carriage return from the scanner is ignored") {
    CHECK(decode_scan("5012345670010\r\n", kContext).value().gtin == "05012345670010");
  }
}

TEST_CASE("noise and bad scans are refused with the reason", "[scan]") {
  struct Case {
    std::string scan;
    const char* reason;
  };
  const Case cases[] = {
      {"", "empty scan"},
      {std::string(5000, '0'), "longer than 4096"},
      {"50123\xff"
       "45670010",
       "not valid text"},
      {"5012345\x07"
       "670010",
       "control character"},
      {"5012345670011", "wrong check digit"},
      {"hello nurse", "not a barcode edgestock knows"},
      {"CMD:DISPENSE", "unknown command code 'DISPENSE'"},
      {"CMD:QTY:0", "1 to 999999"},
      {"LOC:ward 3", "not 1-64 letters"},
      {"+A123BJC5D6E71H", "wrong check character"},
  };
  for (const auto& c : cases) {
    INFO(escape_scan(c.scan.substr(0, 40)));
    const auto scan = decode_scan(c.scan, kContext);
    REQUIRE_FALSE(scan.has_value());
    CHECK_THAT(scan.error().reason, Catch::Contains(c.reason));
  }
}

TEST_CASE("typed escapes stand for the separator", "[scan]") {
  const std::string raw =
      "0109506000134352"
      "10AB\x1d"
      "21C";
  CHECK(unescape_scan("010950600013435210AB<GS>21C") == raw);
  CHECK(unescape_scan("010950600013435210AB\\x1d21C") == raw);
  CHECK(unescape_scan("010950600013435210AB{GS}21C") == raw);
  CHECK(unescape_scan("a\\\\b") == "a\\b");
  CHECK(escape_scan(raw) == "010950600013435210AB<GS>21C");
  CHECK(escape_scan("x\x01y") == "x\\x01y");
  CHECK(unescape_scan(escape_scan(raw)) == raw);
}

#include "edgestock/scanners/line_splitter.hpp"

TEST_CASE("scanner bytes become lines: CR, LF, CRLF, partial reads, over-long lines", "[lines]") {
  LineSplitter splitter(16);
  auto lines = splitter.feed("50123456");
  CHECK(lines.empty());
  lines = splitter.feed("70010\r\nOP:nurse\n\n\rCMD:CONFIRM\r");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text == "5012345670010");
  CHECK(lines[1].text == "OP:nurse");
  CHECK(lines[2].text == "CMD:CONFIRM");
  lines = splitter.feed(std::string(40, '9') + "\nok\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].overlong);
  CHECK(lines[0].text.size() == 16);
  CHECK_FALSE(lines[1].overlong);
  // An unterminated tail is never a line: it is dropped when the source goes.
  CHECK(splitter.feed("50123456").empty());
  CHECK(splitter.discard_partial() == 8);
  lines = splitter.feed("OP:nurse\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "OP:nurse");
  LineSplitter etx(64, "\x03\t");
  lines = etx.feed("5012345670010\x03OP:nurse\tx\ny");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "5012345670010");
  CHECK(lines[1].text == "OP:nurse");
  CHECK(etx.discard_partial() == 3);  // "x\ny": LF is not a terminator here
  CHECK(splitter.discard_partial() == 0);
}

// IFA's PPN specification (its example PPN 110375286414: PRA code 11, PZN
// 03752864, check digits 14) in ISO/IEC 15434 format 06 (envelope "[)>" RS
// "06" GS ... RS EOT); a PZN's GTIN is its NTIN, 4150 + PZN + check digit.
TEST_CASE("a German medicine pack: IFA PPN in ISO/IEC 15434, and GS1 in the same envelope", "[scan][ppn]") {
  CHECK(ppn_check_digits("1103752864") == "14");
  const std::string pack =
      "[)>\x1e"
      "06\x1d"
      "9N110375286414\x1d"
      "1T12345ABCDE\x1d"
      "D270600\x1d"
      "S12345ABCDEF98765\x1e\x04";
  const auto scan = decode_scan(pack, kContext);
  REQUIRE(scan.has_value());
  CHECK(scan->kind == ScanKind::ppn);
  CHECK(scan->ppn == "110375286414");
  CHECK(scan->gtin == "04150037528643");
  CHECK(scan->lot == "12345ABCDE");
  CHECK(scan->expiry == "2027-06-30");  // day 00: the last day of the month
  CHECK(scan->serial == "12345ABCDEF98765");

  const auto gs1 = decode_scan(
      "[)>\x1e"
      "05\x1d"
      "0109506000134352"
      "17271231"
      "10LOT7\x1e\x04",
      kContext);
  REQUIRE(gs1.has_value());
  CHECK(gs1->kind == ScanKind::gs1);
  CHECK(gs1->gtin == "09506000134352");
  CHECK(gs1->lot == "LOT7");

  struct Case {
    std::string scan;
    const char* reason;
  };
  const Case refused[] = {
      {"[)>\x1e"
       "06\x1d"
       "9N110375286415\x1e\x04",
       "wrong check digits 15, expected 14"},
      {"[)>\x1e"
       "06\x1d"
       "1TLOT\x1e\x04",
       "has no PPN (9N)"},
      {"[)>\x1e"
       "06\x1d"
       "9N110375286414\x1d"
       "Q5\x1e\x04",
       "not one that IFA's PPN specification uses"},
      {"[)>\x1e"
       "06\x1d"
       "9N110375286414",
       "does not end with RS"},
      {"[)>\x1e"
       "07\x1d"
       "X\x1e\x04",
       "format 07 is not read here"},
      {"[)>\x1e"
       "06\x1d"
       "9N110375286414\x1d"
       "D271301\x1e\x04",
       "month 13"},
      {"[)>\x1e"
       "06\x1d"
       "9N110375286414\x1e"
       "05\x1d"
       "0109506000134352\x1e\x04",
       "name different products"},
  };
  for (const auto& c : refused) {
    INFO(escape_scan(c.scan));
    const auto result = decode_scan(c.scan, kContext);
    REQUIRE_FALSE(result.has_value());
    CHECK_THAT(result.error().reason, Catch::Contains(c.reason));
  }
}

TEST_CASE("GS1 keys with a meaning in the store are decoded into their own fields", "[scan][gs1]") {
  const auto shelf = decode_scan(
      "]d24149506000134352"
      "254SHELF-3",
      kContext);
  REQUIRE(shelf.has_value());
  CHECK(shelf->gln == "9506000134352");
  CHECK(shelf->gln_extension == "SHELF-3");
  CHECK_FALSE(shelf->attributes_only());
  const auto badge = decode_scan("https://id.gs1.org/8017/950600013435000011", kContext);
  REQUIRE(badge.has_value());
  CHECK(badge->gsrn_provider == "950600013435000011");
  const auto pallet = decode_scan("]C100009506000134350004", kContext);
  REQUIRE(pallet.has_value());
  CHECK(pallet->sscc() == "009506000134350004");
  CHECK_FALSE(pallet->attributes_only());
  const auto lot = decode_scan("]d210LOT", kContext);
  REQUIRE(lot.has_value());
  CHECK(lot->attributes_only());
  // A URI scheme is case-insensitive (RFC 3986 3.1): an upper-case link is a link.
  const auto upper = decode_scan("HTTPS://ID.GS1.ORG/01/09506000134352", kContext);
  REQUIRE(upper.has_value());
  CHECK(upper->gtin == "09506000134352");
  CHECK(decode_scan("Http://id.gs1.org/01/9506000134352", kContext)->gtin == "09506000134352");
}

TEST_CASE("typed escapes stand for ISO/IEC 15434's record separator and end too", "[scan][ppn]") {
  CHECK(unescape_scan("[)><RS>06<GS>9N110375286414<RS><EOT>") ==
        "[)>\x1e"
        "06\x1d"
        "9N110375286414\x1e\x04");
  CHECK(unescape_scan("[)>\\x1e06\\x1d9N110375286414\\x1E\\x04") ==
        "[)>\x1e"
        "06\x1d"
        "9N110375286414\x1e\x04");
}
