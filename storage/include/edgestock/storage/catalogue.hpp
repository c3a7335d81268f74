#pragma once
// The local copy of Odoo's master data a terminal needs offline: products,
// packaging barcodes, lots, locations and reorder rules.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "edgestock/storage/error.hpp"
#include "edgestock/storage/ids.hpp"
#include "edgestock/storage/quantity.hpp"

namespace edgestock::storage {

class Database;

struct Product {
  std::int64_t odoo_id = 0;
  std::string name;
  std::string barcode;  // GTIN as Odoo keeps it
  std::string default_code;
  UnitOfMeasure uom;
  std::string tracking = "none";  // none, lot, serial
  bool active = true;
  std::string write_date;
};

struct Packaging {
  std::string barcode;
  std::int64_t product_id = 0;
  Quantity units_per_pack;
};

struct Lot {
  std::int64_t odoo_id = 0;
  std::int64_t product_id = 0;
  std::string name;
  std::string expiry;  // YYYY-MM-DD or empty
};

struct Location {
  std::int64_t odoo_id = 0;
  LocationCode code;  // the barcode scanned at the shelf
  std::string complete_name;
  std::string usage;  // internal, customer, supplier, inventory, transit, ...
  bool active = true;
};

struct ReorderRule {
  LocationCode location;
  std::int64_t product_id = 0;
  Quantity minimum;
  Quantity maximum;
};

class Catalogue {
 public:
  explicit Catalogue(Database& database) : database_(database) {}

  std::expected<void, LedgerError> upsert(const Product& product);
  std::expected<void, LedgerError> upsert(const Packaging& packaging);
  std::expected<void, LedgerError> upsert(const Lot& lot);
  std::expected<void, LedgerError> upsert(const Location& location);
  std::expected<void, LedgerError> upsert(const ReorderRule& rule);

  [[nodiscard]] std::optional<Product> product_by_barcode(const std::string& barcode) const;
  [[nodiscard]] std::optional<Product> product_by_code(const std::string& default_code) const;
  [[nodiscard]] std::optional<Product> product_by_id(std::int64_t odoo_id) const;
  [[nodiscard]] std::optional<Packaging> packaging_by_barcode(const std::string& barcode) const;
  [[nodiscard]] std::optional<Lot> lot(std::int64_t product_id, const std::string& name) const;
  [[nodiscard]] std::optional<Location> location(const LocationCode& code) const;
  [[nodiscard]] std::vector<ReorderRule> reorder_rules(const LocationCode& location) const;

 private:
  Database& database_;
};

}  // namespace edgestock::storage
