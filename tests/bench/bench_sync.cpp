// bench-sync: drains a backlog of moves to the Odoo test server with injected
// latency on every call: wall time and calls per 1000 moves, against the
// naive one-picking-per-move cost (create, validate, read the quants: three
// calls a move) at the latency per call measured in the same run.
//
//   bench-sync [--moves 10000] [--latency-ms 20] [--hours 8] [--runs 3]
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "bench_support.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/catalogue_pull.hpp"
#include "edgestock/sync/odoo_poster.hpp"
#include "ledger_fixtures.hpp"
#include "odoo_server.hpp"

using namespace edgestock;
using namespace edgestock::bench;
using Json = nlohmann::json;

namespace {

struct Result {
  double seconds = 0;
  std::int64_t rpcs = 0;
  std::int64_t posted = 0;
};

// One run on a fresh server and ledger. Moves are spread over `hours` of
// scanning: issues to two cost centres, transfers, receipts and counts.
Result run_once(int moves, int latency_ms, int hours) {
  testing::OdooServer server(17);
  auto settings = testing::odoo_settings(server);
  settings.timeout_ms = 600'000;
  sync::OdooClient odoo(settings, testing::OdooServer::kApiKey);
  if (!odoo.connect().ok()) throw std::runtime_error("cannot connect to the test server");
  testing::TempDir dir("bench-sync");
  testing::ManualClock clock;
  auto options = testing::ledger_options(dir / "ledger.db");
  options.durability = storage::Durability::normal;  // recording is not what is measured
  auto ledger = testing::open_ledger(options, clock);
  sync::PullScope scope;
  scope.location_codes = {"WARD3", "THEATRE2"};
  if (!sync::pull_catalogue(odoo, *ledger, scope, true).ok()) throw std::runtime_error("pull failed");
  std::vector<storage::Product> products;
  for (std::int64_t id = 100; id < 420 && products.size() < 40; ++id) {
    if (auto p = ledger->catalogue().product_by_id(id); p && p->tracking == "none" && p->barcode.size() == 13) {
      products.push_back(*p);
    }
  }
  const std::int64_t step_ms = std::int64_t{hours} * 3'600'000 / moves;
  for (int i = 0; i < moves; ++i) {
    const auto& p = products[static_cast<std::size_t>(i) % products.size()];
    storage::MoveRequest r;
    r.product.gtin = "0" + p.barcode;
    r.uom = p.uom;
    r.qty = storage::Quantity::units(1 + i % 3);
    r.operator_id = storage::OperatorId("nurse-042");
    switch (i % 20) {
      case 0:
      case 1:
      case 2:
        r.kind = storage::MoveKind::transfer;
        r.from = storage::LocationCode("WARD3");
        r.to = storage::LocationCode("THEATRE2");
        break;
      case 3:
      case 4:
      case 5:
        r.kind = storage::MoveKind::receipt;
        r.from = storage::LocationCode("SUPPLIER");
        r.to = storage::LocationCode("WARD3");
        break;
      case 6:
      case 7:
        r.kind = storage::MoveKind::count;
        r.to = storage::LocationCode("WARD3");
        r.counted = storage::Quantity::units(50 + i % 3);
        r.expected = storage::Quantity::units(50);
        r.qty = {};
        break;
      default:
        r.kind = storage::MoveKind::issue;
        r.from = storage::LocationCode("WARD3");
        r.to = storage::LocationCode("CONSUME");
        r.cost_centre = i % 2 == 0 ? "CC-W3" : "CC-RESEARCH";
    }
    if (!ledger->record(r)) throw std::runtime_error("cannot record");
    clock.advance(step_ms);
  }
  sync::OdooSite site;
  site.locations = {{"WARD3", 11}, {"THEATRE2", 13}};
  site.supplier = 1;
  site.consumption = 5;
  site.consumption_by_cost_centre = {{"CC-W3", 5}, {"CC-RESEARCH", 2}};
  site.inventory_loss = 3;
  site.scrap = 4;
  site.product = [&](const storage::ProductRef& p) { return sync::catalogue_product(ledger->catalogue(), p); };
  site.lot = [&](std::int64_t product, const std::string& lot) {
    return sync::catalogue_lot(ledger->catalogue(), product, lot);
  };
  sync::PosterSettings poster_settings;
  poster_settings.picking_types = {{"incoming", 1}, {"internal", 2}, {"outgoing", 3}};
  sync::OdooPoster poster(odoo, *ledger, site, poster_settings, clock);
  server.fault("latency", 1'000'000'000, latency_ms);
  Result result;
  const auto start = Clock::now();
  while (ledger->outbox().backlog(storage::kDestinationOdoo).value() > 0) {
    const auto round = poster.run_once();
    result.rpcs += round.rpcs;
    result.posted += round.posted;
    if (round.retry_later || !round.last_error.empty()) throw std::runtime_error("round failed: " + round.last_error);
  }
  result.seconds = micros_since(start) / 1e6;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const int moves = int_arg(argc, argv, "--moves", 10'000);
  const int latency = int_arg(argc, argv, "--latency-ms", 20);
  const int hours = int_arg(argc, argv, "--hours", 8);
  const int runs = int_arg(argc, argv, "--runs", 3);
  std::vector<double> seconds, per_1000, speedup, per_call;
  for (int run = 0; run < runs; ++run) {
    const auto r = run_once(moves, latency, hours);
    const double call_s = r.seconds / static_cast<double>(r.rpcs);  // latency plus the server's work
    const double naive_s = 3.0 * moves * call_s;
    seconds.push_back(r.seconds);
    per_1000.push_back(1000.0 * static_cast<double>(r.rpcs) / moves);
    per_call.push_back(call_s * 1000.0);
    speedup.push_back(naive_s / r.seconds);
    std::cout << "run " << run + 1 << ": " << moves << " moves in " << r.posted << " postings, " << r.rpcs << " calls, "
              << fixed(r.seconds) << " s (" << fixed(call_s * 1000.0, 1)
              << " ms a call); one picking per move: " << 3 * moves << " calls, ~" << fixed(naive_s, 0)
              << " s at this run's time a call, at least " << 3 * moves * latency / 1000 << " s of latency alone\n";
  }
  std::cout << "median of " << runs << ": drain " << fixed(median(seconds)) << " s, " << fixed(median(per_1000), 1)
            << " calls per 1000 moves (naive 3000), " << fixed(median(per_call), 1) << " ms a call, "
            << fixed(median(speedup), 0) << "x faster than one picking per move\n";
}
