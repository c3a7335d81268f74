#include "edgestock/sync/posting_plan.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "edgestock/sync/receipt_match.hpp"

namespace edgestock::sync {
namespace {

using storage::MoveKind;
using storage::Quantity;

// Where one move goes in Odoo.
struct Route {
  Operation operation = Operation::picking;
  std::string picking_type;
  std::int64_t from = 0;
  std::int64_t to = 0;
  std::string cost_centre;
  Quantity qty;  // positive
};

using Routed = std::expected<Route, std::string>;

std::expected<std::int64_t, std::string> location(const OdooSite& site, const storage::LocationCode& code) {
  if (code.str().empty()) return std::unexpected("the move names no location");
  const auto found = site.locations.find(code.str());
  if (found == site.locations.end() || found->second == 0) {
    return std::unexpected("location " + code.str() + " is not known in Odoo (not in the catalogue)");
  }
  return found->second;
}

std::expected<std::int64_t, std::string> consumption(const OdooSite& site, const std::string& cost_centre) {
  if (cost_centre.empty() || site.consumption_by_cost_centre.empty()) {
    if (site.consumption == 0) return std::unexpected("no consumption location is configured for issues");
    return site.consumption;
  }
  const auto found = site.consumption_by_cost_centre.find(cost_centre);
  if (found == site.consumption_by_cost_centre.end()) {
    return std::unexpected("cost centre " + cost_centre + " has no consumption location in Odoo");
  }
  return found->second;
}

Quantity magnitude(Quantity q) {
  return q.is_negative() ? -q : q;
}

Routed picking(std::string type, std::expected<std::int64_t, std::string> from,
               std::expected<std::int64_t, std::string> to, std::string cost_centre, Quantity qty) {
  if (!from) return std::unexpected(from.error());
  if (!to) return std::unexpected(to.error());
  return Route{Operation::picking, std::move(type), *from, *to, std::move(cost_centre), magnitude(qty)};
}

Routed route_of(const storage::Move& move, const OdooSite& site) {
  const auto& r = move.request;
  switch (r.kind) {
    case MoveKind::receipt:
      if (site.supplier == 0) return std::unexpected("no supplier location is configured for receipts");
      return picking("incoming", site.supplier, location(site, r.to), {}, r.qty);
    case MoveKind::issue:
      return picking("outgoing", location(site, r.from), consumption(site, r.cost_centre), r.cost_centre, r.qty);
    case MoveKind::transfer:
      return picking("internal", location(site, r.from), location(site, r.to), {}, r.qty);
    case MoveKind::count:
    case MoveKind::adjust: {
      if (site.inventory_loss == 0) return std::unexpected("no inventory-loss location is configured");
      const auto store = location(site, r.to);
      return r.qty.is_negative() ? picking("internal", store, site.inventory_loss, {}, r.qty)
                                 : picking("internal", site.inventory_loss, store, {}, r.qty);
    }
    case MoveKind::scrap: {
      if (site.scrap == 0) return std::unexpected("no scrap location is configured");
      auto routed = picking("internal", location(site, r.from), site.scrap, {}, r.qty);
      if (routed) routed->operation = Operation::scrap;
      return routed;
    }
    case MoveKind::return_to_store:
      return picking("internal", consumption(site, r.cost_centre), location(site, r.to), r.cost_centre, r.qty);
    case MoveKind::reversal:
      break;
  }
  // A reversal books the opposite of the move it reverses.
  const auto original = site.original ? site.original(r.reverses) : std::nullopt;
  if (!original) return std::unexpected("it reverses move " + r.reverses.str() + ", which this ledger does not hold");
  if (original->request.kind == MoveKind::reversal) return std::unexpected("a reversal of a reversal is not posted");
  auto routed = route_of(*original, site);
  if (!routed) return routed;
  std::swap(routed->from, routed->to);
  routed->operation = Operation::picking;  // a scrap undone is a move back from the scrap location
  routed->picking_type = "internal";
  return routed;
}

Posting posting_for(const std::string& batch_id, Operation operation, const Route& route) {
  Posting posting;
  posting.batch_id = batch_id;
  posting.origin = "EDGE:" + batch_id;
  posting.operation = operation;
  posting.picking_type = route.picking_type;
  posting.from = route.from;
  posting.to = route.to;
  posting.cost_centre = route.cost_centre;
  return posting;
}

// A receipt to match against what Odoo expects, with the route it takes when nothing does.
struct Receipt {
  ReceivedScan scan;
  PostingLine line;
  Route route;
};

// Receipts matched to the transfers Odoo expects, grouped per transfer, each
// group posted once it is complete or quiet (ReceiptRules).
void plan_expected(std::vector<Receipt>& receipts, const OdooSite& site, PostingPlan& plan,
                   const std::function<void(const Route&, PostingLine)>& no_expected) {
  const auto& rules = site.receipts;
  std::vector<ReceivedScan> scans;
  scans.reserve(receipts.size());
  for (const auto& r : receipts) scans.push_back(r.scan);
  const auto matches = match_receipts(scans, rules.expected, rules.done_window);
  std::map<std::int64_t, std::vector<std::size_t>> by_transfer;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    switch (matches[i].fate) {
      case ReceiptFate::no_expected:
        no_expected(receipts[i].route, std::move(receipts[i].line));
        break;
      case ReceiptFate::mismatch:
        plan.held.push_back({receipts[i].line.move, matches[i].reason});
        break;
      case ReceiptFate::into_open:
      case ReceiptFate::confirms_done:
        by_transfer[matches[i].picking].push_back(i);
        break;
    }
  }
  for (const auto& transfer : rules.expected) {
    const auto group = by_transfer.find(transfer.picking_id);
    if (group == by_transfer.end()) continue;
    std::map<std::int64_t, Quantity> wanted;
    std::map<std::int64_t, Quantity> received;
    for (const auto& line : transfer.lines) wanted[line.product_id] = wanted[line.product_id] + line.qty;
    std::int64_t last_scan = 0;
    for (const auto i : group->second) {
      received[scans[i].product] = received[scans[i].product] + scans[i].qty;
      last_scan = std::max(last_scan, scans[i].occurred_at_ms);
    }
    bool complete = true;
    for (const auto& [product, qty] : wanted) complete = complete && received[product] >= qty;
    if (!complete && rules.now_ms - last_scan < rules.quiet.count()) {
      for (const auto i : group->second) plan.waiting.push_back(receipts[i].line.move);
      continue;
    }
    const std::string batch_id = "receipt-" + receipts[group->second.front()].line.move.str();
    Posting posting;
    posting.batch_id = batch_id;
    posting.origin = "EDGE:" + batch_id;
    posting.operation = transfer.done() ? Operation::confirm : Operation::receive;
    posting.picking_type = "incoming";
    posting.from = transfer.from;
    posting.to = transfer.to;
    posting.expected = transfer.picking_id;
    posting.expected_name = transfer.name;
    for (const auto i : group->second) posting.lines.push_back(std::move(receipts[i].line));
    plan.postings.push_back(std::move(posting));
  }
}

}  // namespace

PostingPlan plan_postings(std::span<const storage::Move> moves, const OdooSite& site, const BatchLimits& limits) {
  PostingPlan plan;
  // The batch still open for each route: index into plan.postings, first move time.
  using Key = std::tuple<std::string, std::int64_t, std::int64_t, std::string>;
  std::map<Key, std::pair<std::size_t, std::int64_t>> open;
  auto add_to_batch = [&](const Route& route, PostingLine line) {
    const Key key{route.picking_type, route.from, route.to, route.cost_centre};
    auto found = open.find(key);
    if (found != open.end()) {
      auto& batch = plan.postings[found->second.first];
      const bool too_late = line.occurred_at_ms - found->second.second > limits.window.count();
      if (too_late || batch.lines.size() >= limits.max_lines) {
        open.erase(found);
        found = open.end();
      }
    }
    if (found == open.end()) {
      auto& posting = plan.postings.emplace_back(posting_for("batch-" + line.move.str(), Operation::picking, route));
      // A receipt no transfer expected: a person in Odoo checks it.
      posting.review = route.picking_type == "incoming";
      found = open.emplace(key, std::pair{plan.postings.size() - 1, line.occurred_at_ms}).first;
    }
    plan.postings[found->second.first].lines.push_back(std::move(line));
  };
  std::vector<Receipt> receipts;  // to match against what Odoo expects
  for (const auto& move : moves) {
    const auto& r = move.request;
    if ((r.kind == MoveKind::count || r.kind == MoveKind::adjust) && r.qty.is_zero()) {
      plan.nothing_to_post.push_back(move.id);
      continue;
    }
    auto routed = route_of(move, site);
    if (!routed) {
      plan.held.push_back({move.id, routed.error()});
      continue;
    }
    // For a reversal, the product and lot of the move it reverses (route_of found it).
    std::optional<storage::Move> reversed;
    if (r.kind == MoveKind::reversal) reversed = site.original(r.reverses);
    const storage::MoveRequest& named = reversed ? reversed->request : r;
    auto product = site.product ? site.product(named.product)
                                : std::expected<std::int64_t, std::string>(std::unexpect, "no product lookup");
    if (!product) {
      plan.held.push_back({move.id, product.error()});
      continue;
    }
    std::int64_t lot_id = 0;
    if (!named.lot.empty()) {
      auto known = site.lot ? site.lot(*product, named.lot)
                            : std::expected<std::int64_t, std::string>(std::unexpect, "no lot lookup");
      if (known) {
        lot_id = *known;
      } else if (r.kind != MoveKind::receipt && !site.create_unknown_lots) {
        plan.held.push_back({move.id, known.error()});
        continue;
      }
    }
    std::int64_t uom = 0;
    if (site.unit) {
      // A reversal is in the unit of the move it reverses: both carry r.uom.
      auto posted_in = site.unit(*product, r.uom);
      if (!posted_in) {
        plan.held.push_back({move.id, posted_in.error()});
        continue;
      }
      uom = *posted_in;
    }
    PostingLine line{move.id,      "EDGE:" + move.id.str(), *product, routed->qty, named.lot, lot_id,
                     named.expiry, move.occurred_at_ms,     uom};
    if (routed->operation == Operation::scrap) {
      auto& posting = plan.postings.emplace_back(posting_for(move.id.str(), Operation::scrap, *routed));
      posting.cost_centre.clear();
      posting.lines.push_back(std::move(line));
      continue;
    }
    if (r.kind == MoveKind::receipt && !site.receipts.expected.empty()) {
      receipts.push_back(
          {ReceivedScan{*product, named.lot, routed->qty, routed->to, move.occurred_at_ms}, std::move(line), *routed});
      continue;
    }
    add_to_batch(*routed, std::move(line));
  }
  if (!receipts.empty()) {
    plan_expected(receipts, site, plan,
                  [&](const Route& route, PostingLine line) { add_to_batch(route, std::move(line)); });
  }
  return plan;
}

}  // namespace edgestock::sync
