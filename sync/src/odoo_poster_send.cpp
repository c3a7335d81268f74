// Sending one posting batch to Odoo, and what its outcome does to the ledger.
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/postings.hpp"
#include "edgestock/sync/odoo_poster.hpp"
#include "odoo_json.hpp"
#include "posting_wire.hpp"

namespace edgestock::sync {
namespace {

using Json = nlohmann::json;
using odoo_json::id_of;
using odoo_json::name_of;
using odoo_json::parsed;
using odoo_json::quantity_of;
using odoo_json::text_of;

std::string said(const OdooReply& reply) {
  return reply.error_name.empty() ? reply.message : reply.error_name + ": " + reply.message;
}

}  // namespace

OdooPoster::Step OdooPoster::send(const std::string& batch_id, PostRound& round) {
  const auto batch = ledger_.postings().batch(batch_id);
  if (!batch) {
    round.last_error = batch.error().message;
    return Step::stop;
  }
  Posting posting;
  try {
    posting = posting_wire::from_json(batch->plan);
  } catch (const std::exception& error) {
    // Only this program writes plans; one it cannot read is a defect, kept for a person.
    (void)ledger_.postings().mark_failed(batch_id, std::string("the stored posting cannot be read: ") + error.what());
    ++round.failed;
    return Step::done;
  }
  const auto booked_before = round.posted;
  Step step = Step::done;
  if (posting.operation == Operation::picking || posting.operation == Operation::scrap) {
    if (const auto stopped = create_lots(*batch, posting, round)) return *stopped;
  }
  switch (posting.operation) {
    case Operation::scrap:
      step = send_scrap(*batch, posting, round);
      break;
    case Operation::receive:
      step = send_receive(*batch, posting, round);
      break;
    case Operation::confirm:  // Odoo booked these goods at dispatch: nothing to send
      step = settle(posting, posting.expected, round);
      break;
    case Operation::picking:
      step = send_picking(*batch, posting, round);
      break;
  }
  if (round.posted > booked_before) {
    round.booked_seconds.push_back(static_cast<double>(clock_.now_ms() - batch->created_at_ms) / 1000.0);
  }
  return step;
}

// Lots Odoo does not know yet on a move that is not a receipt (the planner
// lets them through with odoo.posting.unknown_lots = create): found by name,
// else created, so that a retry after a lost answer finds the one it made
// (Odoo keeps one lot per product and name). Odoo creates a receipt's lot
// itself, from the move line's lot_name.
// Nothing when every lot is known now; else how the batch ended (a refusal
// split or failed it, a transient error stops the round).
std::optional<OdooPoster::Step> OdooPoster::create_lots(const storage::PostingBatch& batch, Posting& posting,
                                                        PostRound& round) {
  if (posting.picking_type == "incoming") return std::nullopt;
  for (auto& line : posting.lines) {
    if (line.lot.empty() || line.lot_id != 0) continue;
    const Json query{
        {"domain", Json::array({Json::array({"product_id", "=", line.product}), Json::array({"name", "=", line.lot})})},
        {"fields", Json::array({"name"})}};
    const auto found = call("stock.lot", "search_read", query.dump(), round);
    if (!found.ok()) return failed(batch, posting, 0, found, round);
    const auto rows = parsed(found);
    if (rows.is_array() && !rows.empty()) {
      line.lot_id = id_of(rows[0].value("id", Json()));
      continue;
    }
    Json vals{{"name", line.lot}, {"product_id", line.product}};
    if (!line.expiry.empty()) vals["expiration_date"] = line.expiry + " 00:00:00";
    const auto created = call("stock.lot", "create", Json{{"vals_list", Json::array({vals})}}.dump(), round);
    if (!created.ok()) return failed(batch, posting, 0, created, round);
    const auto ids = parsed(created);
    line.lot_id = ids.is_array() && !ids.empty() ? id_of(ids[0]) : id_of(ids);
    if (line.lot_id == 0) {
      return permanent(batch, posting, 0, "Odoo created lot " + line.lot + " but did not say its id", round);
    }
  }
  return std::nullopt;
}

OdooPoster::Step OdooPoster::send_picking(const storage::PostingBatch& batch, const Posting& posting,
                                          PostRound& round) {
  std::int64_t picking = batch.odoo_id;
  if (batch.state == "sent") {
    // Sent before and the outcome may be unknown (a timeout, a lost answer):
    // ask Odoo for the origin rather than create it a second time.
    const Json query{{"domain", Json::array({Json::array({"origin", "=", posting.origin})})},
                     {"fields", Json::array({"state"})},
                     {"context", {{"active_test", false}}}};
    const auto found = call("stock.picking", "search_read", query.dump(), round);
    if (!found.ok()) return failed(batch, posting, 0, found, round);
    const auto rows = parsed(found);
    if (!rows.is_array()) {
      return permanent(batch, posting, 0, "Odoo's answer to the origin search is not a list", round);
    }
    std::vector<std::pair<std::int64_t, std::string>> open;
    for (const auto& row : rows) {
      const auto state = text_of(row.value("state", Json()));
      if (state == "done") return settle(posting, id_of(row.value("id", Json())), round);
      if (state != "cancel") open.emplace_back(id_of(row.value("id", Json())), state);
    }
    if (open.size() > 1) {
      return permanent(batch, posting, 0,
                       "Odoo holds " + std::to_string(open.size()) + " open pickings with origin " + posting.origin +
                           "; nothing more is posted for them until a person checks",
                       round);
    }
    picking = open.empty() ? 0 : open.front().first;
  }
  if (picking == 0) {
    const auto type = settings_.picking_types.find(posting.picking_type);
    if (type == settings_.picking_types.end() || type->second == 0) {
      return permanent(batch, posting, 0, "no Odoo picking type is configured for " + posting.picking_type, round);
    }
    if (auto marked = ledger_.postings().mark_sent(batch.batch_id); !marked) {  // before the send: write first
      round.last_error = marked.error().message;
      return Step::stop;
    }
    const Json params{{"vals_list", Json::array({posting_wire::picking_vals(posting, type->second)})}};
    const auto created = call("stock.picking", "create", params.dump(), round);
    if (!created.ok()) return failed(batch, posting, 0, created, round);
    const auto ids = parsed(created);
    picking = ids.is_array() && !ids.empty() ? id_of(ids[0]) : id_of(ids);
    if (picking == 0) return permanent(batch, posting, 0, "Odoo created the picking but did not say its id", round);
    (void)ledger_.postings().mark_sent(batch.batch_id, picking);
  }
  // Validation is safe to repeat: a done picking books nothing again.
  const Json validate{
      {"ids", Json::array({picking})},
      {"context",
       {{"skip_backorder", true}, {"picking_ids_not_to_backorder", Json::array({picking})}, {"skip_expired", true}}}};
  const auto validated = call("stock.picking", "button_validate", validate.dump(), round);
  if (!validated.ok()) return failed(batch, posting, picking, validated, round);
  const auto result = parsed(validated);
  if (posting_wire::is_wizard(result)) {
    return permanent(batch, posting, picking,
                     "Odoo asked for the " + text_of(result["res_model"]) + " wizard instead of booking the picking",
                     round);
  }
  return settle(posting, picking, round);
}

OdooPoster::Step OdooPoster::send_scrap(const storage::PostingBatch& batch, const Posting& posting, PostRound& round) {
  const auto& line = posting.lines.front();
  std::int64_t scrap = batch.odoo_id;
  if (batch.state == "sent") {
    const Json query{{"domain", Json::array({Json::array({"origin", "=", posting.origin})})},
                     {"fields", Json::array({"state"})}};
    const auto found = call("stock.scrap", "search_read", query.dump(), round);
    if (!found.ok()) return failed(batch, posting, 0, found, round);
    for (const auto& row : parsed(found)) {
      if (text_of(row.value("state", Json())) == "done") return settle(posting, id_of(row.value("id", Json())), round);
      scrap = id_of(row.value("id", Json()));
    }
  }
  if (scrap == 0) {
    if (auto marked = ledger_.postings().mark_sent(batch.batch_id); !marked) {
      round.last_error = marked.error().message;
      return Step::stop;
    }
    Json vals{{"product_id", line.product},
              {"scrap_qty", odoo_json::number_of(line.qty)},
              {"location_id", posting.from},
              {"scrap_location_id", posting.to},
              {"origin", posting.origin}};
    if (line.lot_id != 0) vals["lot_id"] = line.lot_id;
    if (line.uom != 0) vals["product_uom_id"] = line.uom;
    const auto created = call("stock.scrap", "create", Json{{"vals_list", Json::array({vals})}}.dump(), round);
    if (!created.ok()) return failed(batch, posting, 0, created, round);
    const auto ids = parsed(created);
    scrap = ids.is_array() && !ids.empty() ? id_of(ids[0]) : id_of(ids);
    (void)ledger_.postings().mark_sent(batch.batch_id, scrap);
  }
  auto validated = call("stock.scrap", "action_validate", Json{{"ids", Json::array({scrap})}}.dump(), round);
  if (validated.ok() && posting_wire::is_wizard(parsed(validated))) {
    // Too little in Odoo's books: the scrap happened on the shelf, so it is
    // booked anyway, as the wizard's button does.
    validated = call("stock.scrap", "do_scrap", Json{{"ids", Json::array({scrap})}}.dump(), round);
  }
  if (!validated.ok()) return failed(batch, posting, 0, validated, round);
  return settle(posting, scrap, round);
}

OdooPoster::Step OdooPoster::settle(const Posting& posting, std::int64_t odoo_id, PostRound& round) {
  // The store-side locations the posting touched, and their codes.
  std::map<std::int64_t, std::string> code_of;
  for (const auto& [code, id] : site_.locations) code_of[id] = code;
  std::set<std::int64_t> locations;
  for (const auto id : {posting.from, posting.to}) {
    if (code_of.contains(id)) locations.insert(id);
  }
  std::set<std::int64_t> products;
  for (const auto& line : posting.lines) products.insert(line.product);
  // Each touched (location, product, lot) gets its baseline: what Odoo's quants
  // say now, or zero where Odoo holds none (it deletes empty quants).
  using Key = std::tuple<std::int64_t, std::int64_t, std::string>;
  std::map<Key, storage::Quantity> read;
  for (const auto location : locations) {
    for (const auto& line : posting.lines) read[{location, line.product, line.lot}] = storage::Quantity{};
  }
  if (!locations.empty()) {
    const Json query{{"domain", Json::array({Json::array({"product_id", "in", products}),
                                             Json::array({"location_id", "in", locations})})},
                     {"fields", Json::array({"product_id", "location_id", "lot_id", "quantity"})}};
    const auto quants = call("stock.quant", "search_read", query.dump(), round);
    if (!quants.ok()) {
      // Booked in Odoo, not yet settled here: the batch stays open and the
      // next round finds it done by its origin.
      round.retry_later = true;
      round.last_error = said(quants);
      return Step::stop;
    }
    for (const auto& row : parsed(quants)) {
      const Key key{id_of(row.value("location_id", Json())), id_of(row.value("product_id", Json())),
                    name_of(row.value("lot_id", Json()))};
      if (!read.contains(key)) continue;
      read[key] = read[key] + quantity_of(row.value("quantity", Json()));
    }
  }
  std::vector<storage::Ledger::Baseline> baselines;
  for (const auto& [key, quantity] : read) {
    const auto product = ledger_.catalogue().product_by_id(std::get<1>(key));
    if (!product) continue;  // not in the catalogue: the next pull brings its baseline
    baselines.push_back({storage::LocationCode(code_of[std::get<0>(key)]), storage::stock_key(*product),
                         std::get<2>(key), product->uom, quantity});
  }
  const auto settled = ledger_.settle_posting(posting.batch_id, odoo_id, baselines, clock_.now_ms());
  if (!settled) {
    round.last_error = settled.error().message;
    return Step::stop;
  }
  ++round.posted;
  return Step::done;
}

OdooPoster::Step OdooPoster::failed(const storage::PostingBatch& batch, const Posting& posting, std::int64_t picking,
                                    const OdooReply& reply, PostRound& round) {
  return reply.outcome == OdooOutcome::transient ? transient(batch.batch_id, reply, round)
                                                 : permanent(batch, posting, picking, said(reply), round);
}

OdooPoster::Step OdooPoster::transient(const std::string& batch_id, const OdooReply& reply, PostRound& round) {
  round.retry_later = true;
  round.last_error = said(reply);
  const auto wait = backoff_.next(0.5 + 0.5 * static_cast<double>(clock_.now_ms() % 1000) / 1000.0);
  (void)ledger_.postings().mark_retry(batch_id, round.last_error, clock_.now_ms() + wait.count());
  return Step::retry;
}

OdooPoster::Step OdooPoster::permanent(const storage::PostingBatch& batch, const Posting& posting, std::int64_t picking,
                                       const std::string& reason, PostRound& round) {
  if (picking != 0) {
    // The picking was created but will not be booked: cancel it, so that
    // nothing is left open and its moves can be posted again alone.
    const auto cancelled = call("stock.picking", "action_cancel", Json{{"ids", Json::array({picking})}}.dump(), round);
    if (!cancelled.ok()) {
      return transient(batch.batch_id, cancelled, round);
    }
  }
  // A transfer is received in one piece: its scans go to the queue together.
  if (posting.lines.size() > 1 && posting.operation != Operation::receive) {
    (void)ledger_.postings().mark_split(batch.batch_id, reason);
    ++round.split;
  } else {
    (void)ledger_.postings().mark_failed(batch.batch_id, "Odoo refused this move: " + reason);
    ++round.failed;
  }
  return Step::done;
}

}  // namespace edgestock::sync
