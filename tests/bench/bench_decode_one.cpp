// Decodes one scan COUNT times: a harness small enough to link against any
// commit's libedgestock_scanners.a (it uses only decode_scan), so that
// callgrind can count the instructions of one decode on both sides of a
// change; instruction counts do not move with the machine's load.
//   bench-decode-one 'SCAN' [COUNT]     (\x1d, <GS> stand for the separator)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "edgestock/scanners/scan.hpp"

int main(int argc, char** argv) {
  using namespace edgestock::scanners;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench-decode-one SCAN [COUNT]\n");
    return 2;
  }
  const std::string scan = unescape_scan(argv[1]);
  const long count = argc > 2 ? std::atol(argv[2]) : 100'000;
  const DecodeContext context{};
  long decoded = 0;
  for (long i = 0; i < count; ++i) decoded += decode_scan(scan, context).has_value() ? 1 : 0;
  std::printf("%ld of %ld decoded\n", decoded, count);
  return decoded == count ? 0 : 1;
}
