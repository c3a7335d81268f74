// bench-odoo: a full catalogue pull of ~50 000 products from the Odoo test
// server: wall time, number of calls, and the agent's peak memory.
//
//   bench-odoo [--suppliers 810] [--page 2000]
#include <sys/resource.h>

#include <cstdlib>
#include <iostream>

#include "bench_support.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/sync/catalogue_pull.hpp"
#include "ledger_fixtures.hpp"
#include "odoo_server.hpp"

using namespace edgestock;
using namespace edgestock::bench;

namespace {
long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}
}  // namespace

int main(int argc, char** argv) {
  const int suppliers = int_arg(argc, argv, "--suppliers", 810);
  const int page = int_arg(argc, argv, "--page", 2000);
  testing::TempDir dir("bench-odoo");
  const auto fixture = dir / "big.json";
  const std::string make = std::string(EDGESTOCK_PYTHON) + " " + testing::OdooServer::script_directory() +
                           "/make_fixture.py --suppliers " + std::to_string(suppliers) + " > " + fixture.string();
  if (std::system(make.c_str()) != 0) {
    std::cerr << "cannot make the fixture\n";
    return 1;
  }
  std::cout << "bench-odoo: starting the test server with " << suppliers << " suppliers per product kind" << std::endl;
  testing::OdooServer server(17, fixture.string());
  config::OdooSettings settings;
  settings.url = server.url();
  settings.login = "admin";
  settings.timeout_ms = 600'000;
  sync::OdooClient odoo(settings, testing::OdooServer::kApiKey);
  if (!odoo.connect().ok()) return 1;
  storage::SystemClock clock;
  auto ledger = testing::open_ledger(dir / "ledger.db", clock);
  sync::PullScope scope;
  scope.location_codes = {"PHARM", "WARD3", "WARD7", "THEATRE2"};
  scope.page_size = page;
  const long rss_before = peak_rss_kib();
  const auto start = Clock::now();
  const auto report = sync::pull_catalogue(odoo, *ledger, scope, true);
  const double seconds = micros_since(start) / 1e6;
  if (!report.ok()) {
    std::cerr << "pull failed: " << report.failure.message << "\n";
    return 1;
  }
  std::cout << "full pull: " << report.products << " products, " << report.packagings << " packagings, " << report.lots
            << " lots, " << report.reorder_rules << " reorder rules\n"
            << "  wall time      " << fixed(seconds, 1) << " s (" << fixed(report.products / seconds, 0)
            << " products/s, server included)\n"
            << "  calls          " << report.rpcs << " (page " << page << ")\n"
            << "  peak RSS       " << peak_rss_kib() / 1024 << " MiB (before the pull " << rss_before / 1024
            << " MiB)\n"
            << "  catalogue rows " << ledger->catalogue().product_count() << " products in the ledger\n";
  return 0;
}
