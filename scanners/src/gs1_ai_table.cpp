#include "gs1_ai_table.hpp"

#include <array>
#include <stdexcept>

namespace edgestock::scanners::gs1 {
namespace {

struct Row {
  std::string_view first;
  std::string_view last;
  std::string_view flags;
  std::string_view spec;
  std::string_view attributes;
  std::string_view title;
};

constexpr Row kRows[] = {
#include "gs1_ai_table.inc"
};

constexpr std::array<std::pair<std::string_view, Lint>, 35> kLintNames{{
    {"csum", Lint::csum},
    {"csumalpha", Lint::csumalpha},
    {"key", Lint::key},
    {"keyoff1", Lint::keyoff1},
    {"yymmd0", Lint::yymmd0},
    {"yymmdd", Lint::yymmdd},
    {"yyyymmd0", Lint::yyyymmd0},
    {"yyyymmdd", Lint::yyyymmdd},
    {"hh", Lint::hh},
    {"mi", Lint::mi},
    {"ss", Lint::ss},
    {"hhmi", Lint::hhmi},
    {"iso3166", Lint::iso3166},
    {"iso3166999", Lint::iso3166999},
    {"iso3166alpha2", Lint::iso3166alpha2},
    {"iso4217", Lint::iso4217},
    {"iso5218", Lint::iso5218},
    {"iban", Lint::iban},
    {"latitude", Lint::latitude},
    {"longitude", Lint::longitude},
    {"pcenc", Lint::pcenc},
    {"pieceoftotal", Lint::pieceoftotal},
    {"nonzero", Lint::nonzero},
    {"nozeroprefix", Lint::nozeroprefix},
    {"zero", Lint::zero},
    {"winding", Lint::winding},
    {"yesno", Lint::yesno},
    {"hyphen", Lint::hyphen},
    {"importeridx", Lint::importeridx},
    {"packagetype", Lint::packagetype},
    {"mediatype", Lint::mediatype},
    {"posinseqslash", Lint::posinseqslash},
    {"couponcode", Lint::couponcode},
    {"couponposoffer", Lint::couponposoffer},
    {"hasnondigit", Lint::hasnondigit},
}};

// The table is written by hand from the dictionary; a typo in it is a bug
// of this program, found by the first decode (and by the table's tests).
[[noreturn]] void bad_row(const Row& row, std::string_view what) {
  throw std::logic_error("gs1_ai_table.inc, AI " + std::string(row.first) + ": " + std::string(what));
}

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find(by, pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) parts.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return parts;
}

int number(const Row& row, std::string_view digits) {
  if (digits.empty() || digits.size() > 2) bad_row(row, "bad length in the specification");
  int value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') bad_row(row, "bad length in the specification");
    value = value * 10 + (c - '0');
  }
  return value;
}

Component parse_component(const Row& row, std::string_view text) {
  Component component;
  const auto parts = split(text, ',');
  std::string_view type = parts.at(0);
  if (type.starts_with('[')) {
    if (!type.ends_with(']')) bad_row(row, "unclosed optional component");
    component.optional = true;
    type = type.substr(1, type.size() - 2);
  }
  switch (type.empty() ? '?' : type[0]) {
    case 'N':
      component.charset = Charset::numeric;
      break;
    case 'X':
      component.charset = Charset::cset82;
      break;
    case 'Y':
      component.charset = Charset::cset39;
      break;
    case 'Z':
      component.charset = Charset::cset64;
      break;
    default:
      bad_row(row, "unknown component type");
  }
  type.remove_prefix(1);
  if (type.starts_with("..")) {
    component.min_length = 1;
    component.max_length = number(row, type.substr(2));
  } else {
    component.min_length = component.max_length = number(row, type);
  }
  for (std::size_t i = 1; i < parts.size(); ++i) {
    bool known = false;
    for (const auto& [name, value] : kLintNames) {
      if (name == parts[i]) {
        component.lints.push_back(value);
        known = true;
      }
    }
    if (!known) bad_row(row, "unknown linter " + std::string(parts[i]));
  }
  return component;
}

void parse_attribute(const Row& row, std::string_view attribute, AiEntry& entry) {
  if (attribute == "dlpkey") {
    entry.primary_key = true;
  } else if (attribute.starts_with("dlpkey=")) {
    entry.primary_key = true;
    for (const auto sequence : split(attribute.substr(7), '|')) {
      auto& qualifiers = entry.qualifier_sequences.emplace_back();
      for (const auto ai : split(sequence, ',')) qualifiers.emplace_back(ai);
    }
  } else if (attribute.starts_with("req=")) {
    auto& groups = entry.requires_any.emplace_back();
    for (const auto group : split(attribute.substr(4), ',')) {
      auto& patterns = groups.emplace_back();
      for (const auto pattern : split(group, '+')) patterns.emplace_back(pattern);
    }
  } else if (attribute.starts_with("ex=")) {
    for (const auto pattern : split(attribute.substr(3), ',')) entry.excludes.emplace_back(pattern);
  } else {
    bad_row(row, "unknown attribute " + std::string(attribute));
  }
}

struct Table {
  std::vector<AiEntry> entries;
  // Entry index + 1 for every 4-digit string an AI is a prefix of; 0: none.
  std::array<std::uint16_t, 10000> by_prefix{};
};

int power_of_ten(std::size_t n) {
  int value = 1;
  for (std::size_t i = 0; i < n; ++i) value *= 10;
  return value;
}

Table build() {
  Table table;
  for (const auto& row : kRows) {
    AiEntry entry;
    entry.first = row.first;
    entry.last = row.last;
    entry.title = row.title;
    entry.predefined_length = row.flags.find('*') != std::string_view::npos;
    entry.data_attribute = row.flags.find('?') != std::string_view::npos;
    for (const auto part : split(row.spec, ' ')) entry.components.push_back(parse_component(row, part));
    for (const auto attribute : split(row.attributes, ' ')) parse_attribute(row, attribute, entry);
    if (row.first.size() != row.last.size() || row.first.size() < 2 || row.first.size() > 4) bad_row(row, "bad AI");
    const int first = std::stoi(std::string(row.first));
    const int last = std::stoi(std::string(row.last));
    const int span = power_of_ten(4 - row.first.size());
    for (int ai = first; ai <= last; ++ai) {
      for (int slot = ai * span; slot < (ai + 1) * span; ++slot) {
        if (table.by_prefix.at(static_cast<std::size_t>(slot)) != 0) bad_row(row, "AIs overlap");
        table.by_prefix.at(static_cast<std::size_t>(slot)) = static_cast<std::uint16_t>(table.entries.size() + 1);
      }
    }
    table.entries.push_back(std::move(entry));
  }
  return table;
}

const Table& table() {
  static const Table kTable = build();
  return kTable;
}

}  // namespace

int AiEntry::min_length() const {
  int total = 0;
  for (const auto& c : components) total += c.optional ? 0 : c.min_length;
  return total;
}

int AiEntry::max_length() const {
  int total = 0;
  for (const auto& c : components) total += c.max_length;
  return total;
}

const AiEntry* match_ai(std::string_view text, std::string_view& ai) {
  std::size_t digits = 0;
  int slot = 0;
  while (digits < 4 && digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    slot = slot * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits < 2) return nullptr;
  slot *= power_of_ten(4 - digits);
  const auto index = table().by_prefix.at(static_cast<std::size_t>(slot));
  if (index == 0) return nullptr;
  const auto& entry = table().entries[index - 1];
  if (entry.first.size() > digits) return nullptr;
  ai = text.substr(0, entry.first.size());
  return &entry;
}

const AiEntry* find_ai(std::string_view ai) {
  std::string_view matched;
  const auto* entry = match_ai(ai, matched);
  return entry != nullptr && matched.size() == ai.size() ? entry : nullptr;
}

std::span<const AiEntry> all_ai_entries() {
  return table().entries;
}

bool ai_matches(std::string_view pattern, std::string_view ai) {
  if (pattern.size() != ai.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != 'n' && pattern[i] != ai[i]) return false;
  }
  return true;
}

std::string_view lint_name(Lint lint) {
  for (const auto& [name, value] : kLintNames) {
    if (value == lint) return name;
  }
  return "?";
}

}  // namespace edgestock::scanners::gs1
