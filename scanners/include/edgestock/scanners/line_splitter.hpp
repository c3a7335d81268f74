#pragma once
// Turns the bytes a scanner sends (keyboard wedge, serial, TCP) into scan
// lines: CR, LF or CR LF end a line; empty lines are dropped; a line longer
// than the cap is cut and flagged rather than growing without bound.

#include <string>
#include <string_view>
#include <vector>

#include "edgestock/scanners/scan.hpp"

namespace edgestock::scanners {

class LineSplitter {
 public:
  struct Line {
    std::string text;
    bool overlong = false;  // more arrived than the cap; `text` holds the first `cap` bytes
  };
  // `terminators`: the characters that end a scan (a serial scanner may be
  // set to send TAB or ETX instead of CR/LF).
  explicit LineSplitter(std::size_t cap = kMaxScanLength, std::string terminators = "\r\n")
      : cap_(cap), terminators_(std::move(terminators)) {}
  std::vector<Line> feed(std::string_view bytes);
  // What is left without a terminator (a scanner that never sends one).
  Line flush();

 private:
  std::size_t cap_;
  std::string terminators_;
  std::string partial_;
  bool overlong_ = false;
};

}  // namespace edgestock::scanners
