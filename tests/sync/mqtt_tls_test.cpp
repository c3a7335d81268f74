// TLS with certificates the test makes: verification on, client certificates.
#include <catch2/catch.hpp>

#include "edgestock/storage/outbox.hpp"
#include "mqtt_helpers.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;

TEST_CASE("events go over TLS to a broker whose certificate verifies", "[mqtt][tls]") {
  TempDir certificates("certs");
  const auto good = make_test_certificates(certificates.path(), "good");
  const auto stranger = make_test_certificates(certificates.path(), "stranger");
  MosquittoBroker::Options options;
  options.tls = &good;
  MosquittoBroker broker(options);
  Subscriber subscriber(broker.uri(), "it-desk", "edgestock/stjames/ward3-t1/events", &good);
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  fill_ledger(*ledger, 300);
  auto settings = mqtt_settings(broker.uri());
  settings.mqtt.tls.cert_file = good.client_cert.string();
  settings.mqtt.tls.key_file = good.client_key.string();

  SECTION("a CA that did not sign the broker's certificate: refused, nothing sent") {
    settings.mqtt.tls.ca_file = stranger.ca.string();
    RunningForwarder running(*ledger, settings, clock);
    REQUIRE(wait_until([&] { return !running.forwarder().status().last_error.empty(); }, 20s));
    CHECK_THAT(running.forwarder().status().last_error, Catch::Contains("over TLS"));
    CHECK_FALSE(running.forwarder().status().connected);
    CHECK(ledger->outbox().backlog(storage::kDestinationMqtt).value() == 300);
  }
  SECTION("the right CA: everything arrives") {
    settings.mqtt.tls.ca_file = good.ca.string();
    RunningForwarder running(*ledger, settings, clock);
    REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == 300; }, 30s));
    CHECK(complete_and_in_order(tally_events(subscriber.messages()), 300));
  }
  CHECK(subscriber.count() <= 300 + 50);
}
