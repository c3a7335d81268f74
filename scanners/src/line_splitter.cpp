#include "edgestock/scanners/line_splitter.hpp"

namespace edgestock::scanners {

std::vector<LineSplitter::Line> LineSplitter::feed(std::string_view bytes) {
  std::vector<Line> lines;
  for (const char c : bytes) {
    if (terminators_.find(c) != std::string::npos) {
      if (!partial_.empty() || overlong_) lines.push_back(take());
      continue;
    }
    if (partial_.size() < cap_) {
      partial_ += c;
    } else {
      overlong_ = true;
    }
  }
  return lines;
}

std::size_t LineSplitter::discard_partial() {
  const auto dropped = partial_.size();
  partial_.clear();
  overlong_ = false;
  return dropped;
}

LineSplitter::Line LineSplitter::take() {
  Line line{std::move(partial_), overlong_};
  partial_.clear();
  overlong_ = false;
  return line;
}

}  // namespace edgestock::scanners
