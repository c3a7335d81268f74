// GS1's association rules between AIs (General Specifications 4.13; the
// Syntax Dictionary's req= and ex=), checked over a set of elements. They
// make warnings, not refusals: the caller decides what a broken one means.
#include "edgestock/scanners/gs1.hpp"
#include "gs1_ai_table.hpp"

namespace edgestock::scanners {
namespace {

bool present(const std::vector<Gs1Element>& elements, std::string_view pattern) {
  for (const auto& e : elements) {
    if (gs1::ai_matches(pattern, e.ai)) return true;
  }
  return false;
}

std::string written(const gs1::PatternGroup& group) {
  std::string text;
  for (const auto& pattern : group) text += (text.empty() ? "(" : " with (") + pattern + ")";
  return text;
}

}  // namespace

std::vector<Gs1BrokenRule> gs1_broken_rules(const std::vector<Gs1Element>& elements) {
  std::vector<Gs1BrokenRule> broken;
  for (const auto& element : elements) {
    const auto* entry = gs1::find_ai(element.ai);
    if (entry == nullptr) continue;
    const auto name = [&] { return "(" + element.ai + ") " + entry->title; };
    for (const auto& groups : entry->requires_any) {
      bool met = false;
      for (const auto& group : groups) {
        bool all = true;
        for (const auto& pattern : group) all = all && present(elements, pattern);
        met = met || all;
      }
      if (met) continue;
      std::string meaning = name() + " goes with " + (groups.size() > 1 ? "one of " : "");
      for (std::size_t i = 0; i < groups.size(); ++i) meaning += (i > 0 ? ", " : "") + written(groups[i]);
      broken.push_back({Gs1BrokenRule::Kind::needs, element.ai, meaning});
    }
    for (const auto& pattern : entry->excludes) {
      for (const auto& other : elements) {
        // An AI does not exclude itself, even when it matches the pattern.
        if (other.ai == element.ai || !gs1::ai_matches(pattern, other.ai)) continue;
        broken.push_back(
            {Gs1BrokenRule::Kind::excludes, element.ai,
             name() + " and (" + other.ai + ") " + gs1::find_ai(other.ai)->title + " may not be on the same item"});
      }
    }
  }
  return broken;
}

}  // namespace edgestock::scanners
