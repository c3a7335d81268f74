#pragma once
// The reconciliation report: the terminal's ledger against what Odoo holds.
// A pure function of what was read from both sides; nothing is changed.
//
//   stock     per location, product and lot: Odoo's quant, the local baseline
//             and what is pending. Odoo differing from the baseline means
//             Odoo's stock changed since it was read (a central transfer, a
//             count in Odoo): the next posting or pull rebases it.
//   twice     an EDGE: move Odoo has booked more than once        (loud)
//   missing   a move the ledger holds as posted that Odoo does not have, or
//             whose expected transfer Odoo does not hold as done      (loud)
//   unknown   an EDGE: move Odoo has that this ledger does not know (another
//             terminal's at the same location, or made by hand)
//   waiting   moves not yet posted, older than the threshold
//   late      moves booked in a later month than they happened (accounting)

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/odoo_client.hpp"

namespace edgestock::sync {

struct OdooQuant {
  storage::LocationCode location;
  std::string product_key;
  std::string lot;
  storage::Quantity quantity;
};

// A done stock.move whose origin is EDGE:<move id>.
struct OdooBooking {
  std::string move_id;
  std::int64_t booked_at_ms = 0;  // its date (the validation time)
};

struct LedgerMove {
  std::string move_id;
  std::int64_t occurred_at_ms = 0;
  bool posted = false;  // in a batch Odoo booked
  // Booked by a transfer Odoo expected (received into it, or confirming it):
  // that transfer's id; Odoo knows such a move by the transfer, not by EDGE:<id>.
  std::int64_t transfer = 0;
};

struct ReconcileInput {
  std::vector<storage::StockLine> local;
  std::vector<OdooQuant> odoo;
  std::vector<OdooBooking> bookings;
  std::vector<LedgerMove> moves;                        // every move of the ledger meant for Odoo
  std::map<std::int64_t, std::string> transfer_states;  // the state in Odoo of each LedgerMove::transfer
  std::int64_t now_ms = 0;
  std::int64_t waiting_threshold_ms = 24 * 3'600'000LL;
};

struct StockRow {
  storage::LocationCode location;
  std::string product_key;
  std::string lot;
  storage::Quantity odoo;
  storage::Quantity baseline;
  storage::Quantity pending;
  bool held_here = false;  // the ledger has this line (else only Odoo has: never scanned here)
  [[nodiscard]] bool differs() const { return held_here && odoo != baseline; }
};

struct ReconcileReport {
  std::vector<StockRow> stock;  // every line either side holds
  std::vector<std::string> twice;
  std::vector<std::string> missing;
  std::vector<std::string> unknown;
  std::vector<LedgerMove> waiting;
  std::vector<LedgerMove> late;
  [[nodiscard]] bool loud() const { return !twice.empty() || !missing.empty(); }
  [[nodiscard]] std::int64_t drifted() const;
};

ReconcileReport reconcile(const ReconcileInput& input);

// Reads both sides: Odoo's quants at the site's locations (code -> Odoo id)
// and its done EDGE: moves there; the ledger's stock, the moves it posted and
// those still waiting. Not ok: why Odoo could not be read.
std::expected<ReconcileInput, OdooReply> read_for_reconcile(OdooClient& odoo, storage::Ledger& ledger,
                                                            const std::map<std::string, std::int64_t>& locations,
                                                            std::int64_t now_ms);

// The report for people (a table) and for programs (JSON text).
std::string report_text(const ReconcileReport& report);
std::string report_json(const ReconcileReport& report);

// "2026-11" of a Unix time (UTC): the accounting month.
std::string month_of(std::int64_t unix_ms);

}  // namespace edgestock::sync
