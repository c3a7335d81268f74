#pragma once
#include <cstdint>
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

// RFC 3339 UTC with milliseconds: 2026-11-24T06:34:25.123Z
std::string_view format_rfc3339_ms(std::int64_t unix_ms, char (&buffer)[32]);

}  // namespace edgestock::storage
