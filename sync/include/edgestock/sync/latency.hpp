#pragma once
// A latency histogram with fixed buckets, as Prometheus reads one
// (cumulative counts per upper bound, a sum and a count). A value type: each
// component keeps its own and hands out copies.

#include <array>
#include <cstdint>

namespace edgestock::sync {

struct LatencyHistogram {
  // Upper bounds in seconds: from a PUBACK on loopback to a week offline.
  static constexpr std::array<double, 16> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,  1,
                                                     2.5,   5,    10,    30,   60,  300,  3600, 86'400};
  std::array<std::int64_t, kBounds.size()> counts{};  // observations <= each bound (not cumulative here)
  std::int64_t over = 0;                              // above the last bound
  double sum_seconds = 0;
  std::int64_t count = 0;

  void observe(double seconds) {
    if (seconds < 0) seconds = 0;  // a clock stepped back: not a negative latency
    ++count;
    sum_seconds += seconds;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
      if (seconds <= kBounds[i]) {
        ++counts[i];
        return;
      }
    }
    ++over;
  }
  void merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
    over += other.over;
    sum_seconds += other.sum_seconds;
    count += other.count;
  }
};

}  // namespace edgestock::sync
