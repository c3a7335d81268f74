// /metrics and /healthz as pure functions: the text Prometheus reads, checked
// by a parser of its text format written here, and the health verdicts.
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "health.hpp"
#include "metrics.hpp"

using namespace edgestock::agent;

namespace {

constexpr std::int64_t kNow = 1'796'000'000'000;

// The text format, version 0.0.4, as Prometheus' documentation gives it:
// "# HELP name text", "# TYPE name counter|gauge|...", then samples
// `name{label="value",...} number`. Returns each series with its value, and
// fails the test on anything a scraper would reject or a convention broken.
std::map<std::string, std::string> parse(const std::string& text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex sample(
      R"re(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*)\})? (-?[0-9]+(\.[0-9]+)?))re");
  std::map<std::string, std::string> series;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::istringstream lines(text);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    INFO(line);
    if (std::regex_match(line, m, help)) {
      CHECK(helped.insert(m[1]).second);  // one HELP per family
    } else if (std::regex_match(line, m, type)) {
      CHECK(helped.contains(m[1]));  // HELP first
      CHECK(types.emplace(m[1], m[2]).second);
      if (m[2] == "counter") CHECK(std::string(m[1]).ends_with("_total"));
    } else if (std::regex_match(line, m, sample)) {
      // A sample of a declared family; a histogram's come as _bucket, _sum and _count.
      std::string family = m[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string tail(suffix);
        if (!types.contains(family) && family.ends_with(tail)) {
          const auto base = family.substr(0, family.size() - tail.size());
          if (types.contains(base) && types[base] == "histogram") family = base;
        }
      }
      CHECK(types.contains(family));
      CHECK(std::string(m[1]).starts_with("edgestock_"));
      CHECK(series.emplace(std::string(m[1]) + std::string(m[2]), m[7]).second);  // no series twice
    } else {
      FAIL("not Prometheus text format: " << line);
    }
  }
  CHECK(text.ends_with("\n"));
  return series;
}

MetricsSnapshot busy_terminal() {
  MetricsSnapshot s;
  s.version = "0.1.0";
  s.site = "stjames";
  s.terminal = "ward3-t1";
  s.started_at_ms = kNow - 3'600'000;
  s.now_ms = kNow;
  s.scans_ok = 40;
  s.scans_warned = 3;
  s.scans_refused = 2;
  s.moves_by_kind = {{"receipt", 5}, {"issue", 30}};
  s.destinations = {{"mqtt", 2, 0, kNow - 90'500, std::nullopt}, {"odoo", 7, 1, kNow - 7'200'000, kNow - 60'000}};
  s.mqtt_enabled = true;
  s.mqtt_connected = true;
  s.mqtt_published = 33;
  s.mqtt_acknowledged = 33;
  s.mqtt_connects = 1;
  s.scanners = {{"tcp:7070", true}, {"serial:/dev/ttyUSB0", false}};
  s.ledger_bytes = 34'000'000;
  s.last_seq = 35;
  s.reloads_applied = 1;
  s.config_applied_ms = kNow - 1000;
  return s;
}

}  // namespace

TEST_CASE("metrics are valid Prometheus text with the figures of the snapshot", "[agent][metrics]") {
  const auto series = parse(prometheus_text(busy_terminal()));
  CHECK(series.at(R"(edgestock_build_info{version="0.1.0",site="stjames",terminal="ward3-t1"})") == "1");
  CHECK(series.at(R"(edgestock_scans_total{result="ok"})") == "40");
  CHECK(series.at(R"(edgestock_scans_total{result="refused"})") == "2");
  CHECK(series.at(R"(edgestock_moves_recorded_total{kind="issue"})") == "30");
  CHECK(series.at(R"(edgestock_outbox_moves{destination="odoo"})") == "7");
  CHECK(series.at(R"(edgestock_outbox_oldest_age_seconds{destination="mqtt"})") == "90.500");
  CHECK(series.at(R"(edgestock_outbox_oldest_age_seconds{destination="odoo"})") == "7200.000");
  CHECK(series.at(R"(edgestock_exceptions_open{destination="odoo"})") == "1");
  CHECK(series.at(R"(edgestock_last_sync_success_time_seconds{destination="odoo"})") == "1795999940.000");
  CHECK_FALSE(series.contains(R"(edgestock_last_sync_success_time_seconds{destination="mqtt"})"));
  CHECK(series.at("edgestock_mqtt_connected") == "1");
  CHECK(series.at(R"(edgestock_scanner_up{scanner="serial:/dev/ttyUSB0"})") == "0");
  CHECK(series.at("edgestock_ledger_size_bytes") == "34000000");
  CHECK(series.at(R"(edgestock_config_reloads_total{result="applied"})") == "1");
}

TEST_CASE("latencies are Prometheus histograms: cumulative buckets, +Inf equal to the count", "[agent][metrics]") {
  auto s = busy_terminal();
  for (const double seconds : {0.003, 0.2, 7200.0}) s.mqtt_ack_seconds.observe(seconds);
  s.mqtt_delivery_seconds.observe(200'000.0);  // more than the last bound: only in +Inf
  s.odoo_enabled = true;
  s.odoo_booked_seconds.observe(42.0);
  s.odoo_rpcs_ok = 9;
  s.odoo_rpcs_transient = 2;
  s.config_version_site = 7;
  const auto series = parse(prometheus_text(s));
  CHECK(series.at(R"(edgestock_mqtt_publish_ack_seconds_bucket{le="0.005"})") == "1");
  CHECK(series.at(R"(edgestock_mqtt_publish_ack_seconds_bucket{le="0.1"})") == "1");
  CHECK(series.at(R"(edgestock_mqtt_publish_ack_seconds_bucket{le="0.25"})") == "2");
  CHECK(series.at(R"(edgestock_mqtt_publish_ack_seconds_bucket{le="3600"})") == "2");
  CHECK(series.at(R"(edgestock_mqtt_publish_ack_seconds_bucket{le="86400"})") == "3");
  CHECK(series.at(R"(edgestock_mqtt_publish_ack_seconds_bucket{le="+Inf"})") == "3");
  CHECK(series.at("edgestock_mqtt_publish_ack_seconds_count") == "3");
  CHECK(series.at("edgestock_mqtt_publish_ack_seconds_sum") == "7200.203000");
  CHECK(series.at(R"(edgestock_mqtt_delivery_seconds_bucket{le="86400"})") == "0");
  CHECK(series.at(R"(edgestock_mqtt_delivery_seconds_bucket{le="+Inf"})") == "1");
  CHECK(series.at(R"(edgestock_odoo_posting_seconds_bucket{le="30"})") == "0");
  CHECK(series.at(R"(edgestock_odoo_posting_seconds_bucket{le="60"})") == "1");
  CHECK(series.at(R"(edgestock_odoo_rpcs_total{outcome="ok"})") == "9");
  CHECK(series.at(R"(edgestock_odoo_rpcs_total{outcome="transient"})") == "2");
  CHECK(series.at(R"(edgestock_odoo_rpcs_total{outcome="permanent"})") == "0");
  CHECK(series.at(R"(edgestock_config_version{scope="site"})") == "7");
  CHECK(series.at(R"(edgestock_config_version{scope="terminal"})") == "0");
}

TEST_CASE("a label value is escaped, never breaks the format", "[agent][metrics]") {
  auto s = busy_terminal();
  s.scanners = {{"unix:/run/a \"b\"\\c\nd", true}};
  s.mqtt_enabled = false;  // and MQTT's families are left out
  const auto series = parse(prometheus_text(s));
  CHECK(series.at(R"(edgestock_scanner_up{scanner="unix:/run/a \"b\"\\c\nd"})") == "1");
  CHECK_FALSE(series.contains("edgestock_mqtt_connected"));
}

TEST_CASE("health: offline is degraded, not failing; an unreadable ledger is failing", "[agent][health]") {
  HealthFacts f;
  f.now_ms = kNow;
  CHECK(assess(f).state == Health::State::ready);
  CHECK(assess(f).json() == R"({"reasons":[],"status":"ready"})");

  f.mqtt_enabled = true;
  f.mqtt_outage_since_ms = kNow - 7'500'000;
  f.mqtt_error = "connection refused";
  f.destinations = {{"odoo", 12, 2, kNow - 3'600'000, std::nullopt}};
  f.scanners = {{"serial:/dev/ttyUSB0", false, "no such device"}, {"tcp:7070", true, ""}};
  f.clock_problem = "the terminal's clock is 10 min behind Odoo's";
  auto h = assess(f);
  CHECK(h.state == Health::State::degraded);
  CHECK(h.http_status() == 200);
  REQUIRE(h.reasons.size() == 5);
  CHECK(
      h.reasons[0] ==
      "not connected to the MQTT broker for 2 h 05 min (connection refused); moves are kept and sent when it is back");
  CHECK(h.reasons[1] == "12 moves wait for odoo, the oldest for 1 h 00 min");
  CHECK(h.reasons[2] == "2 moves refused by odoo wait for IT (edgestock exceptions list)");
  CHECK(h.reasons[3] == "scanner serial:/dev/ttyUSB0 is not open: no such device");
  CHECK(h.reasons[4] == "clock: the terminal's clock is 10 min behind Odoo's");

  f.destinations[0].oldest_pending_ms = kNow - 3'599'000;  // under an hour: a blip, not a reason
  f.destinations[0].exceptions = 0;
  CHECK(assess(f).reasons.size() == 3);

  f.ledger_readable = false;
  f.ledger_error = "disk I/O error";
  h = assess(f);
  CHECK(h.state == Health::State::failing);
  CHECK(h.http_status() == 503);
  CHECK(h.reasons[0] == "the ledger cannot be read (disk I/O error): scans may not be recorded; see edgestock check");
}
