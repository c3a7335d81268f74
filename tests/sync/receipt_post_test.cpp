// Receipts against the transfers Odoo expects, on the project's strict Odoo
// test server: a two-step transfer left open is received into (never a second
// picking for goods Odoo already expects), a one-step transfer central
// validated at dispatch is confirmed and nothing is posted, a receipt nothing
// expects is a new picking flagged for review, and faults at every step book
// nothing twice. The server follows stock.picking.button_validate,
// _action_done and _create_backorder (addons/stock/models/stock_picking.py).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <random>

#include "edgestock/storage/audit.hpp"
#include "edgestock/sync/reconcile.hpp"
#include "posting_site.hpp"

using namespace edgestock;
using namespace edgestock::sync;
using namespace edgestock::testing;
using storage::MoveKind;
using storage::Quantity;
using Json = nlohmann::json;

namespace {

constexpr std::int64_t kTransit = 14;  // Virtual Locations/Transit: the second leg of central's two-step delivery

std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A site whose clock reads the same time as the test server (which stamps
// date_done with its own), with the expected transfers pulled.
struct ReceivingSite : PostingSite {
  explicit ReceivingSite(OdooServer& s) : PostingSite(s) {
    clock.set(wall_now_ms());
    for (const auto& p : products) (p.lot.empty() ? untracked : tracked).push_back(p);
    REQUIRE(tracked.size() >= 2);
    REQUIRE(untracked.size() >= 2);
  }

  std::int64_t pull() {
    PullScope scope;
    scope.location_codes = {"WARD3", "THEATRE2"};
    scope.now_ms = clock.now_ms();
    const auto report = pull_catalogue(odoo, *ledger, scope, false);
    INFO(report.failure.message);
    REQUIRE(report.ok());
    return report.expected_transfers;
  }

  // Central's transfer into Ward 3: each (product, quantity), tracked ones
  // with the lot central chose as a move line. Confirmed; validated if `done`.
  std::int64_t central_transfer(const std::vector<std::pair<Stocked, int>>& lines, bool done) {
    Json moves = Json::array();
    for (const auto& [p, units] : lines) {
      Json move{{"product_id", p.id}, {"product_uom_qty", units}, {"name", "central pharmacy"}};
      if (!p.lot.empty()) {
        move["move_line_ids"] =
            Json::array({Json::array({0, 0, {{"lot_name", p.lot}, {"quantity", units}, {"location_id", kTransit}}})});
      } else if (done) {
        move["quantity"] = units;  // what central's dispatcher entered
      }
      moves.push_back(Json::array({0, 0, move}));
    }
    const auto created = rpc(odoo, "stock.picking", "create",
                             {{"vals_list", Json::array({{{"picking_type_id", 2},
                                                          {"location_id", kTransit},
                                                          {"location_dest_id", kWard},
                                                          {"origin", "PHARM/REQ/0042"},
                                                          {"move_ids", moves}}})}});
    const auto id = created[0].get<std::int64_t>();
    rpc(odoo, "stock.picking", "action_confirm", {{"ids", {id}}});
    if (done) REQUIRE(rpc(odoo, "stock.picking", "button_validate", {{"ids", {id}}}) == true);
    return id;
  }

  Json picking(std::int64_t id) {
    return rpc(odoo, "stock.picking", "read", {{"ids", {id}}, {"fields", {"state", "name", "note"}}})[0];
  }
  std::int64_t picking_count() {
    return rpc(odoo, "stock.picking", "search_count", {{"domain", Json::array()}}).get<std::int64_t>();
  }
  // Done quantity Odoo booked by a picking's move lines, per product.
  std::map<std::int64_t, double> booked(std::int64_t id) {
    std::map<std::int64_t, double> out;
    const auto rows = rpc(odoo, "stock.move", "search_read",
                          {{"domain", Json::array({Json::array({"picking_id", "=", id})})},
                           {"fields", {"product_id", "quantity", "state"}}});
    for (const auto& r : rows) {
      if (r["state"] == "done") out[r["product_id"][0].get<std::int64_t>()] += r["quantity"].get<double>();
    }
    return out;
  }
  std::vector<Json> backorders_of(std::int64_t id) {
    const auto rows =
        rpc(odoo, "stock.picking", "search_read",
            {{"domain", Json::array({Json::array({"backorder_id", "=", id})})}, {"fields", {"state", "move_ids"}}});
    return {rows.begin(), rows.end()};
  }
  // The ledger shows Odoo's stock, with nothing pending, for these products at Ward 3.
  void check_shown_is_odoo(const std::vector<Stocked>& these) {
    const auto odoo_now = quants(odoo, products);
    for (const auto& p : these) {
      const auto product = ledger->catalogue().product_by_id(p.id).value();
      const auto line = ledger->stock_line(storage::LocationCode("WARD3"), storage::stock_key(product), p.lot).value();
      REQUIRE(line.has_value());
      CHECK(line->pending.is_zero());
      CHECK(static_cast<double>(line->on_hand().as_micros()) / 1e6 == Approx(odoo_now.at({kWard, p.id, p.lot})));
    }
  }

  std::vector<Stocked> tracked;
  std::vector<Stocked> untracked;
};

}  // namespace

TEST_CASE("a two-step transfer left open is received into, its shortfall a backorder Odoo keeps", "[odoo][receipt]") {
  OdooServer server(17);
  ReceivingSite site(server);
  const auto& saline = site.tracked[0];
  const auto& gloves = site.untracked[0];
  const auto expected = site.central_transfer({{saline, 10}, {gloves, 6}}, false);
  REQUIRE(site.pull() == 1);
  const auto before = quants(site.odoo, site.products);
  const auto pickings = site.picking_count();
  std::map<Key, double> change;
  site.record(MoveKind::receipt, saline, 4, change);
  site.record(MoveKind::receipt, saline, 6, change);
  site.record(MoveKind::receipt, gloves, 4, change);  // 2 short
  site.drain();
  CHECK(site.picking(expected)["state"] == "done");
  CHECK(site.booked(expected) == std::map<std::int64_t, double>{{saline.id, 10.0}, {gloves.id, 4.0}});
  check_quants(site, before, change);
  // The only new picking is Odoo's backorder for the two gloves still due.
  const auto backorders = site.backorders_of(expected);
  REQUIRE(backorders.size() == 1);
  CHECK(site.picking_count() == pickings + 1);
  CHECK(backorders[0]["state"] == "confirmed");
  site.check_shown_is_odoo({saline, gloves});

  // The next pull brings the backorder (and the received transfer, done now,
  // which nothing matches again); the two gloves arriving later close it.
  REQUIRE(site.pull() == 2);
  const auto backorder = backorders[0]["id"].get<std::int64_t>();
  site.record(MoveKind::receipt, gloves, 2, change);
  site.drain();
  CHECK(site.picking(backorder)["state"] == "done");
  CHECK(site.booked(backorder) == std::map<std::int64_t, double>{{gloves.id, 2.0}});
  CHECK(site.backorders_of(backorder).empty());
  CHECK(site.picking_count() == pickings + 1);
  check_quants(site, before, change);
  CHECK(site.ledger->outbox().open_exceptions().value().empty());
  // Reconciliation finds these moves booked by their transfers, none missing.
  const std::map<std::string, std::int64_t> site_locations{{"WARD3", kWard}, {"THEATRE2", kTheatre}};
  const auto input = read_for_reconcile(site.odoo, *site.ledger, site_locations, site.clock.now_ms());
  REQUIRE(input.has_value());
  const auto report = reconcile(*input);
  INFO(report_text(report));
  CHECK(report.missing.empty());
  CHECK_FALSE(report.loud());
  CHECK(input->transfer_states.size() == 2);
}

TEST_CASE("with short receipts closed by config, what did not arrive leaves no backorder", "[odoo][receipt]") {
  OdooServer server(17);
  ReceivingSite site(server);
  site.close_short_receipts = true;
  const auto& saline = site.tracked[1];
  const auto expected = site.central_transfer({{saline, 8}}, false);
  REQUIRE(site.pull() == 1);
  const auto pickings = site.picking_count();
  std::map<Key, double> change;
  site.record(MoveKind::receipt, saline, 5, change);
  site.drain();  // the receipt waits until 30 minutes pass without a scan, then is posted
  CHECK(site.picking(expected)["state"] == "done");
  CHECK(site.booked(expected) == std::map<std::int64_t, double>{{saline.id, 5.0}});
  CHECK(site.backorders_of(expected).empty());
  CHECK(site.picking_count() == pickings);
}

TEST_CASE("a one-step transfer done at dispatch is confirmed by its receipt and nothing is posted", "[odoo][receipt]") {
  OdooServer server(17);
  ReceivingSite site(server);
  const auto& saline = site.tracked[0];
  const auto& gloves = site.untracked[1];
  const auto dispatched = site.central_transfer({{saline, 5}, {gloves, 3}}, true);
  REQUIRE(site.pull() == 1);
  const auto before = quants(site.odoo, site.products);
  const auto pickings = site.picking_count();
  std::map<Key, double> nothing;
  site.record(MoveKind::receipt, saline, 5, nothing);
  site.record(MoveKind::receipt, gloves, 3, nothing);
  site.drain();
  CHECK(site.picking_count() == pickings);
  check_quants(site, before, {{{kWard, saline.id, saline.lot}, 0.0}, {{kWard, gloves.id, ""}, 0.0}});
  // The stock shown is Odoo's (the dispatch booked it), not the dispatch plus the receipt.
  site.check_shown_is_odoo({saline, gloves});
  const auto batch = site.ledger->postings().expected_taken().value();
  CHECK(batch == std::vector<std::int64_t>{dispatched});

  // Central's next dispatch booked 2; 3 arrive: a person checks it, nothing is posted.
  const auto second = site.central_transfer({{saline, 2}}, true);
  REQUIRE(site.pull() == 2);  // both done transfers; the first is confirmed already
  const auto pickings_now = site.picking_count();
  site.record(MoveKind::receipt, saline, 3, nothing);
  site.drain();
  CHECK(site.picking_count() == pickings_now);
  const auto exceptions = site.ledger->outbox().open_exceptions().value();
  REQUIRE(exceptions.size() == 1);
  CHECK_THAT(exceptions[0].reason,
             Catch::Contains("does not agree with " + site.picking(second)["name"].get<std::string>()));
}

TEST_CASE("a receipt nothing expects is a new incoming picking flagged for review", "[odoo][receipt]") {
  OdooServer server(17);
  ReceivingSite site(server);
  REQUIRE(site.pull() == 0);
  const auto& gloves = site.untracked[0];
  const auto before = quants(site.odoo, site.products);
  std::map<Key, double> change;
  site.record(MoveKind::receipt, gloves, 7, change);
  site.drain();
  site.check_exactly_once();
  check_quants(site, before, change);
  const auto rows =
      rpc(site.odoo, "stock.picking", "search_read",
          {{"domain", Json::array({Json::array({"origin", "like", "EDGE:batch-"})})}, {"fields", {"note", "state"}}});
  REQUIRE(rows.size() == 1);
  CHECK_THAT(rows[0]["note"].get<std::string>(), Catch::Contains("no transfer expected") && Catch::Contains("review"));
}

TEST_CASE("faults at every step of receiving into an expected transfer book it once", "[odoo][receipt][faults]") {
  const char* seed_text = std::getenv("EDGESTOCK_SEED");
  const auto seed = seed_text != nullptr ? std::strtoull(seed_text, nullptr, 10) : std::random_device{}();
  const char* runs_text = std::getenv("EDGESTOCK_FAULT_RUNS");
  const int runs = runs_text != nullptr ? std::atoi(runs_text) / 4 : 50;
  WARN("seed " << seed << " (re-run with EDGESTOCK_SEED=" << seed << "), " << runs << " runs");
  std::mt19937_64 random(seed);
  OdooServer server(17);
  ReceivingSite site(server);
  const char* faults[] = {"lost_response", "reset", "http_503", "serialization_failure"};
  for (int run = 0; run < runs; ++run) {
    INFO("run " << run << " of seed " << seed);
    const auto& saline = site.tracked[random() % site.tracked.size()];
    const auto& gloves = site.untracked[random() % site.untracked.size()];
    const int due = 2 + static_cast<int>(random() % 6);
    const auto expected = site.central_transfer({{saline, due}, {gloves, due}}, false);
    site.pull();
    const auto before = quants(site.odoo, site.products);
    std::map<Key, double> change;
    const int arrived = 1 + static_cast<int>(random() % static_cast<std::uint64_t>(due));
    site.record(MoveKind::receipt, saline, arrived, change);
    site.record(MoveKind::receipt, gloves, due, change);
    const char* fault = faults[random() % 4];
    const int after = static_cast<int>(random() % 9);
    INFO(fault << " after " << after << " calls; " << arrived << " and " << due << " of " << due << " arrived");
    server.fault(fault, 1 + static_cast<int>(random() % 2), 0, after);
    site.drain();
    server.fault("none", 0);
    CHECK(site.picking(expected)["state"] == "done");
    CHECK(site.booked(expected) ==
          std::map<std::int64_t, double>{{saline.id, double(arrived)}, {gloves.id, double(due)}});
    check_quants(site, before, change);
    CHECK(site.backorders_of(expected).size() == (arrived < due ? 1U : 0U));
    CHECK(site.ledger->outbox().open_exceptions().value().empty());
    site.clock.advance(60 * 60'000);
  }
}

TEST_CASE("a transfer cancelled or changed in Odoo since the pull sends its receipts to a person, untouched",
          "[odoo][receipt]") {
  OdooServer server(17);
  ReceivingSite site(server);
  const auto& saline = site.tracked[0];
  const auto& gloves = site.untracked[0];
  const auto cancelled = site.central_transfer({{saline, 3}}, false);
  const auto changed = site.central_transfer({{saline, 2}, {gloves, 2}}, false);
  REQUIRE(site.pull() == 2);
  // stock.picking.action_cancel; and central takes the gloves off the other one.
  rpc(site.odoo, "stock.picking", "action_cancel", {{"ids", {cancelled}}});
  const auto gloves_move =
      rpc(site.odoo, "stock.move", "search_read",
          {{"domain",
            Json::array({Json::array({"picking_id", "=", changed}), Json::array({"product_id", "=", gloves.id})})},
           {"fields", {"state"}}})[0]["id"];
  rpc(site.odoo, "stock.move", "write", {{"ids", {gloves_move}}, {"vals", {{"state", "cancel"}}}});
  const auto before = quants(site.odoo, site.products);
  const auto pickings = site.picking_count();
  std::map<Key, double> nothing;
  site.record(MoveKind::receipt, saline, 3, nothing);  // matches the first (its lot, its room)
  site.record(MoveKind::receipt, saline, 2, nothing);
  site.record(MoveKind::receipt, gloves, 2, nothing);
  site.drain();
  const auto exceptions = site.ledger->outbox().open_exceptions().value();
  REQUIRE(exceptions.size() == 3);
  const auto name_of = [&](std::int64_t id) { return site.picking(id)["name"].get<std::string>(); };
  CHECK_THAT(exceptions[0].reason,
             Catch::Contains("the expected transfer " + name_of(cancelled) + " was cancelled in Odoo"));
  for (std::size_t i : {1U, 2U}) {
    CHECK_THAT(exceptions[i].reason,
               Catch::Contains("the expected transfer " + name_of(changed) +
                               " no longer has an open move of Odoo product " + std::to_string(gloves.id)));
  }
  CHECK(site.picking(changed)["state"] != "done");
  CHECK(site.picking(cancelled)["state"] == "cancel");
  CHECK(site.picking_count() == pickings);
  check_quants(site, before, {{{kWard, saline.id, saline.lot}, 0.0}, {{kWard, gloves.id, ""}, 0.0}});
}

// Odoo's quants change while the terminal holds moves of its own: central
// delivers, central takes stock away, a batch is booked but its answer lost.
// Each catalogue pull rebases the stock shown on Odoo's quants (summed per
// location, product and lot as stock.quant._get_available_quantity sums them),
// except a line Odoo may already hold a pending move of.
TEST_CASE("a catalogue pull rebases the stock shown on Odoo's quants, except lines Odoo may hold a pending move of",
          "[odoo][catalogue][rebase]") {
  OdooServer server(17);
  ReceivingSite site(server);
  const auto gloves = site.untracked[0];
  const auto masks = site.untracked[1];
  const auto saline = site.tracked[0];
  const auto line = [&](const Stocked& p) {
    const auto product = site.ledger->catalogue().product_by_id(p.id).value();
    const auto found =
        site.ledger->stock_line(storage::LocationCode("WARD3"), storage::stock_key(product), p.lot).value();
    REQUIRE(found.has_value());
    return *found;
  };
  const auto units = [](Quantity q) { return static_cast<double>(q.as_micros()) / 1e6; };
  const auto odoo_has = [&](const Stocked& p) { return quants(site.odoo, site.products)[{kWard, p.id, p.lot}]; };
  std::map<Key, double> ignored;

  // The first pull that rebases shows Odoo's stock of what Ward 3 holds.
  site.pull();
  for (const auto& p : {gloves, masks, saline}) {
    CHECK(units(line(p).baseline) == Approx(odoo_has(p)));
    CHECK(line(p).pending.is_zero());
  }

  // Central delivers 7 gloves (one step, booked at dispatch) while 2 issued
  // here wait for Odoo: the baseline takes the 7, the 2 stay pending.
  site.clock.advance(60'000);
  const auto gloves_before = odoo_has(gloves);
  site.record(MoveKind::issue, gloves, 2, ignored);
  site.central_transfer({{gloves, 7}}, true);
  site.pull();
  CHECK(units(line(gloves).baseline) == Approx(gloves_before + 7));
  CHECK(units(line(gloves).pending) == Approx(-2));

  // The issues of gloves and masks are booked (stock.picking.create, then
  // button_validate) but the quant read after them fails: the batch stays
  // `sent` and unsettled. Central then delivers 4 masks. A pull must not add
  // Odoo's quantity, which holds the issues, to pending, which holds them too.
  site.record(MoveKind::issue, masks, 3, ignored);
  const auto masks_before = units(line(masks).baseline);
  server.fault("http_503", 1, 0, 2);
  {
    OdooPoster poster(site.odoo, *site.ledger, site.site(), site.settings(), site.clock);
    const auto round = poster.run_once();
    INFO(round.last_error << " after " << round.rpcs << " calls");
    CHECK(round.retry_later);
  }
  server.fault("none", 0);
  const auto open = site.ledger->postings().open(site.clock.now_ms() + 86'400'000).value();
  REQUIRE(open.size() == 1);
  REQUIRE(open[0].state == "sent");
  site.central_transfer({{masks, 4}}, true);
  site.clock.advance(60'000);
  site.pull();
  CHECK(units(line(masks).baseline) == Approx(masks_before));  // left for the posting to settle
  CHECK(units(line(masks).pending) == Approx(-3));
  site.drain();  // finds the booked picking by its origin and settles it
  site.check_shown_is_odoo({gloves, masks});
  CHECK(units(line(masks).on_hand()) == Approx(masks_before - 3 + 4));

  // Central books a delivery of 5 saline at dispatch; the ward scans them in
  // before any pull saw it. The next pull brings the transfer and Odoo's +5,
  // but the receipt waits for its confirmation: rebasing now would count the
  // 5 twice (Odoo's quant and the pending receipt).
  const auto saline_before = units(line(saline).baseline);
  REQUIRE(saline_before == Approx(odoo_has(saline)));
  site.central_transfer({{saline, 5}}, true);
  site.record(MoveKind::receipt, saline, 5, ignored);
  site.clock.advance(60'000);
  site.pull();
  CHECK(units(line(saline).baseline) == Approx(saline_before));
  CHECK(units(line(saline).on_hand()) == Approx(saline_before + 5));
  site.drain();  // confirmed: nothing posted, Odoo's quant is the baseline
  site.check_shown_is_odoo({saline});
  CHECK(units(line(saline).on_hand()) == Approx(saline_before + 5));

  // Central takes every glove away: Odoo holds none there, the line shows zero.
  const auto all = static_cast<int>(odoo_has(gloves));
  REQUIRE(all > 0);
  const auto created =
      rpc(site.odoo, "stock.picking", "create",
          {{"vals_list", Json::array({{{"picking_type_id", 2},
                                       {"location_id", kWard},
                                       {"location_dest_id", kTransit},
                                       {"move_ids", Json::array({Json::array({0,
                                                                              0,
                                                                              {{"product_id", gloves.id},
                                                                               {"product_uom_qty", all},
                                                                               {"quantity", all},
                                                                               {"name", "recall"}}})})}}})}});
  const auto recall = created[0].get<std::int64_t>();
  rpc(site.odoo, "stock.picking", "action_confirm", {{"ids", {recall}}});
  REQUIRE(rpc(site.odoo, "stock.picking", "button_validate", {{"ids", {recall}}}) == true);
  REQUIRE(odoo_has(gloves) == 0.0);
  site.clock.advance(60'000);
  site.pull();
  CHECK(line(gloves).baseline.is_zero());
  CHECK(line(gloves).pending.is_zero());
  // Each rebase is in the audit log, which still verifies.
  CHECK(site.ledger->audit().verify().intact());
}

// Central deletes an open transfer after the ward pulled it (stock.picking.unlink
// cancels and deletes its moves): the receipt matched to it goes to a person,
// and nothing is created in its place.
TEST_CASE("a transfer deleted in Odoo since the pull sends its receipts to a person", "[odoo][receipt]") {
  OdooServer server(17);
  ReceivingSite site(server);
  const auto& gloves = site.untracked[0];
  const auto deleted = site.central_transfer({{gloves, 4}}, false);
  const auto name = site.picking(deleted)["name"].get<std::string>();
  REQUIRE(site.pull() == 1);
  REQUIRE(rpc(site.odoo, "stock.picking", "unlink", {{"ids", {deleted}}}) == true);
  const auto before = quants(site.odoo, site.products);
  const auto pickings = site.picking_count();
  std::map<Key, double> nothing;
  site.record(MoveKind::receipt, gloves, 4, nothing);
  site.drain();
  const auto exceptions = site.ledger->outbox().open_exceptions().value();
  REQUIRE(exceptions.size() == 1);
  CHECK_THAT(exceptions[0].reason, Catch::Contains("the expected transfer " + name + " no longer exists in Odoo"));
  CHECK(site.picking_count() == pickings);
  check_quants(site, before, {{{kWard, gloves.id, ""}, 0.0}});
}
