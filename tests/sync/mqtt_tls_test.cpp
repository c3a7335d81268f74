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
    // Several attempts, each refused: not one event reached the broker.
    REQUIRE(wait_until([&] { return running.forwarder().status().connect_attempts >= 3; }, 30s));
    CHECK_THAT(running.forwarder().status().last_error, Catch::Contains("over TLS"));
    CHECK(running.forwarder().status().connects == 0);
    CHECK(ledger->outbox().backlog(storage::kDestinationMqtt).value() == 300);
    CHECK(subscriber.count() == 0);
  }
  SECTION("the right CA: everything arrives") {
    settings.mqtt.tls.ca_file = good.ca.string();
    RunningForwarder running(*ledger, settings, clock);
    REQUIRE(wait_until([&] { return tally_events(subscriber.messages()).ids.size() == 300; }, 30s));
    CHECK(complete_and_in_order(tally_events(subscriber.messages()), 300));
    CHECK(tally_events(subscriber.messages()).duplicates == 0);  // one connection: nothing sent twice
  }
}

TEST_CASE("a broker certificate for another host name is refused unless verification is switched off", "[mqtt][tls]") {
  TempDir certificates("certs");
  // Signed by a CA the terminal trusts, but for another machine's name.
  const auto elsewhere = make_test_certificates(certificates.path(), "elsewhere", "DNS:mq.other-hospital.example");
  MosquittoBroker::Options options;
  options.tls = &elsewhere;
  MosquittoBroker broker(options);
  TempDir dir;
  ManualClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  fill_ledger(*ledger, 50);
  auto settings = mqtt_settings(broker.uri());  // ssl://localhost:PORT
  settings.mqtt.tls.ca_file = elsewhere.ca.string();
  settings.mqtt.tls.cert_file = elsewhere.client_cert.string();
  settings.mqtt.tls.key_file = elsewhere.client_key.string();
  {
    RunningForwarder running(*ledger, settings, clock);
    REQUIRE(wait_until([&] { return running.forwarder().status().connect_attempts >= 3; }, 30s));
    CHECK(running.forwarder().status().connects == 0);
    CHECK_THAT(running.forwarder().status().last_error, Catch::Contains("over TLS"));
    CHECK(ledger->outbox().backlog(storage::kDestinationMqtt).value() == 50);
  }
  // mqtt.tls.verify = false (insecure, for a lab only) connects all the same.
  settings.mqtt.tls.verify = false;
  RunningForwarder insecure(*ledger, settings, clock);
  REQUIRE(wait_until([&] { return ledger->outbox().backlog(storage::kDestinationMqtt).value() == 0; }, 30s));
  CHECK(insecure.forwarder().status().connects >= 1);
}
