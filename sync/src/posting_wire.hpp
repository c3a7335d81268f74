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

inline const char* operation_name(Operation operation) {
  switch (operation) {
    case Operation::picking:
      return "picking";
    case Operation::scrap:
      return "scrap";
    case Operation::receive:
      return "receive";
    case Operation::confirm:
      return "confirm";
  }
  return "picking";
}

inline Operation operation_named(const std::string& name) {
  for (const auto op : {Operation::picking, Operation::scrap, Operation::receive, Operation::confirm}) {
    if (name == operation_name(op)) return op;
  }
  throw std::invalid_argument("unknown operation " + name);
}

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
                     {"at", l.occurred_at_ms},
                     {"uom", l.uom}});
  }
  return {{"batch", p.batch_id},
          {"origin", p.origin},
          {"operation", operation_name(p.operation)},
          {"expected", p.expected},
          {"expected_name", p.expected_name},
          {"review", p.review},
          {"type", p.picking_type},
          {"from", p.from},
          {"to", p.to},
          {"cost_centre", p.cost_centre},
          {"lines", lines}};
}

inline Posting from_json(const std::string& text) {
  const auto j = Json::parse(text);
  Posting p;
  p.batch_id = j.at("batch").get<std::string>();
  p.origin = j.at("origin").get<std::string>();
  p.operation = operation_named(j.at("operation").get<std::string>());
  p.picking_type = j.at("type").get<std::string>();
  p.from = j.at("from").get<std::int64_t>();
  p.to = j.at("to").get<std::int64_t>();
  p.cost_centre = j.at("cost_centre").get<std::string>();
  p.expected = j.value("expected", std::int64_t{0});
  p.expected_name = j.value("expected_name", std::string());
  p.review = j.value("review", false);
  for (const auto& l : j.at("lines")) {
    const auto move = storage::MoveId::parse(l.at("move").get<std::string>());
    if (!move) throw std::invalid_argument("a line names no move id");
    p.lines.push_back({*move, l.at("origin").get<std::string>(), l.at("product").get<std::int64_t>(),
                       storage::Quantity::parse(l.at("qty").get<std::string>()).value(), l.at("lot").get<std::string>(),
                       l.at("lot_id").get<std::int64_t>(), l.at("expiry").get<std::string>(),
                       l.at("at").get<std::int64_t>(), l.value("uom", std::int64_t{0})});
  }
  return p;
}

// -- what Odoo is sent

inline Json move_vals(const Posting& p, const PostingLine& l) {
  Json vals{{"product_id", l.product},      {"product_uom_qty", number_of(l.qty)},
            {"quantity", number_of(l.qty)}, {"picked", true},
            {"origin", l.origin},           {"location_id", p.from},
            {"location_dest_id", p.to},     {"name", "EDGE " + storage::rfc3339_ms(l.occurred_at_ms)}};
  if (l.uom != 0) vals["product_uom"] = l.uom;  // recorded before Odoo changed the product's unit
  if (!l.lot.empty()) {
    Json line{{"quantity", number_of(l.qty)}, {"location_id", p.from}, {"location_dest_id", p.to}};
    if (l.uom != 0) line["product_uom_id"] = l.uom;
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
  Json vals{{"picking_type_id", type_id}, {"location_id", p.from}, {"location_dest_id", p.to},
            {"origin", p.origin},         {"move_ids", moves},     {"scheduled_date", storage::odoo_datetime(first)}};
  if (p.review) {
    vals["note"] = "Received at the store with no transfer expected in Odoo (edgestock): please review.";
  }
  return vals;
}

inline bool is_wizard(const Json& result) {
  return result.is_object() && result.contains("res_model");
}

}  // namespace edgestock::sync::posting_wire
