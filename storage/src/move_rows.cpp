#include "move_rows.hpp"

namespace edgestock::storage {

std::string select_moves(const char* where_and_order) {
  return std::string("SELECT ") + kMoveColumns + " FROM moves " + where_and_order;
}

Move read_move(const sqlite::Statement& row, int c) {
  Move move;
  move.seq = Seq{row.column_int(c + 0)};
  move.id = MoveId::parse(row.column_text(c + 1)).value_or(MoveId{});
  move.terminal = TerminalId(row.column_text(c + 2));
  move.site = SiteId(row.column_text(c + 3));
  move.occurred_at_ms = row.column_int(c + 4);
  auto& r = move.request;
  r.kind = parse_move_kind(row.column_text(c + 5)).value_or(MoveKind::adjust);
  r.product.odoo_id = row.column_optional_int(c + 6);
  r.product.gtin = row.column_text(c + 7);
  r.product.code = row.column_text(c + 8);
  r.lot = row.column_text(c + 9);
  r.expiry = row.column_text(c + 10);
  r.serial = row.column_text(c + 11);
  r.qty = Quantity::micros(row.column_int(c + 12));
  r.uom = UnitOfMeasure(row.column_text(c + 13));
  r.from = LocationCode(row.column_text(c + 14));
  r.to = LocationCode(row.column_text(c + 15));
  r.operator_id = OperatorId(row.column_text(c + 16));
  r.reason = row.column_text(c + 17);
  r.cost_centre = row.column_text(c + 18);
  r.encounter = row.column_text(c + 19);
  if (auto reversed = MoveId::parse(row.column_text(c + 20))) r.reverses = *reversed;
  r.raw = row.column_text(c + 21);
  if (auto counted = row.column_optional_int(c + 22)) r.counted = Quantity::micros(*counted);
  if (auto expected = row.column_optional_int(c + 23)) r.expected = Quantity::micros(*expected);
  r.clock_suspect = row.column_int(c + 24) != 0;
  r.occurred_at_ms = move.occurred_at_ms;
  return move;
}

void insert_move(Database& database, const Move& move, std::int64_t recorded_at_ms) {
  const auto& r = move.request;
  auto& insert = database.cached(
      "INSERT INTO moves(seq, id, terminal, site, occurred_at_ms, recorded_at_ms, kind, "
      "product_key, product_odoo_id, product_gtin, product_code, lot, expiry, serial, qty_micros, "
      "uom, from_location, to_location, operator, reason, cost_centre, encounter, reverses, raw, "
      "counted_micros, expected_micros, clock_suspect) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
      "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)");
  insert.bind(1, move.seq.value)
      .bind(2, move.id.str())
      .bind(3, move.terminal.str())
      .bind(4, move.site.str())
      .bind(5, move.occurred_at_ms)
      .bind(6, recorded_at_ms)
      .bind(7, to_string(r.kind))
      .bind(8, r.product.key())
      .bind(9, r.product.odoo_id)
      .bind(10, r.product.gtin)
      .bind(11, r.product.code)
      .bind_text(12, r.lot)
      .bind(13, r.expiry)
      .bind(14, r.serial)
      .bind(15, r.qty.as_micros())
      .bind(16, r.uom.str())
      .bind(17, r.from.str())
      .bind(18, r.to.str())
      .bind(19, r.operator_id.str())
      .bind(20, r.reason)
      .bind(21, r.cost_centre)
      .bind(22, r.encounter)
      .bind(23, r.reverses.str())
      .bind(24, r.raw);
  if (r.counted) insert.bind(25, r.counted->as_micros());
  if (r.expected) insert.bind(26, r.expected->as_micros());
  insert.bind(27, std::int64_t{r.clock_suspect ? 1 : 0});
  insert.run();
}

}  // namespace edgestock::storage
