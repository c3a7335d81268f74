#pragma once
// The GS1 Application Identifiers as data: every entry of the GS1 Barcode
// Syntax Dictionary (gs1_ai_table.inc), parsed once into components (length,
// character set, the checks GS1 names for each), association rules (req=,
// ex=) and Digital Link roles (dlpkey=, the '?' data-attribute flag).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgestock::scanners::gs1 {

// N: digits; X: CSET 82; Y: CSET 39; Z: the URI-safe base64 set (CSET 64).
enum class Charset : std::uint8_t { numeric, cset82, cset39, cset64 };

// The dictionary's linters, by its names.
enum class Lint : std::uint8_t {
  csum,
  csumalpha,
  key,
  keyoff1,
  yymmd0,
  yymmdd,
  yyyymmd0,
  yyyymmdd,
  hh,
  mi,
  ss,
  hhmi,
  iso3166,
  iso3166999,
  iso3166alpha2,
  iso4217,
  iso5218,
  iban,
  latitude,
  longitude,
  pcenc,
  pieceoftotal,
  nonzero,
  nozeroprefix,
  zero,
  winding,
  yesno,
  hyphen,
  importeridx,
  packagetype,
  mediatype,
  posinseqslash,
  couponcode,
  couponposoffer,
  hasnondigit,
};

struct Component {
  Charset charset = Charset::numeric;
  int min_length = 0;
  int max_length = 0;  // == min_length when fixed
  bool optional = false;
  std::vector<Lint> lints;
};

// One pattern group of a req= rule: every pattern must be present ("01+21").
using PatternGroup = std::vector<std::string>;

struct AiEntry {
  std::string first;  // "3100"
  std::string last;   // "3105"; == first for a single AI
  std::string title;
  bool predefined_length = false;  // '*': no FNC1 needed after it
  bool data_attribute = false;     // '?': allowed in a Digital Link query
  std::vector<Component> components;
  // Each req= is satisfied by any one of its groups; all req= must be.
  std::vector<std::vector<PatternGroup>> requires_any;
  std::vector<std::string> excludes;  // patterns: "02", "310n", "31nn"
  bool primary_key = false;           // dlpkey
  // dlpkey=22,10,21|235: the allowed qualifier sequences, in order.
  std::vector<std::vector<std::string>> qualifier_sequences;

  [[nodiscard]] int min_length() const;  // of the whole data field
  [[nodiscard]] int max_length() const;
};

// The entry whose AI starts `text` (AIs are prefix-free), with that AI in
// `ai`, or nullptr.
const AiEntry* match_ai(std::string_view text, std::string_view& ai);
// The entry of exactly this AI, or nullptr.
const AiEntry* find_ai(std::string_view ai);
// Every entry, in the dictionary's order.
std::span<const AiEntry> all_ai_entries();

// Whether an AI matches a dictionary pattern: "01", "310n" (any last digit),
// "31nn" (any last two digits).
bool ai_matches(std::string_view pattern, std::string_view ai);

// Checks one component against one linter; "" when it passes, else what is
// wrong in words. `today_year` anchors two-digit years.
std::string lint(Lint lint, std::string_view data, int today_year);
std::string_view lint_name(Lint lint);

}  // namespace edgestock::scanners::gs1
