#include <catch2/catch.hpp>

#include "edgestock/storage/backoff.hpp"

using edgestock::storage::Backoff;
using std::chrono::milliseconds;

TEST_CASE("backoff doubles up to its cap, with jitter in the upper half", "[backoff]") {
  Backoff backoff(milliseconds(100), milliseconds(1000));
  CHECK(backoff.next(1.0) == milliseconds(100));
  CHECK(backoff.next(1.0) == milliseconds(200));
  CHECK(backoff.next(1.0) == milliseconds(400));
  CHECK(backoff.next(1.0) == milliseconds(800));
  CHECK(backoff.next(1.0) == milliseconds(1000));
  CHECK(backoff.next(0.0) == milliseconds(500));
  for (int i = 0; i < 100; ++i) CHECK(backoff.next(0.5) == milliseconds(750));
  backoff.reset();
  CHECK(backoff.next(0.0) == milliseconds(50));
  CHECK(backoff.attempts() == 1);
}
