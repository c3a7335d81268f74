#include "edgestock/storage/clock.hpp"

#include <cstdlib>

#include "edgestock/storage/dates.hpp"

namespace edgestock::storage {

std::int64_t SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string wall_clock_problem(std::int64_t now_ms) {
  if (now_ms >= kEarliestPlausibleMs && now_ms < kLatestPlausibleMs) return {};
  return "the terminal's clock says " + rfc3339_ms(now_ms) +
         ", which cannot be right (a board without a battery-backed clock, or no time server); set the clock";
}

void ClockCheck::observe(std::string_view server, std::int64_t server_ms) {
  const std::scoped_lock lock(mutex_);
  server_ = std::string(server);
  server_ms_ = server_ms;
  observed_at_ = std::chrono::steady_clock::now();
}

std::string ClockCheck::problem(std::int64_t now_ms) const {
  if (auto implausible = wall_clock_problem(now_ms); !implausible.empty()) return implausible;
  const std::scoped_lock lock(mutex_);
  if (!server_ms_) return {};
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - observed_at_).count();
  const std::int64_t server_now = *server_ms_ + elapsed;
  const std::int64_t off = now_ms - server_now;
  if (std::llabs(off) <= kMaxClockSkewMs) return {};
  const std::int64_t minutes = std::llabs(off) / 60'000;
  return "the terminal's clock is " + std::to_string(minutes) + " min " + (off > 0 ? "ahead of " : "behind ") +
         server_ + "'s (" + rfc3339_ms(now_ms) + " here, " + rfc3339_ms(server_now) +
         " there); set the clock or check its time server";
}

}  // namespace edgestock::storage
