#pragma once
// Turns the bytes a scanner sends (keyboard wedge, serial, TCP) into scan
// lines: CR, LF or CR LF end a line; empty lines are dropped; a line longer
// than the cap is cut and flagged rather than growing without bound. A line
// counts only once its terminator arrives: what a dropped connection or an
// unplugged scanner leaves unterminated is a truncated code (the first eight
// digits of a GTIN-13 can pass as an EAN-8), so it is discarded, never read.

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
  // Forgets what is left without a terminator (the source closed or was
  // reopened); returns how many bytes were dropped.
  std::size_t discard_partial();

 private:
  Line take();

  std::size_t cap_;
  std::string terminators_;
  std::string partial_;
  bool overlong_ = false;
};

}  // namespace edgestock::scanners
