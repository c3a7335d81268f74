#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
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

// A wall clock further than this from a server's (Odoo's Date header) is
// wrong by more than an HTTP Date (whole seconds) and a slow reply explain.
inline constexpr std::int64_t kMaxClockSkewMs = std::int64_t{5} * 60 * 1000;

// What the terminal knows about its wall clock: the plausible bounds and,
// once a server has told its time, how far the terminal is from it. The
// server's time is carried forward on the monotonic clock, so a clock
// corrected after the observation is judged right at once. Thread-safe: the
// catalogue thread observes, the writer and the forwarder ask.
class ClockCheck {
 public:
  // `server` said just now that its time is `server_ms` (Unix milliseconds).
  void observe(std::string_view server, std::int64_t server_ms);
  // Why a wall-clock reading of `now_ms` cannot be right, or "".
  [[nodiscard]] std::string problem(std::int64_t now_ms) const;

 private:
  mutable std::mutex mutex_;
  std::string server_;
  std::optional<std::int64_t> server_ms_;  // as observed
  std::chrono::steady_clock::time_point observed_at_{};
};

}  // namespace edgestock::storage
