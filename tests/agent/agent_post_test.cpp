// End to end through the real process: `edgestock run` with Odoo posting on
// pulls the catalogue, takes scans over TCP and books them in the Odoo test
// server, exactly once, while the terminal keeps the stock Odoo now holds.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent_process.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "ledger_fixtures.hpp"
#include "mosquitto_broker.hpp"
#include "odoo_server.hpp"
#include "scanner_link.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

TEST_CASE("the running agent books its scans in Odoo, once each", "[agent][odoo][posting]") {
  OdooServer server(17);
  sync::OdooClient odoo(odoo_settings(server), OdooServer::kApiKey);
  REQUIRE(odoo.connect().ok());
  // An untracked product Ward 3 (location 11) holds, by its EAN-13.
  const auto stocked =
      Json::parse(odoo.call("stock.quant", "search_read",
                            R"({"domain": [["location_id", "=", 11], ["lot_id", "=", false], ["quantity", ">", 10]],
                    "fields": ["product_id", "quantity"]})")
                      .result);
  std::int64_t product = 0;
  double before = 0;
  std::string barcode;
  for (const auto& q : stocked) {
    const auto p =
        Json::parse(odoo.call("product.product", "read",
                              Json{{"ids", {q["product_id"][0]}}, {"fields", {"barcode", "tracking"}}}.dump())
                        .result)[0];
    if (p["tracking"] == "none" && p["barcode"].is_string() && p["barcode"].get<std::string>().size() == 13) {
      product = q["product_id"][0].get<std::int64_t>();
      before = q["quantity"].get<double>();
      barcode = p["barcode"].get<std::string>();
      break;
    }
  }
  REQUIRE(product != 0);

  TempDir dir("agent-post");
  write_secret(dir / "odoo.key", std::string(OdooServer::kApiKey) + "\n");
  const int scan_port = free_loopback_port();
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1",
      "ledger": {"path": ")" << (dir / "ledger.db").string()
                                        << R"("},
      "odoo": {"enabled": true, "url": ")"
                                        << server.url() << R"(", "login": "admin",
               "api_key_file": ")" << (dir / "odoo.key").string()
                                        << R"(", "locations": ["WARD3"],
               "reconcile_interval_s": 5,
               "posting": {"enabled": true, "interval_s": 5, "supplier_location_id": 1,
                           "cost_centre_locations": {"CC-W3": 5}, "inventory_loss_location_id": 3,
                           "scrap_location_id": 4,
                           "picking_type": {"incoming": 1, "internal": 2, "outgoing": 3}}},
      "scanners": {"tcp": {"enabled": true, "port": )"
                                        << scan_port << R"(}},
      "session": {"default_location": "WARD3", "operators": {"nurse-042": ["issue"]},
                  "cost_centres": {"WARD3": "CC-W3"}}})";
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  const auto agent_log = [&] {
    std::ifstream in(dir / "agent.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  REQUIRE(wait_until([&] { return accepts_connections(scan_port); }, 20s));
  // The catalogue first: the product must be known to be issued by name.
  REQUIRE(wait_until([&] { return agent_log().find("catalogue pull") != std::string::npos; }, 30s));
  {
    ScannerLink scanner(scan_port);
    scanner.send("OP:nurse-042");
    REQUIRE(scanner.wait_for("OK hello nurse-042"));
    scanner.send(barcode);
    scanner.send(barcode);
    REQUIRE(scanner.wait_for(": 2 "));
    scanner.send("CMD:CONFIRM");
    REQUIRE(scanner.wait_for("OK recorded #1 issue 2"));
  }
  // Booked in Odoo within a few posting rounds: one done move of 2 units, from Ward 3.
  Json booked;
  const bool posted = wait_until(
      [&] {
        booked = Json::parse(odoo.call("stock.move", "search_read",
                                       R"({"domain": [["origin", "like", "EDGE:"], ["state", "=", "done"]],
                                           "fields": ["origin", "quantity", "location_id", "location_dest_id"]})")
                                 .result);
        return !booked.empty();
      },
      60s);
  INFO(agent_log());
  REQUIRE(posted);
  REQUIRE(booked.size() == 1);
  CHECK(booked[0]["quantity"] == 2.0);
  CHECK(booked[0]["location_id"][0] == 11);
  CHECK(booked[0]["location_dest_id"][0] == 5);
  const auto after = Json::parse(
      odoo.call("stock.quant", "search_read",
                Json{{"domain", {{"location_id", "=", 11}, {"product_id", "=", product}}}, {"fields", {"quantity"}}}
                    .dump())
          .result);
  CHECK(after[0]["quantity"].get<double>() == Approx(before - 2.0));
  REQUIRE(wait_until([&] { return agent_log().find("1 postings booked") != std::string::npos; }, 20s));
  // The agent reconciles by itself, and says so loudly when Odoo has a move
  // twice (a second booking made here by hand).
  REQUIRE(wait_until([&] { return agent_log().find("reconciliation: 1 moves") != std::string::npos; }, 30s));
  CHECK(agent_log().find("booked twice") == std::string::npos);
  const auto again = Json::parse(
      odoo.call("stock.picking", "create",
                Json{{"vals_list",
                      {{{"picking_type_id", 3},
                        {"move_ids",
                         {{0,
                           0,
                           {{"product_id", product}, {"product_uom_qty", 2.0}, {"origin", booked[0]["origin"]}}}}}}}}}
                    .dump())
          .result);
  REQUIRE(odoo.call("stock.picking", "button_validate", Json{{"ids", again}}.dump()).ok());
  REQUIRE(wait_until([&] { return agent_log().find("1 moves booked twice in Odoo") != std::string::npos; }, 30s));

  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
  storage::SystemClock clock;
  auto ledger = open_ledger(dir / "ledger.db", clock);
  CHECK(ledger->outbox().backlog(storage::kDestinationOdoo).value() == 0);
  const auto line = ledger->stock_line(storage::LocationCode("WARD3"), "gtin:0" + barcode, "").value();
  REQUIRE(line.has_value());
  CHECK(line->pending.is_zero());
  CHECK(static_cast<double>(line->on_hand().as_micros()) / 1e6 == Approx(before - 2.0));  // Odoo's then, not 0 - 2
  CHECK(booked[0]["origin"] == "EDGE:" + ledger->moves_after(storage::Seq{0}, 1).value().at(0).id.str());
}
