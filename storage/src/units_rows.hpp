#pragma once
// Units of measure for code that already holds the database lock: a stock
// line is kept in one unit, and a quantity in another unit of the same family
// is converted into it (Odoo changed the product's unit while moves waited).

#include <optional>
#include <string>

#include "database.hpp"
#include "edgestock/storage/catalogue.hpp"

namespace edgestock::storage {

// The unit of that name, when the catalogue holds exactly one.
std::optional<Unit> find_unit_locked(Database& database, const std::string& name);
// `quantity` in `from` expressed in `to`; the same quantity when the names
// agree; nothing when the units are unknown or of two families.
std::optional<Quantity> convert_locked(Database& database, Quantity quantity, const std::string& from,
                                       const std::string& to);
// The stock lines of `product_key` kept in `from` are kept in `to` from now
// on, their baseline and pending converted. Returns how many were converted;
// `left` counts those that could not be (units of two families).
struct LinesConverted {
  int converted = 0;
  int left = 0;
};
LinesConverted convert_lines_locked(Database& database, const std::string& product_key, const std::string& from,
                                    const std::string& to);

}  // namespace edgestock::storage
