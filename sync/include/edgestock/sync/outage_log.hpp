#pragma once
// What the IT desk reads in the log while a connection (broker, Odoo) is
// down: the first failure at once, each change of cause at once, then a
// reminder at an interval that doubles up to a cap while it lasts, and one
// line when it is back. Pure: the caller gives the time.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace edgestock::sync {

class OutageLog {
 public:
  using Clock = std::chrono::steady_clock;
  OutageLog(std::string what, std::chrono::seconds first_reminder = std::chrono::minutes(1),
            std::chrono::seconds reminder_cap = std::chrono::hours(1))
      : what_(std::move(what)), first_reminder_(first_reminder), reminder_cap_(reminder_cap) {}

  // A failed attempt. Returns the line to log now, if any.
  std::optional<std::string> failed(const std::string& cause, Clock::time_point now, std::int64_t wall_ms);
  // A successful attempt. Returns the line to log when it ends an outage.
  std::optional<std::string> recovered(Clock::time_point now);

  [[nodiscard]] bool down() const { return down_; }
  // Since when (wall clock, ms) and why, of the outage under way or the last one.
  [[nodiscard]] std::int64_t since_ms() const { return since_ms_; }
  [[nodiscard]] const std::string& cause() const { return cause_; }

 private:
  std::string what_;
  std::chrono::seconds first_reminder_;
  std::chrono::seconds reminder_cap_;
  bool down_ = false;
  std::string cause_;
  std::int64_t since_ms_ = 0;
  Clock::time_point since_{};
  Clock::time_point next_reminder_{};
  std::chrono::seconds interval_{0};
  std::int64_t failures_ = 0;
};

}  // namespace edgestock::sync
