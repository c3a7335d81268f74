#pragma once
#include <chrono>
#include <ctime>

namespace edgestock::testing {

// Waits for `condition` until `timeout`; true when it held. Polls every few
// milliseconds: the deadline, not a fixed sleep, bounds every wait.
template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    struct timespec pause {
      0, 2'000'000
    };
    ::nanosleep(&pause, nullptr);
  }
  return true;
}

}  // namespace edgestock::testing
