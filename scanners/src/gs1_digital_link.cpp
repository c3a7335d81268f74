// GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax, release
// 1.x, sections 4 and 6): http or https in any case, any host, any path
// before the primary key; the primary key and its key qualifiers as
// /AI/value pairs in the order the Syntax Dictionary's dlpkey= gives; data
// attributes as ?AI=value; a fragment ignored.
#include <optional>

#include "edgestock/scanners/gs1.hpp"
#include "gs1_ai_table.hpp"
#include "gs1_values.hpp"

namespace edgestock::scanners {
namespace {

using gs1::all_digits;
using gs1::refusal;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string> percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || hex(text[i + 1]) < 0 || hex(text[i + 2]) < 0) return std::nullopt;
    out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
    i += 2;
  }
  return out;
}

// The short names of Digital Link 1.1 ("/gtin/..."), retired in 1.2: read
// as what they are, so that the refusal can say what to write instead.
constexpr std::pair<std::string_view, std::string_view> kRetiredNames[] = {
    {"gtin", "01"},    {"itip", "8006"}, {"cpv", "22"},    {"lot", "10"},    {"ser", "21"},    {"sscc", "00"},
    {"gln", "414"},    {"glnx", "254"},  {"party", "417"}, {"grai", "8003"}, {"giai", "8004"}, {"gsrn", "8018"},
    {"gsrnp", "8017"}, {"srin", "8019"}, {"gdti", "253"},  {"ginc", "401"},  {"gsin", "402"},  {"gcn", "255"},
    {"cpid", "8010"},  {"cpsn", "8011"}, {"gmn", "8013"},  {"exp", "17"},    {"expdt", "7003"}};

std::optional<std::string_view> retired_name(std::string_view segment) {
  for (const auto& [name, ai] : kRetiredNames) {
    if (name == segment) return ai;
  }
  return std::nullopt;
}

// Whether `qualifiers` follow one of the key's allowed sequences, in order.
// "" when they do, else why not.
// `segments` from `first` are the key, its value, then qualifier/value pairs.
std::string qualifier_problem(const gs1::AiEntry& key, const std::vector<std::string_view>& segments,
                              std::size_t first) {
  if (first + 2 >= segments.size()) return {};
  const auto key_ai = segments[first];
  for (const auto& sequence : key.qualifier_sequences) {
    std::size_t next = 0;
    bool fits = true;
    for (std::size_t i = first + 2; i < segments.size(); i += 2) {
      while (next < sequence.size() && sequence[next] != segments[i]) ++next;
      if (next == sequence.size()) {
        fits = false;
        break;
      }
      ++next;
    }
    if (fits) return {};
  }
  std::string allowed;
  for (const auto& sequence : key.qualifier_sequences) {
    std::string written;
    for (const auto& ai : sequence) written += (written.empty() ? "" : "/") + ai;
    allowed += (allowed.empty() ? "" : " or ") + written;
  }
  const std::string name = "(" + std::string(key_ai) + ") " + key.title;
  if (allowed.empty()) return "the path may hold only the primary key " + name + ", no qualifier after it";
  return "the path's qualifiers of " + name + " must be " + allowed +
         ", in that order and without mixing; other AIs go in the query (?AI=value)";
}

bool is_qualifier_of_any(const gs1::AiEntry& key, std::string_view ai) {
  for (const auto& sequence : key.qualifier_sequences) {
    for (const auto& qualifier : sequence) {
      if (qualifier == ai) return true;
    }
  }
  return false;
}

}  // namespace

std::expected<Gs1Message, ScanError> parse_gs1_digital_link(std::string_view uri, int today_year) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos || (!equals_ignoring_case(uri.substr(0, scheme_end), "https") &&
                                               !equals_ignoring_case(uri.substr(0, scheme_end), "http"))) {
    return refusal("a GS1 Digital Link starts with https://", 0);
  }
  const auto path_start = uri.find('/', scheme_end + 3);
  if (path_start == std::string_view::npos || path_start == scheme_end + 3) {
    return refusal("the link has no host or no path", uri.size());
  }
  auto end = uri.find_first_of("?#", path_start);
  if (end == std::string_view::npos) end = uri.size();
  const auto path = uri.substr(path_start, end - path_start);
  std::vector<std::string_view> segments;
  segments.reserve(16);
  for (std::size_t pos = 1; pos <= path.size();) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash == pos)
      return refusal("the link's path has an empty part (\"//\" or a trailing \"/\")", path_start + pos);
    segments.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  // The primary key is the first segment, at an even distance from the end,
  // that is a primary key AI; any path before it is the domain's own.
  std::size_t first = segments.size();
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    if ((segments.size() - i) % 2 != 0) continue;
    const auto* entry = gs1::find_ai(segments[i]);
    if (entry != nullptr && entry->primary_key) {
      first = i;
      break;
    }
  }
  if (first == segments.size()) {
    for (const auto segment : segments) {
      if (const auto ai = retired_name(segment)) {
        return refusal("the link uses the retired name \"" + std::string(segment) +
                           "\"; GS1 Digital Link 1.2 writes /" + std::string(*ai) + "/ instead (a new label is needed)",
                       path_start);
      }
    }
    for (const auto segment : segments) {
      const auto* entry = gs1::find_ai(segment);
      if (entry != nullptr && entry->primary_key) {
        return refusal("an Application Identifier in the path has no value", path_start);
      }
    }
    return refusal("no primary key (such as 01 GTIN, 00 SSCC, 414 GLN) in the link's path", path_start);
  }
  Gs1Message message;
  message.elements.reserve(8);
  auto add = [&](std::string_view ai, std::string_view raw, std::size_t at) -> std::optional<ScanError> {
    const auto* entry = gs1::find_ai(ai);
    if (entry == nullptr) return ScanError{"unknown Application Identifier " + std::string(ai), at};
    auto value = percent_decode(raw);
    if (!value) return ScanError{"bad percent-encoding in the value of AI " + std::string(ai), at};
    // A GTIN-8, -12 or -13 is written without its leading zeros (4.6).
    if (ai == "01" && all_digits(*value) && (value->size() == 8 || value->size() == 12 || value->size() == 13)) {
      value->insert(0, 14 - value->size(), '0');
    }
    if (auto problem = gs1::check_value(*entry, ai, *value, today_year); !problem.empty()) {
      return ScanError{problem, at};
    }
    if (auto problem = gs1::add_element(message, ai, std::move(*value)); !problem.empty()) {
      return ScanError{problem, at};
    }
    return std::nullopt;
  };
  const auto* key = gs1::find_ai(segments[first]);
  if (auto problem = qualifier_problem(*key, segments, first); !problem.empty()) return refusal(problem, path_start);
  for (std::size_t i = first; i < segments.size(); i += 2) {
    if (auto error = add(segments[i], segments[i + 1], path_start)) return std::unexpected(*error);
  }
  if (end < uri.size() && uri[end] == '?') {
    auto query = uri.substr(end + 1);
    query = query.substr(0, query.find('#'));
    for (std::size_t pos = 0; pos < query.size();) {
      auto amp = query.find('&', pos);
      if (amp == std::string_view::npos) amp = query.size();
      const auto pair = query.substr(pos, amp - pos);
      const auto equals = pair.find('=');
      const auto name = pair.substr(0, equals);
      const std::size_t at = end + 1 + pos;
      pos = amp + 1;
      if (!all_digits(name)) {
        // linkType, context and other resolver parameters are not stock
        // data; a retired short name for an AI would lose data unread.
        if (const auto ai = retired_name(name)) {
          return refusal("the link's query uses the retired name \"" + std::string(name) + "\"; write ?" +
                             std::string(*ai) + "= instead",
                         at);
        }
        continue;
      }
      const auto* entry = gs1::find_ai(name);
      if (entry == nullptr) return refusal("unknown Application Identifier " + std::string(name) + " in the query", at);
      if (entry->primary_key || is_qualifier_of_any(*key, name)) {
        return refusal(
            "AI (" + std::string(name) + ") " + entry->title + " belongs in the link's path, not in its query", at);
      }
      if (!entry->data_attribute) {
        return refusal("AI (" + std::string(name) + ") " + entry->title + " may not be a Digital Link data attribute",
                       at);
      }
      if (equals == std::string_view::npos)
        return refusal("AI (" + std::string(name) + ") in the query has no value", at);
      if (message.find(name) != nullptr) {
        return refusal("AI (" + std::string(name) + ") appears twice in the link", at);
      }
      if (auto error = add(name, pair.substr(equals + 1), at)) return std::unexpected(*error);
    }
  }
  message.broken_rules = gs1_broken_rules(message.elements);
  return message;
}

}  // namespace edgestock::scanners
