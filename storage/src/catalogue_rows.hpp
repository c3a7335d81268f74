#pragma once
// Catalogue look-ups for code that already holds the database lock.

#include <optional>

#include "database.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/move.hpp"

namespace edgestock::storage {

// The catalogue's product for a move's reference (by Odoo id, then GTIN with or
// without its leading zero, then default code), if the catalogue knows it.
std::optional<Product> find_product_locked(Database& database, const ProductRef& ref);

}  // namespace edgestock::storage
