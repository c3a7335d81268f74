#pragma once
// Fills the ledger's catalogue cache from Odoo, for this site only: its
// locations, the products stocked at them or with reorder rules there (the
// site's formulary) plus every product of the configured categories (and
// their subcategories), their box packagings and lots, and the reorder rules.
// Incremental by write_date, reading from the last watermark minus an overlap
// (Odoo timestamps are per second and transactions commit out of order);
// duplicates are harmless upserts. A full pull (on a schedule: Odoo can merge
// quants without touching write_date) reads everything again. Every pull also
// reads the transfers Odoo expects into the site, so a receipt is matched to
// its transfer offline (receipt_match.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/odoo_client.hpp"

namespace edgestock::sync {

struct PullScope {
  std::vector<std::string> location_codes;  // barcodes of the site's stock locations
  // Odoo product categories whose products all belong to the formulary, by
  // complete name ("All / Pharmacy / Controlled drugs"); subcategories included.
  std::vector<std::string> categories;
  int page_size = 500;
  int overlap_seconds = 300;
  // Transfers Odoo expects into the site are pulled each time: the open ones,
  // and those done within `done_window` before `now_ms` (one-step transfers
  // central validated at dispatch); with now_ms 0, only the open ones.
  std::int64_t now_ms = 0;
  std::chrono::hours done_window{72};
};

// The scope the agent's settings give: odoo.locations and odoo.categories.
PullScope pull_scope(const config::OdooSettings& odoo);

struct PullReport {
  bool full = false;
  std::string since;  // the write_date the pull read from ("" for a full pull)
  std::int64_t rpcs = 0;
  std::int64_t locations = 0;
  std::int64_t products = 0;
  std::int64_t packagings = 0;
  std::int64_t lots = 0;
  std::int64_t reorder_rules = 0;
  std::int64_t expected_transfers = 0;
  storage::Ledger::Rebased stock;  // how the stock lines took Odoo's quants
  OdooReply failure;               // ok unless the pull stopped; then the watermark did not move
  [[nodiscard]] bool ok() const { return failure.ok(); }
};

// One line for the log and the pull command: what was read, how the stock
// lines took Odoo's quants, or why the pull stopped.
std::string describe(const PullReport& report);

// done, total (total 0 while not known)
using PullProgress = std::function<void(std::int64_t, std::int64_t)>;

PullReport pull_catalogue(OdooClient& odoo, storage::Ledger& ledger, const PullScope& scope, bool full,
                          const PullProgress& progress = nullptr);

}  // namespace edgestock::sync
