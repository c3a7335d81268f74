// What a reloaded config rebuilds in a running agent, and what it refuses.
#include <catch2/catch.hpp>

#include "reload_plan.hpp"

using namespace edgestock;
using edgestock::agent::plan_reload;

namespace {

config::Settings running() {
  config::Settings s;
  s.site = "stjames";
  s.terminal = "ward3-t1";
  s.ledger.path = "/var/lib/edgestock/ledger.db";
  s.mqtt.enabled = true;
  s.mqtt.broker = "ssl://mqtt.stjames.example:8883";
  s.odoo.enabled = true;
  s.odoo.posting.enabled = true;
  s.scanners.tcp_enabled = true;
  s.scanners.tcp_port = 7001;
  return s;
}

}  // namespace

TEST_CASE("the same settings rebuild nothing", "[agent][reload]") {
  const auto plan = plan_reload(running(), running());
  CHECK_FALSE(plan.refused());
  CHECK_FALSE(plan.changes_anything());
  CHECK(plan.describe() == "nothing");
}

TEST_CASE("each group of keys rebuilds its own component only", "[agent][reload]") {
  auto next = running();
  next.scanners.tcp_port = 7002;
  auto plan = plan_reload(running(), next);
  CHECK(plan.scan_inputs);
  CHECK_FALSE(plan.scan_rules);
  CHECK_FALSE(plan.mqtt);
  CHECK_FALSE(plan.odoo);
  CHECK(plan.describe() == "scanners");

  next = running();
  next.scanners.prefix_operator = "BADGE:";
  next.session.auto_confirm_s = 30;
  plan = plan_reload(running(), next);
  CHECK_FALSE(plan.scan_inputs);  // a prefix is a decoding rule, not a device
  CHECK(plan.scan_rules);
  CHECK(plan.describe() == "scan rules");

  next = running();
  next.alerts.expiry_days = 60;
  next.odoo.pull_interval_s = 600;
  next.ledger.retention_days = 30;
  plan = plan_reload(running(), next);
  CHECK(plan.mqtt);
  CHECK(plan.odoo);
  CHECK(plan.retention);
  CHECK_FALSE(plan.scan_inputs);
  CHECK(plan.describe() == "mqtt, odoo, retention");

  next = running();
  next.http.enabled = true;
  plan = plan_reload(running(), next);
  CHECK(plan.http);
  CHECK(plan.describe() == "http");
}

TEST_CASE("a rotated secret in the same file rebuilds the component that uses it", "[agent][reload]") {
  auto plan = plan_reload(running(), running(), {.mqtt_password = true, .odoo_key = false});
  CHECK(plan.mqtt);
  CHECK_FALSE(plan.odoo);
  plan = plan_reload(running(), running(), {.mqtt_password = false, .odoo_key = true});
  CHECK(plan.odoo);
  CHECK_FALSE(plan.mqtt);
}

TEST_CASE("what names every move, or what a move waits for, needs a restart", "[agent][reload]") {
  auto next = running();
  next.terminal = "ward3-t2";
  next.ledger.durability = "normal";
  next.scanners.tcp_port = 7002;
  auto plan = plan_reload(running(), next);
  CHECK(plan.refused());
  CHECK(plan.describe() == "terminal, ledger.durability");

  next = running();
  next.odoo.posting.enabled = false;  // moves recorded so far wait for Odoo; new ones would not
  plan = plan_reload(running(), next);
  CHECK(plan.describe() == "odoo.posting.enabled");

  next = running();
  next.site = "stmarys";
  next.ledger.path = "/tmp/other.db";
  next.ledger.max_bytes = 1;
  next.mqtt.enabled = false;
  CHECK(plan_reload(running(), next).describe() == "site, ledger.path, ledger.max_bytes, mqtt.enabled");
}

TEST_CASE("turning the catalogue pull on or off needs no restart when nothing is posted", "[agent][reload]") {
  auto before = running();
  before.odoo.enabled = false;
  before.odoo.posting.enabled = false;
  auto after = before;
  after.odoo.enabled = true;
  const auto plan = plan_reload(before, after);
  CHECK_FALSE(plan.refused());
  CHECK(plan.odoo);
}
