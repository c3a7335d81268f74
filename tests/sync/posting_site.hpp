#pragma once
// The posting tests' site: a ledger pulled from the project's strict Odoo test
// server, the products Ward 3 holds there, and helpers that record moves, drain
// them to Odoo and check what Odoo booked.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/storage/postings.hpp"
#include "edgestock/sync/catalogue_pull.hpp"
#include "edgestock/sync/odoo_poster.hpp"
#include "ledger_fixtures.hpp"
#include "odoo_server.hpp"

namespace edgestock::testing {

using namespace edgestock::sync;
using storage::MoveKind;
using storage::Quantity;
using Json = nlohmann::json;

constexpr std::int64_t kWard = 11;
constexpr std::int64_t kTheatre = 13;

inline Json rpc(OdooClient& odoo, const char* model, const char* method, const Json& params) {
  const auto reply = odoo.call(model, method, params.dump());
  INFO(model << "." << method << ": " << reply.message);
  REQUIRE(reply.ok());
  return Json::parse(reply.result);
}

// What the test posts: products as Odoo holds them at Ward 3.
struct Stocked {
  std::int64_t id = 0;
  std::string gtin;  // 14 digits
  std::string uom;
  std::string lot;  // empty: untracked
};

// (location id, product id, lot name) -> quantity, from Odoo's quants.
using Key = std::tuple<std::int64_t, std::int64_t, std::string>;
inline std::map<Key, double> quants(OdooClient& odoo, const std::vector<Stocked>& products) {
  Json ids = Json::array();
  for (const auto& p : products) ids.push_back(p.id);
  const auto rows = rpc(odoo, "stock.quant", "search_read",
                        {{"domain", Json::array({Json::array({"product_id", "in", ids}),
                                                 Json::array({"location_id", "in", Json::array({kWard, kTheatre})})})},
                         {"fields", Json::array({"product_id", "location_id", "lot_id", "quantity"})}});
  std::map<Key, double> out;
  for (const auto& r : rows) {
    out[{r["location_id"][0].get<std::int64_t>(), r["product_id"][0].get<std::int64_t>(),
         r["lot_id"].is_array() ? r["lot_id"][1].get<std::string>() : std::string()}] += r["quantity"].get<double>();
  }
  return out;
}

// Power-loss durability is the crash tests' business; here it would only
// make hundreds of fsyncs.
inline storage::LedgerOptions options(const edgestock::testing::TempDir& dir, const char* terminal) {
  auto o = edgestock::testing::ledger_options(dir / "ledger.db");
  o.terminal = storage::TerminalId(terminal);
  o.durability = storage::Durability::normal;
  o.wal_reserve_bytes = 0;
  return o;
}

struct PostingSite {
  explicit PostingSite(OdooServer& s, const char* terminal = "ward3-t1")
      : server(s),
        odoo(edgestock::testing::odoo_settings(s), OdooServer::kApiKey),
        ledger(edgestock::testing::open_ledger(options(dir, terminal), clock)) {
    REQUIRE(odoo.connect().ok());
    PullScope scope;
    scope.location_codes = {"WARD3", "THEATRE2"};
    REQUIRE(pull_catalogue(odoo, *ledger, scope, true).ok());
    // Untracked and lot-tracked products Ward 3 holds.
    const auto rows =
        rpc(odoo, "stock.quant", "search_read",
            {{"domain", Json::array({Json::array({"location_id", "=", kWard}), Json::array({"quantity", ">", 20})})},
             {"fields", Json::array({"product_id", "lot_id"})}});
    for (const auto& r : rows) {
      const auto id = r["product_id"][0].get<std::int64_t>();
      const auto product = ledger->catalogue().product_by_id(id);
      if (!product || product->barcode.size() != 13) continue;
      const bool tracked = product->tracking != "none";
      if (tracked != r["lot_id"].is_array()) continue;
      products.push_back({id, "0" + product->barcode, product->uom.str(),
                          tracked ? r["lot_id"][1].get<std::string>() : std::string()});
    }
    REQUIRE(products.size() >= 6);
  }

  OdooSite site() {
    OdooSite s;
    s.locations = {{"WARD3", kWard}, {"THEATRE2", kTheatre}};
    s.supplier = 1;
    s.consumption = 5;
    s.consumption_by_cost_centre = {{"CC-W3", 5}, {"CC-RESEARCH", 2}};
    s.inventory_loss = 3;
    s.scrap = 4;
    s.product = [this](const storage::ProductRef& p) { return catalogue_product(ledger->catalogue(), p); };
    s.lot = [this](std::int64_t product, const std::string& lot) {
      return catalogue_lot(ledger->catalogue(), product, lot);
    };
    s.create_unknown_lots = create_unknown_lots;
    s.unit = [this](std::int64_t product, const storage::UnitOfMeasure& unit) {
      return catalogue_unit(ledger->catalogue(), product, unit);
    };
    return s;
  }
  PosterSettings settings() {
    PosterSettings s;
    s.picking_types = {{"incoming", 1}, {"internal", 2}, {"outgoing", 3}};
    s.close_short_receipts = close_short_receipts;
    return s;
  }

  // Records one move; adds to `expected` what Odoo's quants must move by.
  storage::Move record(MoveKind kind, const Stocked& p, int units, std::map<Key, double>& expected,
                       const std::string& cost_centre = "CC-W3") {
    storage::MoveRequest r;
    r.kind = kind;
    r.product.gtin = p.gtin;
    r.lot = p.lot;
    r.uom = storage::UnitOfMeasure(p.uom);
    r.qty = Quantity::units(units);
    r.operator_id = storage::OperatorId("nurse-042");
    const std::string lot = p.lot;
    switch (kind) {
      case MoveKind::issue:
        r.from = storage::LocationCode("WARD3");
        r.to = storage::LocationCode("CONSUME");
        r.cost_centre = cost_centre;
        expected[{kWard, p.id, lot}] -= units;
        break;
      case MoveKind::receipt:
        r.from = storage::LocationCode("SUPPLIER");
        r.to = storage::LocationCode("WARD3");
        expected[{kWard, p.id, lot}] += units;
        break;
      case MoveKind::transfer:
        r.from = storage::LocationCode("WARD3");
        r.to = storage::LocationCode("THEATRE2");
        expected[{kWard, p.id, lot}] -= units;
        expected[{kTheatre, p.id, lot}] += units;
        break;
      case MoveKind::count:  // counted `units` more than expected
        r.to = storage::LocationCode("WARD3");
        r.counted = Quantity::units(100 + units);
        r.expected = Quantity::units(100);
        r.qty = Quantity{};
        expected[{kWard, p.id, lot}] += units;
        break;
      case MoveKind::scrap:
        r.from = storage::LocationCode("WARD3");
        r.to = storage::LocationCode("SCRAP");
        expected[{kWard, p.id, lot}] -= units;
        break;
      case MoveKind::return_to_store:  // unused stock back from the cost centre
        r.to = storage::LocationCode("WARD3");
        r.cost_centre = cost_centre;
        expected[{kWard, p.id, lot}] += units;
        break;
      default:
        FAIL("not used here");
    }
    const auto move = ledger->record(r);
    INFO((move ? "" : move.error().message));
    REQUIRE(move.has_value());
    origins.push_back("EDGE:" + move->id.str());
    return *move;
  }

  // Records the reversal of an issue from Ward 3 of `units` of `p`.
  void reverse_issue(const storage::Move& issue, const Stocked& p, int units, std::map<Key, double>& expected) {
    storage::MoveRequest r = issue.request;
    r.kind = MoveKind::reversal;
    r.reverses = issue.id;
    r.occurred_at_ms.reset();
    r.raw.clear();
    expected[{kWard, p.id, p.lot}] += units;
    const auto move = ledger->record(r);
    INFO((move ? "" : move.error().message));
    REQUIRE(move.has_value());
    origins.push_back("EDGE:" + move->id.str());
  }

  // Rounds until nothing waits for Odoo; the clock jumps past each retry time.
  std::int64_t drain(int max_rounds = 60) {
    OdooPoster poster(odoo, *ledger, site(), settings(), clock);
    std::int64_t rpcs = 0;
    for (int round = 0; round < max_rounds; ++round) {
      const auto result = poster.run_once();
      rpcs += result.rpcs;
      INFO(result.last_error);
      const auto left = ledger->outbox().backlog(storage::kDestinationOdoo).value();
      if (left == 0 && ledger->postings().open(clock.now_ms() + 86'400'000).value().empty()) return rpcs;
      clock.advance(11 * 60'000);
    }
    FAIL("moves still wait for Odoo after " << max_rounds << " rounds");
    return rpcs;
  }

  // Every recorded move is booked once in Odoo: one done stock.move by its origin.
  void check_exactly_once(std::size_t from = 0) {
    const std::vector<std::string> mine(origins.begin() + static_cast<std::ptrdiff_t>(from), origins.end());
    const auto rows =
        rpc(odoo, "stock.move", "search_read",
            {{"domain", Json::array({Json::array({"origin", "in", mine}), Json::array({"state", "=", "done"})})},
             {"fields", Json::array({"origin"})}});
    std::map<std::string, int> done;
    for (const auto& r : rows) ++done[r["origin"].get<std::string>()];
    for (const auto& origin : mine) {
      INFO(origin);
      CHECK(done[origin] == 1);
    }
    // Nothing left open: no picking of ours in another state, no backorder.
    const auto open = rpc(odoo, "stock.picking", "search_read",
                          {{"domain", Json::array({Json::array({"origin", "like", "EDGE:"}),
                                                   Json::array({"state", "not in", Json::array({"done", "cancel"})})})},
                           {"fields", Json::array({"name", "origin", "state"})}});
    CHECK(open.dump() == "[]");
  }

  OdooServer& server;
  OdooClient odoo;
  edgestock::testing::TempDir dir;
  edgestock::testing::ManualClock clock;
  std::unique_ptr<storage::Ledger> ledger;
  std::vector<Stocked> products;
  std::vector<std::string> origins;
  bool close_short_receipts = false;
  bool create_unknown_lots = false;  // odoo.posting.unknown_lots = create
};

inline void check_quants(PostingSite& site, const std::map<Key, double>& before, const std::map<Key, double>& change) {
  const auto after = quants(site.odoo, site.products);
  for (const auto& [key, delta] : change) {
    INFO("location " << std::get<0>(key) << " product " << std::get<1>(key) << " lot " << std::get<2>(key));
    const auto was = before.contains(key) ? before.at(key) : 0.0;
    const auto now = after.contains(key) ? after.at(key) : 0.0;
    CHECK(now == Approx(was + delta).margin(1e-9));
  }
}

}  // namespace edgestock::testing
