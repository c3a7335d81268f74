#include "edgestock/sync/alerts.hpp"

#include <map>

namespace edgestock::sync {

std::vector<Alert> evaluate_alerts(const AlertFacts& facts) {
  std::vector<Alert> alerts;
  if (facts.backlog_threshold > 0 && facts.backlog > facts.backlog_threshold) {
    alerts.push_back({"backlog", "backlog",
                      std::to_string(facts.backlog) + " stock events wait to be sent (alert at " +
                          std::to_string(facts.backlog_threshold) + ")"});
  }
  // One per exception, so each new one is announced (with what to run) and
  // none hides behind an older one.
  for (const auto& e : facts.exceptions) {
    alerts.push_back({"sync_exception", "exception|" + std::to_string(e.id),
                      "move #" + std::to_string(e.seq.value) + " could not be posted to " + e.destination + ": " +
                          e.reason + " (edgestock exceptions show " + std::to_string(e.id) + ")"});
  }
  if (facts.database_budget > 0 && facts.database_bytes > facts.database_budget) {
    alerts.push_back({"database_size", "database_size",
                      "the ledger uses " + std::to_string(facts.database_bytes) + " bytes, over its budget of " +
                          std::to_string(facts.database_budget)});
  }

  // On hand per (location, product), all lots together, for reorder points.
  std::map<std::pair<std::string, std::string>, storage::Quantity> on_hand;
  for (const auto& line : facts.stock) on_hand[{line.location.str(), line.product_key}] += line.on_hand();
  for (const auto& point : facts.reorder_points) {
    const std::string key = storage::stock_key(point.product);
    const auto found = on_hand.find({point.location.str(), key});
    const storage::Quantity have = found == on_hand.end() ? storage::Quantity{} : found->second;
    if (have < point.minimum) {
      alerts.push_back({"below_reorder_point", "reorder|" + point.location.str() + "|" + key,
                        point.product.name + " at " + point.location.str() + ": " + have.to_string() + " " +
                            point.product.uom.str() + " on hand, reorder point " + point.minimum.to_string()});
    }
  }

  for (const auto& lot : facts.expiring_lots) {
    const std::string key = storage::stock_key(lot.product);
    for (const auto& line : facts.stock) {
      if (line.product_key != key || line.lot != lot.lot || line.on_hand() <= storage::Quantity{}) continue;
      const bool expired = lot.expiry < facts.today;
      alerts.push_back(
          {expired ? "expired_lot" : "expiry_near", "expiry|" + line.location.str() + "|" + key + "|" + lot.lot,
           lot.product.name + " lot " + lot.lot + (expired ? " expired on " : " expires on ") + lot.expiry + ": " +
               line.on_hand().to_string() + " " + line.uom.str() + " at " + line.location.str()});
    }
  }
  return alerts;
}

std::vector<Alert> AlertTracker::raised(const std::vector<Alert>& now) {
  std::set<std::string> holding;
  std::vector<Alert> fresh;
  for (const auto& alert : now) {
    holding.insert(alert.key);
    if (!active_.contains(alert.key)) fresh.push_back(alert);
  }
  active_ = std::move(holding);
  return fresh;
}

}  // namespace edgestock::sync
