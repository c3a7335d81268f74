// Receiving into a transfer Odoo expects (Operation::receive): what arrived is
// written into that transfer and it is validated. Every write sets a quantity
// (never adds one), so a round that is repeated after an unknown outcome
// writes the same values again and creates nothing twice.
#include <map>
#include <set>
#include <tuple>

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
using odoo_json::number_of;
using odoo_json::parsed;
using odoo_json::quantity_of;
using odoo_json::text_of;

// What arrived of one lot of one product.
struct Arrived {
  std::int64_t lot_id = 0;
  std::string expiry;
  storage::Quantity qty;
};

// The transfer's move lines of one product, keyed by lot name ("" without a lot).
struct OdooLine {
  std::int64_t id = 0;
  std::string lot;
  storage::Quantity qty;
};

}  // namespace

OdooPoster::Step OdooPoster::send_receive(const storage::PostingBatch& batch, const Posting& posting,
                                          PostRound& round) {
  const std::int64_t picking = posting.expected;
  const std::string named = posting.expected_name.empty() ? std::to_string(picking) : posting.expected_name;
  const Json where{{"domain", Json::array({Json::array({"id", "=", picking})})}, {"fields", Json::array({"state"})}};
  const auto state_reply = call("stock.picking", "search_read", where.dump(), round);
  if (!state_reply.ok()) return failed(batch, posting, 0, state_reply, round);
  const auto found = parsed(state_reply);
  if (!found.is_array() || found.empty()) {
    return permanent(batch, posting, 0, "the expected transfer " + named + " no longer exists in Odoo", round);
  }
  const auto state = text_of(found[0].value("state", Json()));
  if (state == "done") return settle(posting, picking, round);  // validated already (by an earlier try or in Odoo)
  if (state == "cancel") {
    return permanent(batch, posting, 0, "the expected transfer " + named + " was cancelled in Odoo", round);
  }
  if (auto marked = ledger_.postings().mark_sent(batch.batch_id, picking); !marked) {
    round.last_error = marked.error().message;
    return Step::stop;
  }

  // What arrived, per product and lot.
  std::map<std::int64_t, std::map<std::string, Arrived>> arrived;
  for (const auto& line : posting.lines) {
    auto& a = arrived[line.product][line.lot];
    a.qty = a.qty + line.qty;
    if (line.lot_id != 0) a.lot_id = line.lot_id;
    if (!line.expiry.empty()) a.expiry = line.expiry;
  }
  // The transfer's moves and move lines as Odoo has them now.
  const Json in_picking = Json::array({Json::array({"picking_id", "=", picking})});
  const auto moves_reply =
      call("stock.move", "search_read",
           Json{{"domain", in_picking}, {"fields", Json::array({"product_id", "state"})}}.dump(), round);
  if (!moves_reply.ok()) return failed(batch, posting, 0, moves_reply, round);
  const auto lines_reply = call(
      "stock.move.line", "search_read",
      Json{{"domain", in_picking}, {"fields", Json::array({"move_id", "product_id", "lot_id", "lot_name", "quantity"})}}
          .dump(),
      round);
  if (!lines_reply.ok()) return failed(batch, posting, 0, lines_reply, round);
  std::map<std::int64_t, std::int64_t> move_of;  // product -> the open move that receives it
  for (const auto& move : parsed(moves_reply)) {
    const auto move_state = text_of(move.value("state", Json()));
    const auto product = id_of(move.value("product_id", Json()));
    if (move_state != "done" && move_state != "cancel" && !move_of.contains(product)) {
      move_of[product] = id_of(move.value("id", Json()));
    }
  }
  std::map<std::int64_t, std::vector<OdooLine>> lines_of;  // product -> its lines
  for (const auto& line : parsed(lines_reply)) {
    auto lot = name_of(line.value("lot_id", Json()));
    if (lot.empty()) lot = text_of(line.value("lot_name", Json()));
    lines_of[id_of(line.value("product_id", Json()))].push_back(
        {id_of(line.value("id", Json())), lot, quantity_of(line.value("quantity", Json()))});
  }

  // Each line gets what arrived of its lot (the first line of a lot; any other
  // gets nothing); lots with no line get one on the product's move.
  std::map<std::string, std::vector<std::int64_t>> writes;  // quantity -> line ids
  Json created = Json::array();
  std::vector<std::int64_t> picked;
  for (const auto& [product, lots] : arrived) {
    const auto move = move_of.find(product);
    if (move == move_of.end()) {
      return permanent(batch, posting, 0,
                       "the expected transfer " + named + " no longer has an open move of Odoo product " +
                           std::to_string(product) + "; receive it without the transfer or check it in Odoo",
                       round);
    }
    picked.push_back(move->second);
    std::set<std::string> placed;
    for (const auto& line : lines_of[product]) {
      const auto a = lots.find(line.lot);
      storage::Quantity wanted;
      if (a != lots.end() && !placed.contains(line.lot)) {
        wanted = a->second.qty;
        placed.insert(line.lot);
      }
      if (wanted != line.qty) writes[wanted.to_string()].push_back(line.id);
    }
    for (const auto& [lot, a] : lots) {
      if (placed.contains(lot)) continue;
      Json vals{{"move_id", move->second},
                {"product_id", product},
                {"quantity", number_of(a.qty)},
                {"location_id", posting.from},
                {"location_dest_id", posting.to}};
      if (a.lot_id != 0) {
        vals["lot_id"] = a.lot_id;
      } else if (!lot.empty()) {
        vals["lot_name"] = lot;
        if (!a.expiry.empty()) vals["expiration_date"] = a.expiry + " 00:00:00";
      }
      created.push_back(vals);
    }
  }
  for (const auto& [qty, ids] : writes) {
    const Json write{{"ids", ids}, {"vals", {{"quantity", number_of(storage::Quantity::parse(qty).value())}}}};
    const auto written = call("stock.move.line", "write", write.dump(), round);
    if (!written.ok()) return failed(batch, posting, 0, written, round);
  }
  if (!created.empty()) {
    const auto made = call("stock.move.line", "create", Json{{"vals_list", created}}.dump(), round);
    if (!made.ok()) return failed(batch, posting, 0, made, round);
  }
  const auto marked = call("stock.move", "write", Json{{"ids", picked}, {"vals", {{"picked", true}}}}.dump(), round);
  if (!marked.ok()) return failed(batch, posting, 0, marked, round);

  // What is short: a backorder (Odoo's own new transfer, which the next pull
  // brings), or closed, by the site's policy.
  Json context{{"skip_backorder", true}, {"skip_expired", true}};
  if (settings_.close_short_receipts) context["picking_ids_not_to_backorder"] = Json::array({picking});
  const auto validated = call("stock.picking", "button_validate",
                              Json{{"ids", Json::array({picking})}, {"context", context}}.dump(), round);
  if (!validated.ok()) return failed(batch, posting, 0, validated, round);
  if (const auto result = parsed(validated); posting_wire::is_wizard(result)) {
    return permanent(batch, posting, 0,
                     "Odoo asked for the " + text_of(result["res_model"]) + " wizard instead of booking " + named,
                     round);
  }
  return settle(posting, picking, round);
}

}  // namespace edgestock::sync
