#pragma once
// The poster's wire forms: a posting as the ledger keeps it (JSON text, so a
// restart sends exactly what was fixed) and as Odoo is sent it (the values of
// stock.picking.create). Pure.

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "edgestock/storage/dates.hpp"
#include "edgestock/sync/posting_plan.hpp"
#include "odoo_json.hpp"

namespace edgestock::sync::posting_wire {

using Json = nlohmann::json;
using odoo_json::number_of;

// -- the plan as the ledger keeps it

inline Json to_json(const Posting& p) {
  Json lines = Json::array();
  for (const auto& l : p.lines) {
    lines.push_back({{"move", l.move.str()},
                     {"origin", l.origin},
                     {"product", l.product},
                     {"qty", l.qty.to_string()},
                     {"lot", l.lot},
                     {"lot_id", l.lot_id},
                     {"expiry", l.expiry},
                     {"at", l.occurred_at_ms}});
  }
  return {{"batch", p.batch_id},
          {"origin", p.origin},
          {"operation", p.operation == Operation::scrap ? "scrap" : "picking"},
          {"type", p.picking_type},
          {"from", p.from},
          {"to", p.to},
          {"cost_centre", p.cost_centre},
          {"lines", lines}};
}

inline Posting from_json(const std::string& text) {
  const auto j = Json::parse(text);
  Posting p{j.at("batch").get<std::string>(),
            j.at("origin").get<std::string>(),
            j.at("operation") == "scrap" ? Operation::scrap : Operation::picking,
            j.at("type").get<std::string>(),
            j.at("from").get<std::int64_t>(),
            j.at("to").get<std::int64_t>(),
            j.at("cost_centre").get<std::string>(),
            {}};
  for (const auto& l : j.at("lines")) {
    const auto move = storage::MoveId::parse(l.at("move").get<std::string>());
    if (!move) throw std::invalid_argument("a line names no move id");
    p.lines.push_back({*move, l.at("origin").get<std::string>(), l.at("product").get<std::int64_t>(),
                       storage::Quantity::parse(l.at("qty").get<std::string>()).value(), l.at("lot").get<std::string>(),
                       l.at("lot_id").get<std::int64_t>(), l.at("expiry").get<std::string>(),
                       l.at("at").get<std::int64_t>()});
  }
  return p;
}

// -- what Odoo is sent

inline Json move_vals(const Posting& p, const PostingLine& l) {
  Json vals{{"product_id", l.product},      {"product_uom_qty", number_of(l.qty)},
            {"quantity", number_of(l.qty)}, {"picked", true},
            {"origin", l.origin},           {"location_id", p.from},
            {"location_dest_id", p.to},     {"name", "EDGE " + storage::rfc3339_ms(l.occurred_at_ms)}};
  if (!l.lot.empty()) {
    Json line{{"quantity", number_of(l.qty)}, {"location_id", p.from}, {"location_dest_id", p.to}};
    if (l.lot_id != 0) {
      line["lot_id"] = l.lot_id;
    } else {
      line["lot_name"] = l.lot;  // a receipt's new lot: created by name
      if (!l.expiry.empty()) line["expiration_date"] = l.expiry + " 00:00:00";
    }
    vals["move_line_ids"] = Json::array({Json::array({0, 0, line})});
  }
  return vals;
}

inline Json picking_vals(const Posting& p, std::int64_t type_id) {
  Json moves = Json::array();
  std::int64_t first = 0;
  for (const auto& l : p.lines) {
    moves.push_back(Json::array({0, 0, move_vals(p, l)}));
    if (first == 0 || l.occurred_at_ms < first) first = l.occurred_at_ms;
  }
  // Odoo stamps the validation time as the done date; the scheduled date
  // keeps when the first of these moves really happened.
  return {{"picking_type_id", type_id}, {"location_id", p.from}, {"location_dest_id", p.to},
          {"origin", p.origin},         {"move_ids", moves},     {"scheduled_date", storage::odoo_datetime(first)}};
}

inline bool is_wizard(const Json& result) {
  return result.is_object() && result.contains("res_model");
}

}  // namespace edgestock::sync::posting_wire
