#pragma once
// Which alerts hold right now, from facts the agent gathers: a pure function,
// and a tracker that turns "holds now" into "newly raised" so each condition
// is announced once, and again only after it cleared.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"

namespace edgestock::sync {

struct AlertFacts {
  std::vector<storage::StockLine> stock;
  std::vector<storage::ReorderPoint> reorder_points;
  std::vector<storage::ExpiringLot> expiring_lots;  // expiring by the warning date
  std::string today;                                // YYYY-MM-DD
  std::int64_t backlog = 0;
  std::int64_t backlog_threshold = 0;
  std::vector<storage::ExceptionItem> exceptions;  // open ones: an alert each
  std::int64_t database_bytes = 0;
  std::int64_t database_budget = 0;  // 0: no budget
};

struct Alert {
  std::string kind;  // backlog, below_reorder_point, expiry_near, expired_lot, sync_exception, database_size
  std::string key;   // identifies the condition, e.g. "reorder|WARD3|gtin:05012345670010"
  std::string message;
};

std::vector<Alert> evaluate_alerts(const AlertFacts& facts);

class AlertTracker {
 public:
  // The alerts among `now` that did not hold at the previous call.
  std::vector<Alert> raised(const std::vector<Alert>& now);

 private:
  std::set<std::string> active_;
};

}  // namespace edgestock::sync
