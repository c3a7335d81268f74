#include <catch2/catch.hpp>

#include "edgestock/sync/outage_log.hpp"

using namespace edgestock::sync;
using namespace std::chrono_literals;

TEST_CASE("an outage is logged at once, on each new cause, then at doubling intervals", "[outage]") {
  OutageLog log("MQTT broker mq.hospital.example");
  const auto t0 = OutageLog::Clock::time_point{} + 1000h;
  const auto first = log.failed("the broker refused the user name or password", t0, 1'795'000'000'000);
  REQUIRE(first);
  CHECK(*first == "MQTT broker mq.hospital.example unreachable: the broker refused the user name or password");
  CHECK(log.down());
  CHECK(log.since_ms() == 1'795'000'000'000);
  // Retries every half second say nothing more...
  for (int i = 1; i < 120; ++i)
    CHECK_FALSE(log.failed("the broker refused the user name or password", t0 + i * 500ms, 0));
  // ...until a minute has passed, then two, four, ... up to an hour.
  const auto reminder = log.failed("the broker refused the user name or password", t0 + 60s, 0);
  REQUIRE(reminder);
  CHECK(*reminder ==
        "MQTT broker mq.hospital.example still unreachable after 60 s (121 attempts): the broker "
        "refused the user name or password");
  CHECK_FALSE(log.failed("the broker refused the user name or password", t0 + 179s, 0));
  CHECK(log.failed("the broker refused the user name or password", t0 + 180s, 0));
  // A new cause is news at once.
  const auto changed = log.failed("connection refused", t0 + 181s, 0);
  REQUIRE(changed);
  CHECK(*changed == "MQTT broker mq.hospital.example still unreachable, now: connection refused");
  CHECK(log.since_ms() == 1'795'000'000'000);  // the same outage
  // Reminders never come further apart than the cap.
  auto at = t0 + 181s;
  int reminders = 0;
  for (int minute = 1; minute <= 24 * 60; ++minute) {
    if (log.failed("connection refused", t0 + 181s + minute * 1min, 0)) {
      CHECK(t0 + 181s + minute * 1min - at <= 1h);
      at = t0 + 181s + minute * 1min;
      ++reminders;
    }
  }
  CHECK(reminders >= 24);
  CHECK(reminders <= 30);
  const auto back = log.recovered(t0 + 25h);
  REQUIRE(back);
  CHECK_THAT(*back, Catch::StartsWith("MQTT broker mq.hospital.example reachable again after 25 h 0 min"));
  CHECK(log.cause() == "connection refused");  // kept for the status: the last outage
  CHECK_FALSE(log.recovered(t0 + 26h));
  CHECK(log.failed("connection refused", t0 + 27h, 1'795'100'000'000));  // a new outage: at once
  CHECK(log.since_ms() == 1'795'100'000'000);
}
