#include "edgestock/sync/outage_log.hpp"

#include <algorithm>

namespace edgestock::sync {
namespace {

std::string for_how_long(std::chrono::steady_clock::duration lasted) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(lasted).count();
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
}

}  // namespace

std::optional<std::string> OutageLog::failed(const std::string& cause, Clock::time_point now, std::int64_t wall_ms) {
  ++failures_;
  if (!down_ || cause != cause_) {
    const bool first = !down_;
    if (first) {
      down_ = true;
      since_ = now;
      since_ms_ = wall_ms;
      failures_ = 1;
    }
    cause_ = cause;
    interval_ = first_reminder_;
    next_reminder_ = now + interval_;
    return what_ + (first ? " unreachable: " : " still unreachable, now: ") + cause;
  }
  if (now < next_reminder_) return std::nullopt;
  interval_ = std::min(interval_ * 2, reminder_cap_);
  next_reminder_ = now + interval_;
  return what_ + " still unreachable after " + for_how_long(now - since_) + " (" + std::to_string(failures_) +
         " attempts): " + cause_;
}

std::optional<std::string> OutageLog::recovered(Clock::time_point now) {
  if (!down_) return std::nullopt;
  down_ = false;
  return what_ + " reachable again after " + for_how_long(now - since_) + " (" + std::to_string(failures_) +
         " failed attempts; last cause: " + cause_ + ")";
}

}  // namespace edgestock::sync
