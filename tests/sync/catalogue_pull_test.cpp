// The catalogue pull from the Odoo test server into a real ledger.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/sync/catalogue_pull.hpp"
#include "ledger_fixtures.hpp"
#include "odoo_server.hpp"

using namespace edgestock;
using namespace edgestock::sync;
using edgestock::testing::OdooServer;
using Json = nlohmann::json;

namespace {
// The formulary as Odoo itself tells it: products with quants or rules at the site.
std::set<std::int64_t> formulary(OdooClient& odoo, const std::vector<std::int64_t>& locations) {
  std::set<std::int64_t> ids;
  for (const char* model : {"stock.quant", "stock.warehouse.orderpoint"}) {
    const auto rows =
        Json::parse(odoo.call(model, "search_read",
                              Json{{"domain", Json::array({Json::array({"location_id", "in", locations})})},
                                   {"fields", Json::array({"product_id"})}}
                                  .dump())
                        .result);
    for (const auto& row : rows) ids.insert(row["product_id"][0].get<std::int64_t>());
  }
  return ids;
}
// A terminal's ledger and its connection to the test server.
struct Site {
  explicit Site(OdooServer& server)
      : odoo(edgestock::testing::odoo_settings(server), OdooServer::kApiKey),
        ledger(edgestock::testing::open_ledger(dir / "ledger.db", clock)) {
    REQUIRE(odoo.connect().ok());
  }
  OdooClient odoo;
  edgestock::testing::TempDir dir;
  edgestock::testing::ManualClock clock;
  std::unique_ptr<storage::Ledger> ledger;
};
}  // namespace

TEST_CASE("the site's catalogue comes from Odoo, then only what changed", "[odoo][catalogue]") {
  OdooServer server(17);
  Site site(server);
  auto& odoo = site.odoo;
  auto& ledger = site.ledger;
  PullScope scope;
  scope.location_codes = {"WARD3", "THEATRE2"};
  scope.page_size = 40;  // several pages

  CHECK(ledger->catalogue().last_pulled_ms() == 0);  // never pulled
  const auto pulled_at = site.clock.now_ms();
  std::int64_t last_done = 0;
  const auto first = pull_catalogue(odoo, *ledger, scope, false, [&](std::int64_t done, std::int64_t total) {
    CHECK(done <= total);
    last_done = done;
  });
  INFO(first.failure.message);
  REQUIRE(first.ok());
  const auto expected = formulary(odoo, {11, 13});
  CHECK(first.locations == 2);
  CHECK(first.products == static_cast<std::int64_t>(expected.size()));
  CHECK(ledger->catalogue().product_count() == static_cast<std::int64_t>(expected.size()));
  CHECK(last_done == static_cast<std::int64_t>(expected.size()));
  CHECK(first.packagings == first.products);
  CHECK(first.reorder_rules > 0);
  CHECK(first.rpcs > 6);
  CHECK(ledger->catalogue().last_pulled_ms() == pulled_at);  // the status' last_odoo_sync

  // What the terminal now knows offline.
  const auto some = *expected.begin();
  const auto product = ledger->catalogue().product_by_id(some).value();
  CHECK(product.barcode.size() == 13);
  CHECK((product.uom.str() == "Units" || product.uom.str() == "Boxes"));
  CHECK_FALSE(ledger->catalogue().reorder_rules(storage::LocationCode("WARD3")).empty());
  CHECK(ledger->catalogue().location(storage::LocationCode("THEATRE2"))->complete_name == "PHARM/Stock/Theatre 2");
  CHECK_FALSE(ledger->catalogue().location(storage::LocationCode("WARD7")).has_value());  // not this site's

  SECTION("an incremental pull reads only the last minutes, and what changed") {
    REQUIRE(odoo.call("product.product", "write",
                      Json{{"ids", Json::array({Json(some)})}, {"vals", {{"name", "Renamed in Odoo"}}}}.dump())
                .ok());
    const auto second = pull_catalogue(odoo, *ledger, scope, false);
    REQUIRE(second.ok());
    CHECK_FALSE(second.since.empty());
    CHECK(second.products < 10);
    CHECK(second.products >= 1);
    CHECK(ledger->catalogue().product_by_id(some)->name == "Renamed in Odoo");
    const auto full = pull_catalogue(odoo, *ledger, scope, true);
    REQUIRE(full.ok());
    CHECK(full.since.empty());
    CHECK(full.products == static_cast<std::int64_t>(expected.size()));
  }
  SECTION("a product or location archived in Odoo is learned as archived, not forgotten") {
    // Odoo's search leaves archived records out unless asked (BaseModel._search,
    // active_test): the pull asks, or it would never learn of an archival.
    REQUIRE(odoo.call("product.product", "write",
                      Json{{"ids", Json::array({Json(some)})}, {"vals", {{"active", false}}}}.dump())
                .ok());
    const auto theatre =
        Json::parse(odoo.call("stock.location", "search", R"({"domain": [["barcode", "=", "THEATRE2"]]})").result);
    REQUIRE(odoo.call("stock.location", "write", Json{{"ids", theatre}, {"vals", {{"active", false}}}}.dump()).ok());
    REQUIRE(Json::parse(odoo.call("product.product", "search",
                                  Json{{"domain", Json::array({Json::array({"id", "=", some})})}}.dump())
                            .result)
                .empty());  // hidden from a plain search
    const auto second = pull_catalogue(odoo, *ledger, scope, false);
    INFO(second.failure.message);
    REQUIRE(second.ok());
    CHECK_FALSE(ledger->catalogue().product_by_id(some)->active);
    CHECK_FALSE(ledger->catalogue().location(storage::LocationCode("THEATRE2"))->active);
    CHECK(ledger->catalogue().location(storage::LocationCode("WARD3"))->active);
  }
  SECTION("a pull that fails part way reports why and keeps the old watermark") {
    const auto before = ledger->catalogue().setting("pull.watermark");
    server.fault("http_503", 1);
    site.clock.advance(60'000);
    const auto failed = pull_catalogue(odoo, *ledger, scope, false);
    CHECK_FALSE(failed.ok());
    CHECK(failed.failure.outcome == OdooOutcome::transient);
    CHECK(ledger->catalogue().setting("pull.watermark") == before);
    CHECK(ledger->catalogue().last_pulled_ms() == pulled_at);  // a failed pull is no exchange
    CHECK(pull_catalogue(odoo, *ledger, scope, false).ok());
  }
}

TEST_CASE("configured categories add their products, subcategories included, to the formulary", "[odoo][catalogue]") {
  OdooServer server(18);
  Site site(server);
  auto& odoo = site.odoo;
  auto& ledger = site.ledger;
  PullScope scope;
  scope.location_codes = {"WARD7"};
  scope.page_size = 50;

  // What Odoo says is below "All / Pharmacy", asked independently of the pull.
  std::set<std::int64_t> pharmacy;
  for (const auto& row :
       Json::parse(odoo.call("product.product", "search_read",
                             Json{{"domain", Json::array()}, {"fields", Json::array({"categ_id"})}}.dump())
                       .result)) {
    if (row["categ_id"][1].get<std::string>().starts_with("All / Pharmacy / ")) {
      pharmacy.insert(row["id"].get<std::int64_t>());
    }
  }
  REQUIRE(pharmacy.size() > 10);
  const auto site_only = formulary(odoo, {12});
  std::set<std::int64_t> expected = site_only;
  expected.insert(pharmacy.begin(), pharmacy.end());
  REQUIRE(expected.size() > site_only.size());

  scope.categories = {"All / Pharmacy"};
  const auto report = pull_catalogue(odoo, *ledger, scope, true);
  INFO(report.failure.message);
  REQUIRE(report.ok());
  CHECK(report.products == static_cast<std::int64_t>(expected.size()));
  for (const auto id : pharmacy) CHECK(ledger->catalogue().product_by_id(id).has_value());

  SECTION("a category Odoo does not know stops the pull with its name, and changes nothing") {
    const auto before = ledger->catalogue().setting("pull.watermark");
    const auto count_before = ledger->catalogue().product_count();
    scope.categories = {"All / Pharmacy", "All / Pharmacie"};
    const auto failed = pull_catalogue(odoo, *ledger, scope, true);
    CHECK_FALSE(failed.ok());
    CHECK(failed.failure.outcome == OdooOutcome::permanent);
    CHECK_THAT(failed.failure.message, Catch::Contains("'All / Pharmacie'"));
    CHECK(ledger->catalogue().setting("pull.watermark") == before);
    CHECK(ledger->catalogue().product_count() == count_before);
  }
}

TEST_CASE("an answer that is not what Odoo sends stops the pull with the model and field named", "[odoo][catalogue]") {
  for (const int version : {17, 19}) {  // JSON-RPC and JSON-2
    INFO("Odoo " << version);
    OdooServer server(version);
    Site site(server);
    PullScope scope;
    scope.location_codes = {"WARD3"};
    struct Case {
      const char* fault;
      const char* says;
    };
    for (const auto& c : {Case{"missing_field", "field 'id' is missing"},
                          Case{"wrong_type", "field 'barcode' is not a text or false"}}) {
      INFO(c.fault);
      server.fault(c.fault, 1);  // the first call: the site's locations
      const auto failed = pull_catalogue(site.odoo, *site.ledger, scope, true);
      REQUIRE_FALSE(failed.ok());
      CHECK(failed.failure.outcome == OdooOutcome::permanent);
      CHECK_THAT(failed.failure.message,
                 Catch::Contains("stock.location.search_read is not what Odoo sends") && Catch::Contains(c.says));
      CHECK(site.ledger->catalogue().last_pulled_ms() == 0);  // nothing counted as pulled
    }
    CHECK(pull_catalogue(site.odoo, *site.ledger, scope, true).ok());  // and the next pull works
  }
}

TEST_CASE("an answer larger than odoo.max_reply_bytes is refused, not held in memory", "[odoo][catalogue]") {
  OdooServer server(17);
  auto settings = edgestock::testing::odoo_settings(server);
  settings.max_reply_bytes = 256 * 1024;
  OdooClient odoo(settings, OdooServer::kApiKey);
  REQUIRE(odoo.connect().ok());
  server.fault("huge_reply", 1);
  const auto reply = odoo.call("stock.location", "search_read", R"({"domain": [], "fields": ["barcode"]})");
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.outcome == OdooOutcome::permanent);
  CHECK_THAT(reply.message, Catch::Contains("larger than odoo.max_reply_bytes (262144 bytes)"));
  CHECK(odoo.call("stock.location", "search_read", R"({"domain": [], "fields": ["barcode"]})").ok());
}

TEST_CASE("libcurl speaks only HTTP and HTTPS to Odoo", "[odoo][security]") {
  config::OdooSettings settings;
  settings.url = "file:///etc";  // refused by the config check too; here the client's own guard
  settings.timeout_ms = 2000;
  OdooClient odoo(settings, "key");
  const auto reply = odoo.connect();
  REQUIRE_FALSE(reply.ok());
  CHECK_THAT(reply.message, Catch::Contains("Unsupported protocol"));
}
