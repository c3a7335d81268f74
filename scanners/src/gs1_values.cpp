#include "gs1_values.hpp"

namespace edgestock::scanners::gs1 {
namespace {

// GS1 AI encodable character set 82 (General Specifications, figure 7.11-1).
bool in_cset82(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kPunctuation = "!\"%&'()*+,-./:;<=>?_";
  return kPunctuation.find(c) != std::string_view::npos;
}

// Character set 39 (figure 7.11-2) and the URI-safe base64 set (7.11-3).
bool in_cset39(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' || c == '-' || c == '/';
}

bool in_cset64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '=';
}

std::string charset_problem(Charset charset, std::string_view data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    switch (charset) {
      case Charset::numeric:
        if (c < '0' || c > '9') return "takes digits only";
        break;
      case Charset::cset82:
        if (!in_cset82(c)) return "has a character GS1 does not allow";
        break;
      case Charset::cset39:
        if (!in_cset39(c)) return "takes only capital letters, digits, '#', '-' and '/'";
        break;
      case Charset::cset64:
        // '=' pads only the end.
        if (!in_cset64(c) || (c == '=' && data.find_first_not_of('=', i) != std::string_view::npos)) {
          return "has a character the URI-safe base64 set does not allow";
        }
        break;
    }
  }
  return {};
}

std::string length_problem(const AiEntry& entry, std::size_t length) {
  const int min = entry.min_length();
  const int max = entry.max_length();
  if (static_cast<int>(length) >= min && static_cast<int>(length) <= max) return {};
  if (min == max) return " needs " + std::to_string(min) + " characters, not " + std::to_string(length);
  return " takes " + std::to_string(min) + " to " + std::to_string(max) + " characters, not " + std::to_string(length);
}

}  // namespace

std::string check_value(const AiEntry& entry, std::string_view ai, std::string_view value, int today_year) {
  // The names are made only for a refusal: decoding a valid scan allocates nothing here.
  const auto name = [&] { return "AI (" + std::string(ai) + ") " + entry.title; };
  if (auto problem = length_problem(entry, value.size()); !problem.empty()) return name() + problem;
  std::size_t at = 0;
  for (std::size_t i = 0; i < entry.components.size(); ++i) {
    const auto& component = entry.components[i];
    const auto part = [&] {
      return name() + (entry.components.size() > 1 ? ", part " + std::to_string(i + 1) : std::string());
    };
    if (at == value.size() && component.optional) break;
    const std::size_t left = value.size() - at;
    std::size_t length = static_cast<std::size_t>(component.max_length);
    if (component.min_length == component.max_length) {
      if (left < length) {
        return part() + " needs " + std::to_string(length) + " characters, only " + std::to_string(left) + " are left";
      }
    } else {
      length = left;  // only the last component has a variable length
    }
    const auto data = value.substr(at, length);
    if (auto problem = charset_problem(component.charset, data); !problem.empty()) return part() + " " + problem;
    for (const auto check : component.lints) {
      if (auto problem = lint(check, data, today_year); !problem.empty()) return part() + ": " + problem;
    }
    at += length;
  }
  if (at != value.size()) return name() + " has " + std::to_string(value.size() - at) + " characters too many";
  return {};
}

std::string add_element(Gs1Message& message, std::string_view ai, std::string value) {
  for (const auto& element : message.elements) {
    if (element.ai != ai) continue;
    if (element.value == value) return {};
    return "AI (" + std::string(ai) + ") appears twice with different values (" + element.value + ", " + value + ")";
  }
  message.elements.push_back({std::string(ai), std::move(value)});
  return {};
}

}  // namespace edgestock::scanners::gs1
