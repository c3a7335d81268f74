#include "gs1_ai_table.hpp"

#include <array>

namespace edgestock::scanners::gs1 {
namespace {

using C = Charset;
using K = Check;

// Data lengths exclude the AI itself.
constexpr std::array kTable{
    AiFormat{"00", "SSCC", 18, 18, C::numeric, K::gs1_mod10, false},
    AiFormat{"01", "GTIN", 14, 14, C::numeric, K::gs1_mod10, false},
    AiFormat{"02", "CONTENT", 14, 14, C::numeric, K::gs1_mod10, false},
    AiFormat{"10", "BATCH/LOT", 1, 20, C::cset82, K::none, false},
    AiFormat{"11", "PROD DATE", 6, 6, C::numeric, K::date_yymmdd_day00, false},
    AiFormat{"12", "DUE DATE", 6, 6, C::numeric, K::date_yymmdd_day00, false},
    AiFormat{"13", "PACK DATE", 6, 6, C::numeric, K::date_yymmdd_day00, false},
    AiFormat{"15", "BEST BEFORE", 6, 6, C::numeric, K::date_yymmdd_day00, false},
    AiFormat{"16", "SELL BY", 6, 6, C::numeric, K::date_yymmdd_day00, false},
    AiFormat{"17", "USE BY OR EXPIRY", 6, 6, C::numeric, K::date_yymmdd_day00, false},
    AiFormat{"20", "VARIANT", 2, 2, C::numeric, K::none, false},
    AiFormat{"21", "SERIAL", 1, 20, C::cset82, K::none, false},
    AiFormat{"22", "CPV", 1, 20, C::cset82, K::none, false},
    AiFormat{"240", "ADDITIONAL ID", 1, 30, C::cset82, K::none, false},
    AiFormat{"241", "CUST. PART No.", 1, 30, C::cset82, K::none, false},
    AiFormat{"250", "SECONDARY SERIAL", 1, 30, C::cset82, K::none, false},
    AiFormat{"30", "VAR. COUNT", 1, 8, C::numeric, K::none, false},
    AiFormat{"37", "COUNT", 1, 8, C::numeric, K::none, false},
    AiFormat{"400", "ORDER NUMBER", 1, 30, C::cset82, K::none, false},
    AiFormat{"401", "GINC", 1, 30, C::cset82, K::none, false},
    AiFormat{"402", "GSIN", 17, 17, C::numeric, K::gs1_mod10, false},
    AiFormat{"403", "ROUTE", 1, 30, C::cset82, K::none, false},
    AiFormat{"410", "SHIP TO LOC", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"411", "BILL TO", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"412", "PURCHASE FROM", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"413", "SHIP FOR LOC", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"414", "LOC No.", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"415", "PAY TO", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"416", "PROD/SERV LOC", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"417", "PARTY", 13, 13, C::numeric, K::gs1_mod10, false},
    AiFormat{"422", "ORIGIN", 3, 3, C::numeric, K::none, false},
    AiFormat{"7003", "EXPIRY TIME", 10, 10, C::numeric, K::date_time, false},
    AiFormat{"7240", "PROTOCOL", 1, 20, C::cset82, K::none, false},
    AiFormat{"8004", "GIAI", 1, 30, C::cset82, K::none, false},
    AiFormat{"8020", "REF No.", 1, 25, C::cset82, K::none, false},
    AiFormat{"90", "INTERNAL", 1, 30, C::cset82, K::none, false},
    AiFormat{"91", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"92", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"93", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"94", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"95", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"96", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"97", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"98", "INTERNAL", 1, 90, C::cset82, K::none, false},
    AiFormat{"99", "INTERNAL", 1, 90, C::cset82, K::none, false},
};

// Measures 310n-369n: the first three digits name the measure, the fourth
// (0-9) where the decimal point goes. Those in use (section 3.2.x).
constexpr std::array<std::string_view, 39> kMeasurePrefixes{
    "310", "311", "312", "313", "314", "315", "316", "320", "321", "322", "323", "324", "325",
    "326", "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "340",
    "341", "342", "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353"};
constexpr std::array<std::string_view, 14> kMoreMeasurePrefixes{"354", "355", "356", "357", "360", "361", "362",
                                                                "363", "364", "365", "366", "367", "368", "369"};

bool is_measure_prefix(std::string_view prefix) {
  for (const auto p : kMeasurePrefixes) {
    if (p == prefix) return true;
  }
  for (const auto p : kMoreMeasurePrefixes) {
    if (p == prefix) return true;
  }
  return false;
}

}  // namespace

std::optional<AiFormat> match_ai(std::string_view text, std::string_view& ai) {
  for (const auto& format : kTable) {
    if (text.substr(0, format.ai.size()) == format.ai) {
      ai = text.substr(0, format.ai.size());
      return format;
    }
  }
  if (text.size() >= 4 && is_measure_prefix(text.substr(0, 3)) && text[3] >= '0' && text[3] <= '9') {
    ai = text.substr(0, 4);
    return AiFormat{ai, "MEASURE", 6, 6, Charset::numeric, Check::none, true};
  }
  return std::nullopt;
}

bool has_predefined_length(std::string_view ai) {
  if (ai.size() < 2) return false;
  const int first_two = (ai[0] - '0') * 10 + (ai[1] - '0');
  return (first_two >= 0 && first_two <= 4) || (first_two >= 11 && first_two <= 20) ||
         (first_two >= 31 && first_two <= 36) || first_two == 41;
}

}  // namespace edgestock::scanners::gs1
