// Where each object member of a JSON text starts: a small scanner that knows
// only enough JSON to walk it (strings with escapes, nesting), for pointing a
// problem at its line. The text is assumed well-formed (parsed before).
#include <map>
#include <string>

#include "edgestock/config/schema.hpp"

namespace edgestock::config {
namespace {

class MemberLines {
 public:
  explicit MemberLines(std::string_view text) : text_(text) {}

  std::map<std::string, int> scan() {
    value("");
    return lines_;
  }

 private:
  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      if (text_[at_] == '\n') ++line_;
      ++at_;
    }
  }
  std::string string() {
    std::string out;
    ++at_;  // the opening quote
    while (at_ < text_.size() && text_[at_] != '"') {
      if (text_[at_] == '\\' && at_ + 1 < text_.size()) ++at_;  // the escaped character (a \uXXXX stays as read)
      out += text_[at_++];
    }
    ++at_;  // the closing quote
    return out;
  }
  void value(const std::string& path) {
    skip_space();
    if (at_ >= text_.size()) return;
    const char c = text_[at_];
    if (c == '{') {
      ++at_;
      for (;;) {
        skip_space();
        if (at_ >= text_.size() || text_[at_] == '}') break;
        if (text_[at_] == ',') {
          ++at_;
          continue;
        }
        if (text_[at_] != '"') return;  // not well-formed: stop where it breaks
        const int line = line_;
        const auto name = string();
        const auto member = path.empty() ? name : path + "." + name;
        lines_.try_emplace(member, line);
        skip_space();
        if (at_ < text_.size() && text_[at_] == ':') ++at_;
        value(member);
      }
      ++at_;
    } else if (c == '[') {
      ++at_;
      for (;;) {
        skip_space();
        if (at_ >= text_.size() || text_[at_] == ']') break;
        if (text_[at_] == ',') {
          ++at_;
          continue;
        }
        const auto before = at_;
        value(path);
        if (at_ == before) return;
      }
      ++at_;
    } else if (c == '"') {
      (void)string();
    } else {
      while (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '}' && text_[at_] != ']' && text_[at_] != ' ' &&
             text_[at_] != '\n' && text_[at_] != '\r' && text_[at_] != '\t') {
        ++at_;
      }
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
  int line_ = 1;
  std::map<std::string, int> lines_;
};

}  // namespace

int line_of_member(std::string_view json_text, std::string_view dotted_path) {
  const auto lines = MemberLines(json_text).scan();
  std::string path(dotted_path);
  for (;;) {
    if (const auto found = lines.find(path); found != lines.end()) return found->second;
    const auto dot = path.rfind('.');
    if (dot == std::string::npos) return 0;
    path.resize(dot);
  }
}

}  // namespace edgestock::config
