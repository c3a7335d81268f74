// The AI table against the GS1 Barcode Syntax Dictionary it follows
// (gs1/gs1-syntax-dictionary, gs1-syntax-dictionary.txt at commit
// f7e477f17d48), and each component check against the GS1 General
// Specifications (GenSpecs) section or the standard named beside it.
#include <catch2/catch.hpp>
#include <set>

#include "edgestock/scanners/gs1.hpp"

using namespace edgestock::scanners;

namespace {
constexpr int kYear = 2026;

// The dictionary's first column, copied from the file: every AI or range.
constexpr const char* kDictionaryAis[] = {
    "00",        "01",        "02",        "03",        "10",        "11",        "12",        "13",        "15",
    "16",        "17",        "20",        "21",        "22",        "235",       "240",       "241",       "242",
    "243",       "250",       "251",       "253",       "254",       "255",       "30",        "3100-3105", "3110-3115",
    "3120-3125", "3130-3135", "3140-3145", "3150-3155", "3160-3165", "3200-3205", "3210-3215", "3220-3225", "3230-3235",
    "3240-3245", "3250-3255", "3260-3265", "3270-3275", "3280-3285", "3290-3295", "3300-3305", "3310-3315", "3320-3325",
    "3330-3335", "3340-3345", "3350-3355", "3360-3365", "3370-3375", "3400-3405", "3410-3415", "3420-3425", "3430-3435",
    "3440-3445", "3450-3455", "3460-3465", "3470-3475", "3480-3485", "3490-3495", "3500-3505", "3510-3515", "3520-3525",
    "3530-3535", "3540-3545", "3550-3555", "3560-3565", "3570-3575", "3600-3605", "3610-3615", "3620-3625", "3630-3635",
    "3640-3645", "3650-3655", "3660-3665", "3670-3675", "3680-3685", "3690-3695", "37",        "3900-3909", "3910-3919",
    "3920-3929", "3930-3939", "3940-3943", "3950-3955", "400",       "401",       "402",       "403",       "410",
    "411",       "412",       "413",       "414",       "415",       "416",       "417",       "420",       "421",
    "422",       "423",       "424",       "425",       "426",       "427",       "4300",      "4301",      "4302",
    "4303",      "4304",      "4305",      "4306",      "4307",      "4308",      "4309",      "4310",      "4311",
    "4312",      "4313",      "4314",      "4315",      "4316",      "4317",      "4318",      "4319",      "4320",
    "4321",      "4322",      "4323",      "4324",      "4325",      "4326",      "4330",      "4331",      "4332",
    "4333",      "7001",      "7002",      "7003",      "7004",      "7005",      "7006",      "7007",      "7008",
    "7009",      "7010",      "7011",      "7020",      "7021",      "7022",      "7023",      "7030",      "7031",
    "7032",      "7033",      "7034",      "7035",      "7036",      "7037",      "7038",      "7039",      "7040",
    "7041",      "710",       "711",       "712",       "713",       "714",       "715",       "716",       "7230",
    "7231",      "7232",      "7233",      "7234",      "7235",      "7236",      "7237",      "7238",      "7239",
    "7240",      "7241",      "7242",      "7250",      "7251",      "7252",      "7253",      "7254",      "7255",
    "7256",      "7257",      "7258",      "7259",      "8001",      "8002",      "8003",      "8004",      "8005",
    "8006",      "8007",      "8008",      "8009",      "8010",      "8011",      "8012",      "8013",      "8014",
    "8017",      "8018",      "8019",      "8020",      "8026",      "8030",      "8110",      "8111",      "8112",
    "8200",      "90",        "91-99",
};

std::set<std::string> expand_dictionary() {
  std::set<std::string> ais;
  for (const std::string range : kDictionaryAis) {
    const auto dash = range.find('-');
    const std::string first = range.substr(0, dash);
    const std::string last = dash == std::string::npos ? first : range.substr(dash + 1);
    for (int ai = std::stoi(first); ai <= std::stoi(last); ++ai) {
      std::string text = std::to_string(ai);
      text.insert(0, first.size() - text.size(), '0');
      ais.insert(text);
    }
  }
  return ais;
}

std::string decode_error(const std::string& human_readable) {
  const auto message = parse_gs1_human_readable(human_readable, kYear);
  return message ? std::string() : message.error().reason;
}

}  // namespace

TEST_CASE("every AI of the dictionary release is known, and nothing else is", "[gs1][dictionary]") {
  const auto expected = expand_dictionary();
  CHECK(expected.size() == 536);  // 219 entries: 318 measures 31nn-36nn, 50 of 39nn, 168 others
  std::set<std::string> known;
  for (int length = 2; length <= 4; ++length) {
    const int count = length == 2 ? 100 : length == 3 ? 1000 : 10000;
    for (int n = 0; n < count; ++n) {
      std::string ai = std::to_string(n);
      ai.insert(0, static_cast<std::size_t>(length) - ai.size(), '0');
      if (gs1_ai_title(ai) != "UNKNOWN") known.insert(ai);
    }
  }
  CHECK(known == expected);
  CHECK(gs1_ai_title("8018") == "GSRN - RECIPIENT");
  CHECK(gs1_ai_title("3103") == "NET WEIGHT (kg)");
  CHECK(gs1_ai_title("7259") == "BABY");
}

TEST_CASE("components: each part of an AI is checked with the rule GS1 names for it", "[gs1][dictionary]") {
  struct Case {
    const char* data;
    const char* refusal;  // "" = accepted
  };
  const Case cases[] = {
      // 7007 harvest date: a date and an optional second date (GenSpecs 3.9.x)
      {"(01)09506000134352(7007)260101", ""},
      {"(01)09506000134352(7007)260101260115", ""},
      {"(01)09506000134352(7007)26010126011", "part 2 needs 6 characters, only 5 are left"},
      {"(01)09506000134352(7007)260132", "day 32 does not exist"},
      {"(01)09506000134352(7006)260100", "day 00 (day unknown) is not allowed"},
      // 8003 GRAI: a zero, a 13-digit key with its check digit, a serial
      {"(8003)09506000134352SER1", ""},
      {"(8003)19506000134352SER1", "part 1: must be 0"},
      {"(8003)09506000134353", "part 2: wrong check digit 3, expected 2"},
      // 253 GDTI, 255 GCN, 402 GSIN: keys with their check digits
      {"(253)9506000134352DOC-1", ""},
      {"(402)95060001343500004", "wrong check digit"},
      // 401 GINC: a key that starts with a GS1 Company Prefix
      {"(401)9506ABC", ""},
      {"(401)95ABC", "does not start with a GS1 Company Prefix"},
      // 4309 ship-to geolocation: latitude and longitude, each N10
      {"(00)009506000134350004(4309)00123456780098765432", ""},
      {"(00)009506000134350004(4309)18000000010098765432", "not a latitude"},
      // 8006 ITIP: GTIN and piece of total
      {"(8006)095060001343520102", ""},
      {"(8006)095060001343520302", "piece 3 of 2"},
      // 391n amount with ISO 4217 currency; 422 ISO 3166 origin; 4307 alpha-2
      {"(8020)REF1(415)9506000134352(3912)9781250", ""},
      {"(8020)REF1(415)9506000134352(3912)0001250", "not an ISO 4217 currency code (000)"},
      {"(01)09506000134352(422)380", ""},
      {"(01)09506000134352(422)000", "not an ISO 3166 country code (000)"},
      {"(01)09506000134352(423)380276", ""},
      {"(01)09506000134352(423)3802", "part 2 needs 3 characters, only 1 are left"},
      {"(00)009506000134350004(4307)DE", ""},
      {"(00)009506000134350004(4307)XX", "not an ISO 3166 two-letter country code"},
      // 8007 IBAN, ISO 13616's own example
      {"(415)9506000134352(8020)R(8007)GB82WEST12345698765432", ""},
      {"(415)9506000134352(8020)R(8007)GB82WEST12345698765431", "check digits are wrong"},
      // 8013 GMN: the alphanumeric check character pair (GenSpecs 7.9.5 example)
      {"(8013)1987654Ad4X4bL5ttr2310c2K", ""},
      {"(8013)1987654Ad4X4bL5ttr2310cXK", "wrong check characters XK, expected 2K"},
      // 8010 CPID: CSET 39; 8011 no leading zero
      {"(8010)9506#-/ABC(8011)123", ""},
      {"(8010)9506abc", "takes only capital letters, digits"},
      {"(8010)9506ABC(8011)0123", "must not start with a zero"},
      // 8030 DIGSIG: URI-safe base64, '=' only as padding
      {"(00)009506000134350004(8030)ab-_cd==", ""},
      {"(00)009506000134350004(8030)ab=cd", "URI-safe base64"},
      // 4330 maximum temperature with an optional minus sign
      {"(00)009506000134350004(4330)004400-", ""},
      {"(00)009506000134350004(4330)004400+", "must be '-'"},
      // 7250 date of birth YYYYMMDD; 7252 ISO 5218 sex; 7258 birth sequence
      {"(8018)950600013435000011(7250)19800229", ""},
      {"(8018)950600013435000011(7250)19810229", "day 29 does not exist in 1981-02"},
      {"(8018)950600013435000011(7252)3", "not an ISO 5218 sex code"},
      {"(8018)950600013435000011(7259)TWIN(7258)1/2", ""},
      {"(8018)950600013435000011(7259)TWIN(7258)3/2", "not a position in a sequence"},
      // 7241 AIDC media type, 8008 production time
      {"(8018)950600013435000011(7241)01", ""},
      {"(8018)950600013435000011(7241)50", "not an AIDC media type"},
      {"(01)09506000134352(8008)26010112", ""},
      {"(01)09506000134352(8008)2601011261", "part 3: not a minute 00-59"},
      {"(01)09506000134352(8008)2601012500", "part 2: not an hour 00-23"},
      // 7040 UIC with extension and importer index; 7041 package type
      {"(8004)9506X(7040)1AB_", ""},
      {"(8004)9506X(7040)1AB%", "not an importer index"},
      {"(00)009506000134350004(7041)BX", ""},
      {"(00)009506000134350004(7041)QQQ", "not a GS1 package type code"},
      // 8001 roll dimensions: width, length, core diameter non-zero; winding 0, 1 or 9
      {"(01)09506000134352(8001)01000200000315", ""},
      {"(01)09506000134352(8001)01000200000325", "winding direction"},
      {"(01)09506000134352(8001)00000200000315", "part 1: must not be zero"},
      // 4321 yes/no
      {"(00)009506000134350004(4321)2", "must be 0 (no) or 1 (yes)"},
  };
  for (const auto& c : cases) {
    INFO(c.data);
    const auto problem = decode_error(c.data);
    if (std::string(c.refusal).empty()) {
      CHECK(problem.empty());
    } else {
      CHECK_THAT(problem, Catch::Contains(c.refusal));
    }
  }
}

TEST_CASE("element strings: FNC1 after every AI without a predefined length, one value per AI", "[gs1][dictionary]") {
  // 7003 is N10, fixed, but not in GenSpecs figure 7.8.5-2: FNC1 must follow it.
  const auto missing = parse_gs1_element_string("]d201095060001343527003271231235910LOT", kYear);
  REQUIRE_FALSE(missing.has_value());
  CHECK_THAT(missing.error().reason, Catch::Contains("is a separator (FNC1) missing after it?"));
  const auto twice = parse_gs1_element_string(
      "]d20109506000134352"
      "10A\x1d"
      "10B",
      kYear);
  REQUIRE_FALSE(twice.has_value());
  CHECK_THAT(twice.error().reason, Catch::Contains("AI (10) appears twice with different values (A, B)"));
  const auto repeated = parse_gs1_element_string(
      "]d20109506000134352"
      "10A\x1d"
      "10A",
      kYear);
  REQUIRE(repeated.has_value());
  CHECK(repeated->elements.size() == 2);
}

TEST_CASE("association rules are warnings that name the rule, over the whole message", "[gs1][dictionary]") {
  auto rules = [](const std::string& human_readable) {
    std::vector<std::string> out;
    const auto message = parse_gs1_human_readable(human_readable, kYear);
    REQUIRE(message.has_value());
    for (const auto& rule : message->broken_rules) out.push_back(rule.meaning);
    return out;
  };
  CHECK(rules("(01)09506000134352(17)271231(10)LOT(21)SN").empty());
  // GenSpecs 4.13: a lot goes with a GTIN (or 02, 03, 8006, 8026)
  CHECK(rules("(10)LOT") ==
        std::vector<std::string>{"(10) BATCH/LOT goes with one of (01), (02), (03), (8006), (8026)"});
  // 01 and 02 may not identify the same item; 02 needs 37, and 37 needs 00
  const auto content = rules("(01)09506000134352(02)09506000134352");
  CHECK(std::find(content.begin(), content.end(), "(02) CONTENT and (01) GTIN may not be on the same item") !=
        content.end());
  CHECK(std::find(content.begin(), content.end(), "(02) CONTENT goes with (37)") != content.end());
  // a secondary serial needs the serial; DigSig needs a serialised key (01 with 21)
  CHECK(rules("(01)09506000134352(250)X") == std::vector<std::string>{"(250) SECONDARY SERIAL goes with (21)"});
  const auto digsig = rules("(01)09506000134352(8030)abc");
  REQUIRE(digsig.size() == 1);
  CHECK_THAT(digsig[0], Catch::Contains("(01) with (21)"));
  // two net weights in different decimals exclude each other (ex=310n)
  const auto weights = rules("(01)09506000134352(3101)000100(3102)001000");
  CHECK(weights.size() == 2);
}

TEST_CASE("Digital Link: any scheme case, host and path prefix; every primary key", "[gs1][digital-link]") {
  auto pairs = [](const char* uri) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto message = parse_gs1_digital_link(uri, kYear);
    INFO(uri << ": " << (message ? "" : message.error().reason));
    REQUIRE(message.has_value());
    for (const auto& e : message->elements) out.emplace_back(e.ai, e.value);
    return out;
  };
  using P = std::vector<std::pair<std::string, std::string>>;
  CHECK(pairs("HTTPS://ID.GS1.ORG/01/09506000134352") == P{{"01", "09506000134352"}});
  CHECK(pairs("Http://brand.example.com/some/path/01/09506000134352/10/ABC?17=271231#label") ==
        P{{"01", "09506000134352"}, {"10", "ABC"}, {"17", "271231"}});
  // GTIN-13, -12 and -8 written without padding (DL URI syntax 4.6)
  CHECK(pairs("https://id.gs1.org/01/9506000134352") == P{{"01", "09506000134352"}});
  CHECK(pairs("https://id.gs1.org/01/036000291452") == P{{"01", "00036000291452"}});
  CHECK(pairs("https://id.gs1.org/01/95012346") == P{{"01", "00000095012346"}});
  // Primary keys other than the GTIN, with their qualifiers (dlpkey=)
  CHECK(pairs("https://id.gs1.org/00/009506000134350004") == P{{"00", "009506000134350004"}});
  CHECK(pairs("https://id.gs1.org/414/9506000134352/254/SHELF-3") == P{{"414", "9506000134352"}, {"254", "SHELF-3"}});
  CHECK(pairs("https://id.gs1.org/8004/9506PUMP77") == P{{"8004", "9506PUMP77"}});
  CHECK(pairs("https://id.gs1.org/8018/950600013435000011/8019/42") ==
        P{{"8018", "950600013435000011"}, {"8019", "42"}});
  CHECK(pairs("https://id.gs1.org/253/9506000134352DOC7") == P{{"253", "9506000134352DOC7"}});
  CHECK(pairs("https://id.gs1.org/01/09506000134352/22/V1/10/L1/21/S1") ==
        P{{"01", "09506000134352"}, {"22", "V1"}, {"10", "L1"}, {"21", "S1"}});
  CHECK(pairs("https://id.gs1.org/01/09506000134352/235/TPX1") == P{{"01", "09506000134352"}, {"235", "TPX1"}});
  // Parameters that are not AIs are for resolvers: ignored
  CHECK(pairs("https://id.gs1.org/01/09506000134352?linkType=gs1:pip&context=ward") == P{{"01", "09506000134352"}});
}

TEST_CASE("Digital Link: what GS1's syntax refuses is refused, with the reason", "[gs1][digital-link]") {
  struct Case {
    const char* uri;
    const char* reason;
  };
  const Case cases[] = {
      {"https://id.gs1.org/01/09506000134352?10=LOT", "belongs in the link's path, not in its query"},
      {"https://id.gs1.org/01/09506000134352?01=09506000134352", "belongs in the link's path"},
      {"https://id.gs1.org/01/09506000134352?17=271231&17=281231", "appears twice in the link"},
      {"https://id.gs1.org/01/09506000134352/10/A/10/B", "must be 22/10/21 or 235"},
      {"https://id.gs1.org//01/09506000134352", "empty part"},
      {"https://id.gs1.org/01/09506000134352/", "empty part"},
      {"https://id.gs1.org/01/09506000134352/17/271231", "other AIs go in the query"},
      {"https://id.gs1.org/01/09506000134352/10/L1/22/V1", "in that order and without mixing"},
      {"https://id.gs1.org/01/09506000134352/10/L1/235/T", "without mixing"},
      {"https://id.gs1.org/01/09506000134352?254=X", "may not be a Digital Link data attribute"},
      {"https://id.gs1.org/00/009506000134350004/10/X", "no qualifier after it"},
      {"https://id.gs1.org/01/09506000134352?exp=271231", "retired name \"exp\""},
      {"https://id.gs1.org/01/09506000134352?17", "has no value"},
      {"https://id.gs1.org/01/09506000134352?5555=1", "unknown Application Identifier 5555"},
      {"https:///01/09506000134352", "no host"},
  };
  for (const auto& c : cases) {
    INFO(c.uri);
    const auto message = parse_gs1_digital_link(c.uri, kYear);
    REQUIRE_FALSE(message.has_value());
    CHECK_THAT(message.error().reason, Catch::Contains(c.reason));
  }
}
