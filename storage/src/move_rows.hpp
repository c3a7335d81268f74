#pragma once
// Moves to and from rows of the `moves` table.

#include <string>

#include "database.hpp"

namespace edgestock::storage {

// The columns read_move() expects, in order, for "SELECT <kMoveColumns> FROM moves".
inline constexpr const char* kMoveColumns =
    "seq, id, terminal, site, occurred_at_ms, kind, product_odoo_id, product_gtin, product_code, "
    "lot, expiry, serial, qty_micros, uom, from_location, to_location, operator, reason, "
    "cost_centre, encounter, reverses, raw, counted_micros, expected_micros, clock_suspect";

Move read_move(const sqlite::Statement& row, int first_column = 0);
void insert_move(Database& database, const Move& move, std::int64_t recorded_at_ms);
std::string select_moves(const char* where_and_order);

}  // namespace edgestock::storage
