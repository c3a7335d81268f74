// libFuzzer target: every decoder on arbitrary bytes must answer (decoded or
// refused with a reason) without crashing, hanging or reading out of bounds,
// and a decoded scan must survive the escape/unescape round trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgestock/scanners/gs1.hpp"
#include "edgestock/scanners/hibc.hpp"
#include "edgestock/scanners/line_splitter.hpp"
#include "edgestock/scanners/scan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgestock::scanners;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const DecodeContext context{};
  const auto scan = decode_scan(text, context);
  if (!scan && scan.error().reason.empty()) __builtin_trap();  // every refusal names its reason
  (void)parse_gs1_element_string(text, 2026);
  (void)parse_gs1_human_readable(text, 2026);
  (void)parse_gs1_digital_link(text, 2026);
  (void)parse_hibc(text);
  (void)gs1_date(text, 2026);
  // escape/unescape round-trip the separator exactly (other control
  // characters are shown as \xNN and stay text; typed escapes are ambiguous).
  bool plain = true;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != 0x1d) || u == 0x7f || c == '\\' || c == '<' || c == '{') plain = false;
  }
  if (plain && unescape_scan(escape_scan(text)) != text) __builtin_trap();
  LineSplitter splitter(64);
  for (const auto& line : splitter.feed(text)) {
    if (line.text.size() > 64) __builtin_trap();
  }
  return 0;
}
