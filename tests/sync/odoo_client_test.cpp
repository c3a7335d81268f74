// The Odoo client against the project's Odoo-compatible test server.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "edgestock/storage/clock.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "odoo_server.hpp"

using namespace edgestock;
using namespace edgestock::sync;
using edgestock::testing::OdooServer;
using Json = nlohmann::json;

TEST_CASE("Odoo 17 over JSON-RPC: reads, creates, None results", "[odoo]") {
  OdooServer server(17);
  OdooClient client(edgestock::testing::odoo_settings(server), OdooServer::kApiKey);
  REQUIRE(client.connect().ok());
  CHECK(client.server_major_version() == 17);
  CHECK(client.protocol() == OdooProtocol::jsonrpc);

  auto reply = client.call("stock.location", "search_read",
                           R"({"domain": [["barcode", "=", "WARD3"]], "fields": ["complete_name", "usage"]})");
  REQUIRE(reply.ok());
  const auto locations = Json::parse(reply.result);
  REQUIRE(locations.size() == 1);
  CHECK(locations[0]["complete_name"] == "PHARM/Stock/Ward 3");

  reply = client.call("stock.lot", "create", R"({"vals_list": [{"name": "EDGE-1", "product_id": 101}]})");
  REQUIRE(reply.ok());
  CHECK(Json::parse(reply.result).is_array());

  reply = client.call(
      "stock.quant", "create",
      R"({"vals_list": {"product_id": 102, "location_id": 12, "inventory_quantity": 5}, "context": {"inventory_mode": true}})");
  REQUIRE(reply.ok());
  const auto quant = Json::parse(reply.result);
  reply = client.call("stock.quant", "action_apply_inventory", Json{{"ids", Json::array({quant})}}.dump());
  REQUIRE(reply.ok());
  CHECK(reply.result == "null");  // no "result" key on the wire
}

TEST_CASE("each answer's Date header tells Odoo's time", "[odoo][clock]") {
  OdooServer server(17);
  OdooClient client(edgestock::testing::odoo_settings(server), OdooServer::kApiKey);
  std::vector<std::int64_t> told;
  client.on_server_time([&](std::int64_t at) { told.push_back(at); });
  const std::int64_t before = storage::SystemClock().now_ms();
  REQUIRE(client.connect().ok());
  REQUIRE(client.call("stock.location", "search_read", R"({"domain": [], "fields": ["id"]})").ok());
  const std::int64_t after = storage::SystemClock().now_ms();
  REQUIRE(told.size() >= 2);  // the version, (the login), the read
  for (const auto at : told) {
    CHECK(at % 1000 == 0);  // whole seconds
    CHECK(at >= before - 1000);
    CHECK(at <= after);
  }
  // What the agent does with it: a clock an hour ahead is a problem.
  storage::ClockCheck check;
  check.observe("Odoo", told.back());
  CHECK(check.problem(after).empty());
  CHECK_THAT(check.problem(after + 3'600'000), Catch::Contains("ahead of Odoo's"));
}

TEST_CASE("Odoo errors are permanent, with their names and reasons", "[odoo]") {
  OdooServer server(17);
  SECTION("a wrong API key") {
    OdooClient client(edgestock::testing::odoo_settings(server), "not-the-key");
    const auto reply = client.connect();
    CHECK(reply.outcome == OdooOutcome::permanent);
    CHECK_THAT(reply.message, Catch::Contains("refused login 'admin'"));
    CHECK_THAT(reply.message, !Catch::Contains("not-the-key"));
  }
  SECTION("business errors") {
    OdooClient client(edgestock::testing::odoo_settings(server), OdooServer::kApiKey);
    REQUIRE(client.connect().ok());
    auto reply = client.call("stock.picking", "_action_done", R"({"ids": [1]})");
    CHECK(reply.outcome == OdooOutcome::permanent);
    CHECK(reply.error_name == "odoo.exceptions.AccessError");
    CHECK_THAT(reply.message, Catch::Contains("Private methods"));
    reply = client.call("stock.picking", "create", R"({"vals_list": [{"location_id": 11, "location_dest_id": 5}]})");
    CHECK(reply.outcome == OdooOutcome::permanent);  // no picking_type_id: a NOT NULL violation
    CHECK(reply.error_name == "odoo.exceptions.ValidationError");
    reply = client.call("stock.move", "search", R"({"domain": [["lot_name", "=", "L1"]]})");
    CHECK(reply.outcome == OdooOutcome::permanent);  // lots live on move lines
    CHECK(reply.error_name == "builtins.ValueError");
    const auto empty = client.call("stock.picking", "create", R"({"vals_list": [{"picking_type_id": 3}]})");
    reply = client.call("stock.picking", "button_validate", Json{{"ids", Json::parse(empty.result)}}.dump());
    CHECK(reply.outcome == OdooOutcome::permanent);
    CHECK(reply.error_name == "odoo.exceptions.UserError");
    reply = client.call("stock.lot", "read", R"({"ids": [999999]})");
    CHECK(reply.error_name == "odoo.exceptions.MissingError");
  }
}

TEST_CASE("network trouble, 5xx and serialization failures are transient", "[odoo][faults]") {
  OdooServer server(17);
  OdooClient client(edgestock::testing::odoo_settings(server), OdooServer::kApiKey);
  REQUIRE(client.connect().ok());
  const std::string search = R"({"domain": [["usage", "=", "internal"]]})";
  struct Case {
    const char* fault;
    const char* name;
  };
  for (const Case c : {Case{"http_503", "http 503"}, Case{"http_502", "http 502"},
                       Case{"serialization_failure", "psycopg2.errors.SerializationFailure"}}) {
    INFO(c.fault);
    server.fault(c.fault);
    const auto reply = client.call("stock.location", "search", search);
    CHECK(reply.outcome == OdooOutcome::transient);
    CHECK(reply.error_name == c.name);
    CHECK(client.call("stock.location", "search", search).ok());  // and the next call works
  }
  SECTION("a connection reset: a read is sent again, a write is not") {
    server.fault("reset");
    CHECK(client.call("stock.location", "search", search).ok());  // libcurl retried the read on a new connection
    server.fault("reset");
    const auto reply = client.call("stock.lot", "create", R"({"vals_list": [{"name": "RESET-1", "product_id": 101}]})");
    CHECK(reply.outcome == OdooOutcome::transient);
    CHECK(reply.error_name == "network");
    const auto found = client.call("stock.lot", "search", R"({"domain": [["name", "=", "RESET-1"]]})");
    CHECK(Json::parse(found.result).empty());
  }
  SECTION("slower than the timeout") {
    server.fault("slow", 1, 3000);
    const auto reply = client.call("stock.location", "search", search);
    CHECK(reply.outcome == OdooOutcome::transient);
    CHECK_THAT(reply.message, Catch::Contains("Timeout"));
  }
  SECTION("the answer lost after the write committed: transient, and the write is there once") {
    server.fault("lost_response");
    const auto reply = client.call("stock.lot", "create", R"({"vals_list": [{"name": "LOST-7", "product_id": 101}]})");
    CHECK(reply.outcome == OdooOutcome::transient);
    const auto found = client.call("stock.lot", "search", R"({"domain": [["name", "=", "LOST-7"]]})");
    REQUIRE(found.ok());
    CHECK(Json::parse(found.result).size() == 1);
  }
  SECTION("nobody listening") {
    auto settings = edgestock::testing::odoo_settings(server);
    settings.url = "http://127.0.0.1:1";
    OdooClient nowhere(settings, OdooServer::kApiKey);
    const auto reply = nowhere.connect();
    CHECK(reply.outcome == OdooOutcome::transient);
    CHECK(reply.error_name == "network");
  }
}

TEST_CASE("Odoo 19 over JSON-2 with a bearer key", "[odoo]") {
  OdooServer server(19);
  OdooClient client(edgestock::testing::odoo_settings(server), OdooServer::kApiKey);
  REQUIRE(client.connect().ok());
  CHECK(client.protocol() == OdooProtocol::json2);
  auto reply = client.call("stock.location", "search_read",
                           R"({"domain": [["barcode", "=", "THEATRE2"]], "fields": ["usage"]})");
  REQUIRE(reply.ok());
  CHECK(Json::parse(reply.result)[0]["usage"] == "internal");
  reply = client.call("stock.location", "search", R"({"ids": [1], "domain": []})");
  CHECK(reply.outcome == OdooOutcome::permanent);
  server.fault("serialization_failure");
  CHECK(client.call("stock.location", "search", R"({"domain": []})").outcome == OdooOutcome::transient);
  // A field of another version is a ValueError, HTTP 500 on JSON-2, and repeats forever: permanent.
  reply = client.call("product.product", "search_read", R"({"domain": [], "fields": ["detailed_type"], "limit": 1})");
  CHECK(reply.outcome == OdooOutcome::permanent);
  CHECK(reply.error_name == "builtins.ValueError");
  CHECK_THAT(reply.message, Catch::Contains("detailed_type"));
  // An unknown model: werkzeug's NotFound.
  reply = client.call("stock.no_such_model", "search", R"({"domain": []})");
  CHECK(reply.outcome == OdooOutcome::permanent);
  CHECK(reply.error_name == "werkzeug.exceptions.NotFound");
  OdooClient wrong(edgestock::testing::odoo_settings(server), "wrong-key");
  const auto refused = wrong.connect();
  CHECK(refused.outcome == OdooOutcome::permanent);
  CHECK_THAT(refused.message, Catch::Contains("refused the API key"));
}
