#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace edgestock::storage {

// Wall-clock time in Unix milliseconds. Injected so tests control time.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t now_ms() const override;
};

// A wall clock outside these bounds cannot be right: a board without a
// real-time clock boots in 1970 (or wherever its last saved time was), and a
// 2027 expiry would then read as 1927. The floor is older than this source;
// raise it with each release.
inline constexpr std::int64_t kEarliestPlausibleMs = 1'793'491'200'000;  // 2026-11-01T00:00:00Z
inline constexpr std::int64_t kLatestPlausibleMs = 4'102'444'800'000;    // 2100-01-01T00:00:00Z

// Why the wall clock reading `now_ms` cannot be right, or "" when it may be.
std::string wall_clock_problem(std::int64_t now_ms);

// RFC 3339 UTC with milliseconds: 2026-11-24T06:34:25.123Z (times before
// 1970 too: 1969-12-31T23:59:59.999Z for -1)
std::string_view format_rfc3339_ms(std::int64_t unix_ms, char (&buffer)[32]);

}  // namespace edgestock::storage
