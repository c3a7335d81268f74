// libFuzzer target for the GS1 Digital Link parser: any bytes must be
// decoded or refused with a reason, never crash or read out of bounds; and
// what a link decodes to must mean the same written as a GS1 element string
// (one FNC1 after every element), with the same association warnings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgestock/scanners/gs1.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgestock::scanners;
  const std::string_view uri(reinterpret_cast<const char*>(data), size);
  const auto link = parse_gs1_digital_link(uri, 2026);
  if (!link) {
    if (link.error().reason.empty() || link.error().position > uri.size()) __builtin_trap();
    return 0;
  }
  if (link->elements.empty()) __builtin_trap();
  std::string element_string = "]d2";
  for (std::size_t i = 0; i < link->elements.size(); ++i) {
    if (i > 0) element_string += '\x1d';
    element_string += link->elements[i].ai + link->elements[i].value;
  }
  const auto same = parse_gs1_element_string(element_string, 2026);
  if (!same || same->elements.size() != link->elements.size() ||
      same->broken_rules.size() != link->broken_rules.size()) {
    __builtin_trap();
  }
  for (std::size_t i = 0; i < same->elements.size(); ++i) {
    if (same->elements[i].ai != link->elements[i].ai || same->elements[i].value != link->elements[i].value) {
      __builtin_trap();
    }
  }
  return 0;
}
