// The transfers Odoo expects into the site's locations, for receiving offline
// against them (DESIGN.md, "receipt of an expected delivery").
#include <map>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/ledger.hpp"
#include "odoo_json.hpp"
#include "odoo_reader.hpp"

namespace edgestock::sync {
namespace {

using odoo_json::id_of;
using odoo_json::name_of;
using odoo_json::quantity_of;
using odoo_json::text_of;

constexpr Field kPickingFields[] = {{"name", Kind::text},
                                    {"state", Kind::text},
                                    {"origin", Kind::text},
                                    {"location_id", Kind::many2one},
                                    {"location_dest_id", Kind::many2one},
                                    {"scheduled_date", Kind::text},
                                    {"date_done", Kind::text}};
constexpr Field kMoveFields[] = {{"picking_id", Kind::many2one},
                                 {"product_id", Kind::many2one},
                                 {"product_uom_qty", Kind::number},
                                 {"state", Kind::text}};
constexpr Field kMoveLineFields[] = {
    {"move_id", Kind::many2one}, {"lot_id", Kind::many2one}, {"lot_name", Kind::text}, {"quantity", Kind::number}};

struct MoveRead {
  std::int64_t picking = 0;
  std::int64_t product = 0;
  storage::Quantity demand;
  std::vector<storage::ExpectedLine> lots;  // from its move lines
};

}  // namespace

bool pull_expected(Puller& puller, storage::Ledger& ledger, const std::vector<std::int64_t>& location_ids,
                   const PullScope& scope, PullReport& report) {
  // Open (confirmed, waiting, assigned), or done recently. Odoo's own
  // pickings made by this agent (origin EDGE:...) are not expected of anyone.
  Json domain = Json::array({Json::array({"location_dest_id", "in", location_ids})});
  const Json open = Json::array({"state", "in", Json::array({"confirmed", "waiting", "assigned"})});
  if (scope.now_ms > 0) {
    const auto since = storage::odoo_datetime(scope.now_ms - std::chrono::milliseconds(scope.done_window).count());
    domain.push_back("|");
    domain.push_back(open);
    domain.push_back("&");
    domain.push_back(Json::array({"state", "=", "done"}));
    domain.push_back(Json::array({"date_done", ">=", since}));
  } else {
    domain.push_back(open);
  }
  std::map<std::int64_t, storage::ExpectedTransfer> transfers;
  if (!puller.read_all(
          "stock.picking", domain, kPickingFields,
          [&](const Json& row) {
            if (text_of(row["origin"]).starts_with("EDGE:")) return;
            const auto id = row["id"].get<std::int64_t>();
            transfers[id] = {id,
                             text_of(row["name"]),
                             text_of(row["state"]),
                             id_of(row["location_id"]),
                             id_of(row["location_dest_id"]),
                             text_of(row["scheduled_date"]),
                             text_of(row["date_done"]),
                             {}};
          },
          scope.page_size)) {
    return false;
  }
  std::vector<std::int64_t> ids;
  ids.reserve(transfers.size());
  for (const auto& [id, transfer] : transfers) ids.push_back(id);
  std::map<std::int64_t, MoveRead> moves;
  if (!ids.empty()) {
    const Json in_pickings = Json::array({Json::array({"picking_id", "in", ids})});
    const bool read =
        puller.read_all(
            "stock.move", in_pickings, kMoveFields,
            [&](const Json& row) {
              if (text_of(row["state"]) == "cancel") return;
              moves[row["id"].get<std::int64_t>()] = {
                  id_of(row["picking_id"]), id_of(row["product_id"]), quantity_of(row["product_uom_qty"]), {}};
            },
            scope.page_size) &&
        puller.read_all(
            "stock.move.line", in_pickings, kMoveLineFields,
            [&](const Json& row) {
              const auto move = moves.find(id_of(row["move_id"]));
              if (move == moves.end()) return;
              auto lot = name_of(row["lot_id"]);
              if (lot.empty()) lot = text_of(row["lot_name"]);
              move->second.lots.push_back({move->first, move->second.product, lot, quantity_of(row["quantity"])});
            },
            scope.page_size);
    if (!read) return false;
  }
  // Each move: its lots as Odoo chose them (reserved, or done), and what of
  // its demand no line covers yet, with no lot.
  for (auto& [id, move] : moves) {
    auto& transfer = transfers[move.picking];
    storage::Quantity covered;
    for (auto& line : move.lots) {
      if (line.qty <= storage::Quantity{}) continue;
      covered = covered + line.qty;
      transfer.lines.push_back(line);
    }
    if (!transfer.done() && move.demand > covered) {
      transfer.lines.push_back({id, move.product, "", move.demand - covered});
    } else if (transfer.done() && move.lots.empty()) {
      transfer.lines.push_back({id, move.product, "", move.demand});
    }
  }
  std::vector<storage::ExpectedTransfer> kept;
  for (auto& [id, transfer] : transfers) {
    if (!transfer.lines.empty()) kept.push_back(std::move(transfer));
  }
  if (auto written = ledger.catalogue().replace_expected(kept); !written) {
    report.failure = {OdooOutcome::transient, {}, "ledger", written.error().message};
    return false;
  }
  report.expected_transfers = static_cast<std::int64_t>(kept.size());
  return true;
}

}  // namespace edgestock::sync
