#pragma once
// Small helpers for benchmarks: latency samples, percentiles, medians.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace edgestock::bench {

using Clock = std::chrono::steady_clock;

inline double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// The p-th percentile (0-100) of the samples, nearest rank.
double percentile(std::vector<double> samples, double p);
double median(std::vector<double> samples);

// The value after `name` on the command line ("--runs 5"), else `fallback`.
int int_arg(int argc, char** argv, const char* name, int fallback);

// A TCP scanner on loopback `port`: signs in with `badge`, then `scans`
// issues (a GS1 item and CMD:CONFIRM per round trip), each timed until the
// terminal answers "OK recorded". Microseconds per round trip.
std::vector<double> issue_round_trips(std::uint16_t port, const std::string& badge, int scans);

// "12.3" with the given number of decimals.
std::string fixed(double value, int decimals = 2);

}  // namespace edgestock::bench
