#include "edgestock/sync/reconcile.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "edgestock/storage/dates.hpp"

namespace edgestock::sync {

std::string month_of(std::int64_t unix_ms) {
  return storage::utc_date(unix_ms).substr(0, 7);
}

std::int64_t ReconcileReport::drifted() const {
  return std::count_if(stock.begin(), stock.end(), [](const StockRow& row) { return row.differs(); });
}

ReconcileReport reconcile(const ReconcileInput& input) {
  ReconcileReport report;
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, StockRow> rows;
  for (const auto& line : input.local) {
    auto& row = rows[{line.location.str(), line.product_key, line.lot}];
    row.location = line.location;
    row.product_key = line.product_key;
    row.lot = line.lot;
    row.baseline = line.baseline;
    row.pending = line.pending;
    row.held_here = true;
  }
  for (const auto& quant : input.odoo) {
    auto& row = rows[{quant.location.str(), quant.product_key, quant.lot}];
    row.location = quant.location;
    row.product_key = quant.product_key;
    row.lot = quant.lot;
    row.odoo = row.odoo + quant.quantity;
  }
  for (auto& [key, row] : rows) report.stock.push_back(row);

  std::map<std::string, std::vector<std::int64_t>> booked;
  for (const auto& b : input.bookings) booked[b.move_id].push_back(b.booked_at_ms);
  std::set<std::string> known;
  for (const auto& move : input.moves) {
    known.insert(move.move_id);
    if (move.transfer != 0) {
      const auto state = input.transfer_states.find(move.transfer);
      if (state == input.transfer_states.end() || state->second != "done") report.missing.push_back(move.move_id);
      continue;
    }
    const auto found = booked.find(move.move_id);
    if (move.posted && found == booked.end()) report.missing.push_back(move.move_id);
    if (!move.posted && found == booked.end() && input.now_ms - move.occurred_at_ms > input.waiting_threshold_ms) {
      report.waiting.push_back(move);
    }
    if (found != booked.end() && month_of(found->second.front()) != month_of(move.occurred_at_ms)) {
      report.late.push_back(move);
    }
  }
  for (const auto& [id, times] : booked) {
    if (times.size() > 1) report.twice.push_back(id);
    if (!known.contains(id)) report.unknown.push_back(id);
  }
  return report;
}

}  // namespace edgestock::sync
