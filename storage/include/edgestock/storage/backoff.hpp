#pragma once
// Capped exponential backoff with jitter, for reconnects and retries (the
// broker, a serial or evdev scanner that went away). Pure:
// the caller supplies the random draw, so tests can pin it.

#include <chrono>
#include <cstdint>

namespace edgestock::storage {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds first, std::chrono::milliseconds cap) : first_(first), cap_(cap) {}

  // The wait before the next attempt: the ceiling doubles from `first` up to
  // `cap`; the wait is drawn between half the ceiling and the ceiling
  // (`draw` in [0, 1)), so a fleet that lost its broker does not return at once.
  std::chrono::milliseconds next(double draw);
  void reset() { attempts_ = 0; }
  [[nodiscard]] int attempts() const { return attempts_; }

 private:
  std::chrono::milliseconds first_;
  std::chrono::milliseconds cap_;
  int attempts_ = 0;
};

}  // namespace edgestock::storage
