#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "edgestock/sync/status_message.hpp"
#include "edgestock/sync/stock_event.hpp"
#include "ledger_fixtures.hpp"

using namespace edgestock::storage;
using edgestock::testing::issue;
using edgestock::testing::qty;

namespace {
Move recorded(const MoveRequest& request) {
  Move move;
  move.id = MoveId::parse("01a20c4e-c7e7-7341-a20b-e1a68b30d54a").value();
  move.seq = Seq{42};
  move.terminal = TerminalId("ward3-t1");
  move.site = SiteId("stjames");
  move.occurred_at_ms = 1'795'000'000'123;  // 2026-11-18T11:06:40.123Z
  move.request = request;
  return move;
}
}  // namespace

TEST_CASE("a move becomes a schema 1 stock event with exact decimals", "[event]") {
  MoveRequest r = issue("2.5", "05012345670010", "NS24117");
  r.product.odoo_id = 101;
  r.expiry = "2027-06-30";
  r.encounter = "ENC-7f3a";
  r.raw =
      "]C10105012345670010\x1d"
      "10NS24117";
  const auto event = nlohmann::json::parse(edgestock::sync::stock_event_json(recorded(r)));
  CHECK(event["schema"] == 1);
  CHECK(event["id"] == "01a20c4e-c7e7-7341-a20b-e1a68b30d54a");
  CHECK(event["terminal"] == "ward3-t1");
  CHECK(event["site"] == "stjames");
  CHECK(event["seq"] == 42);
  CHECK(event["occurred_at"] == "2026-11-18T11:06:40.123Z");
  CHECK(event["kind"] == "issue");
  CHECK(event["product"] == nlohmann::json{{"odoo_id", 101}, {"gtin", "05012345670010"}});
  CHECK(event["qty"] == "2.5");
  CHECK(event["qty"].is_string());
  CHECK(event["uom"] == "Units");
  CHECK(event["lot"] == "NS24117");
  CHECK(event["expiry"] == "2027-06-30");
  CHECK(event["from"] == "WARD3");
  CHECK(event["to"] == "CONSUME");
  CHECK(event["operator"] == "nurse-042");
  CHECK(event["cost_centre"] == "CC-W3");
  CHECK(event["encounter"] == "ENC-7f3a");
  CHECK(event["raw"] == r.raw);
  CHECK_FALSE(event.contains("serial"));
  CHECK_FALSE(event.contains("reverses"));
  CHECK_FALSE(event.contains("counted"));
}

TEST_CASE("counts carry counted and expected; reversals name their move", "[event]") {
  MoveRequest count = issue("-3");
  count.kind = MoveKind::count;
  count.counted = qty("141");
  count.expected = qty("144");
  auto event = nlohmann::json::parse(edgestock::sync::stock_event_json(recorded(count)));
  CHECK(event["kind"] == "count");
  CHECK(event["qty"] == "-3");
  CHECK(event["counted"] == "141");
  CHECK(event["expected"] == "144");

  MoveRequest reversal = issue("1");
  reversal.kind = MoveKind::reversal;
  reversal.reverses = MoveId::parse("01a20c4e-9993-7655-9535-6d670cf77860").value();
  event = nlohmann::json::parse(edgestock::sync::stock_event_json(recorded(reversal)));
  CHECK(event["kind"] == "reversal");
  CHECK(event["reverses"] == "01a20c4e-9993-7655-9535-6d670cf77860");
}

TEST_CASE("text with quotes, backslashes, control characters and UTF-8 survives", "[event]") {
  MoveRequest r = issue("1");
  r.reason = "patient said \"ouch\" \\ then left\ttab\nnew line";
  r.raw = std::string("]C1010501234567001017\x1d") + "10LOT\x01";
  r.operator_id = OperatorId("infirmière-7");
  const auto text = edgestock::sync::stock_event_json(recorded(r));
  const auto event = nlohmann::json::parse(text);
  CHECK(event["reason"] == r.reason);
  CHECK(event["raw"] == r.raw);
  CHECK(event["operator"] == "infirmière-7");
  CHECK(text.find('\x1d') == std::string::npos);
  CHECK(text.find("\\u001d") != std::string::npos);
}

TEST_CASE("the status payload: backlog, devices and the audit log's last entry, each only when known", "[status]") {
  edgestock::sync::StatusReport report;
  report.online = true;
  report.version = "0.1.0";
  report.site = "stjames";
  report.terminal = "ward3-t1";
  report.at_ms = 1'795'420'800'000;
  report.backlog_mqtt = 0;
  report.backlog_odoo = 15;
  auto status = nlohmann::json::parse(edgestock::sync::status_json(report));
  CHECK(status["state"] == "online");
  CHECK(status["at"] == "2026-11-23T08:00:00.000Z");
  CHECK(status["backlog"]["odoo"] == 15);
  CHECK(status["last_publish"].is_null());
  CHECK(status["last_odoo_sync"].is_null());
  CHECK_FALSE(status.contains("devices"));
  CHECK_FALSE(status.contains("audit"));

  report.devices.push_back({"serial:/dev/ttyACM0", false, "went away"});
  report.last_odoo_sync_ms = 1'795'420'800'000;
  report.audit_entry = 3001;
  report.audit_hash = std::string(64, 'a');
  status = nlohmann::json::parse(edgestock::sync::status_json(report));
  CHECK(status["devices"][0]["last_error"] == "went away");
  CHECK(status["last_odoo_sync"] == "2026-11-23T08:00:00.000Z");
  CHECK(status["audit"]["entry"] == 3001);
  CHECK(status["audit"]["hash"] == std::string(64, 'a'));

  report.backlog_mqtt = report.backlog_odoo = -1;  // the will: nothing known
  CHECK_FALSE(nlohmann::json::parse(edgestock::sync::status_json(report)).contains("backlog"));
  CHECK_FALSE(status.contains("clock_problem"));
  CHECK_FALSE(status.contains("ledger_error"));
  CHECK_FALSE(status.contains("last_outage"));

  report.clock_problem = "the terminal's clock says 1970-01-01T00:00:10.000Z, which cannot be right";
  report.ledger_error = "ledger storage failed: no such table: outbox";
  report.last_outage_since_ms = 1'795'420'800'000;
  report.last_outage_until_ms = 1'795'420'860'000;
  report.last_outage_cause = "connection refused";
  status = nlohmann::json::parse(edgestock::sync::status_json(report));
  CHECK(status["clock_problem"] == report.clock_problem);
  CHECK(status["ledger_error"] == report.ledger_error);
  CHECK(status["last_outage"]["since"] == "2026-11-23T08:00:00.000Z");
  CHECK(status["last_outage"]["until"] == "2026-11-23T08:01:00.000Z");
  CHECK(status["last_outage"]["cause"] == "connection refused");
}

TEST_CASE("a move recorded under a wrong clock says so in its event", "[event]") {
  edgestock::storage::Move move;
  move.seq = edgestock::storage::Seq{1};
  move.request.kind = edgestock::storage::MoveKind::issue;
  move.request.product.gtin = "05012345678900";
  move.request.qty = edgestock::storage::Quantity::units(1);
  move.request.uom = edgestock::storage::UnitOfMeasure("Units");
  move.request.from = edgestock::storage::LocationCode("WARD3");
  CHECK_FALSE(nlohmann::json::parse(edgestock::sync::stock_event_json(move)).contains("clock_suspect"));
  move.request.clock_suspect = true;
  CHECK(nlohmann::json::parse(edgestock::sync::stock_event_json(move))["clock_suspect"] == true);
}
