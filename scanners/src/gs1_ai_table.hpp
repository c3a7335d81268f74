#pragma once
// The Application Identifiers edgestock reads: a declarative table of their
// data formats (GS1 General Specifications, section 3.2 and the AI format
// table; the predefined lengths of figure 5.10.1-2).

#include <optional>
#include <string_view>

namespace edgestock::scanners::gs1 {

enum class Charset { numeric, cset82 };
enum class Check { none, gs1_mod10, date_yymmdd, date_yymmdd_day00, date_time };

struct AiFormat {
  std::string_view ai;  // exact AI, or a 3-digit prefix followed by n (4-digit measure AIs)
  std::string_view title;
  int min_length;
  int max_length;  // equal to min_length for fixed-length data
  Charset charset;
  Check check;
  bool is_measure_family;  // 310n..369n: the 4th digit is the decimal point position
};

// Finds the AI at the start of `text` (AIs are prefix-free), or nullopt.
std::optional<AiFormat> match_ai(std::string_view text, std::string_view& ai);

// True when elements with this AI have a predefined length and so need no
// FNC1 after them (figure 5.10.1-2: 00-04, 11-20, 31-36, 41).
bool has_predefined_length(std::string_view ai);

}  // namespace edgestock::scanners::gs1
