#include "edgestock/storage/backoff.hpp"

#include <algorithm>

namespace edgestock::storage {

std::chrono::milliseconds Backoff::next(double draw) {
  const int doublings = std::min(attempts_, 30);
  ++attempts_;
  const std::int64_t first = first_.count();
  const std::int64_t cap = std::max(first, static_cast<std::int64_t>(cap_.count()));
  const std::int64_t ceiling = doublings >= 62 || (first << doublings) > cap ? cap : first << doublings;
  const double clamped = std::clamp(draw, 0.0, 1.0);
  const auto wait = static_cast<std::int64_t>(static_cast<double>(ceiling) * (0.5 + 0.5 * clamped));
  return std::chrono::milliseconds(std::max<std::int64_t>(1, std::min(wait, ceiling)));
}

}  // namespace edgestock::storage
