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

// One of Odoo's units of measure. Units of one family convert into each
// other: `reference` is how many of the family's reference unit one holds
// (Packs of 10: 10 Units; Dozens: 12 Units).
struct Unit {
  std::int64_t odoo_id = 0;
  UnitOfMeasure name;
  std::int64_t family = 0;
  Quantity reference;
};

// `quantity` of `from` in `to`, when both are of one family; rounded half away
// from zero to a millionth of `to` (exact when the ratio allows).
std::optional<Quantity> convert(Quantity quantity, const Unit& from, const Unit& to);

// The stock key of a catalogue product, as the projection keeps it:
// "gtin:<14 digits>" for a numeric barcode, else "code:<default code>", else "odoo:<id>".
std::string stock_key(const Product& product);

// A reorder rule with its product, ready to compare with the projection.
struct ReorderPoint {
  LocationCode location;
  Product product;
  Quantity minimum;
};

struct ExpiringLot {
  Product product;
  std::string lot;
  std::string expiry;  // YYYY-MM-DD
};

// A transfer Odoo expects into one of the site's locations: open (confirmed,
// waiting, assigned) or done recently (a one-step transfer central validated at
// dispatch). Its lines are what it moves: per Odoo move, per lot where Odoo
// has chosen lots (move lines), else the move's demand with no lot.
struct ExpectedLine {
  std::int64_t odoo_move = 0;
  std::int64_t product_id = 0;
  std::string lot;
  Quantity qty;
};

struct ExpectedTransfer {
  std::int64_t picking_id = 0;
  std::string name;   // WH/INT/00012
  std::string state;  // confirmed, waiting, assigned, done
  std::int64_t from = 0;
  std::int64_t to = 0;    // stock.location ids
  std::string scheduled;  // Odoo datetime
  std::string date_done;  // Odoo datetime, done only
  std::vector<ExpectedLine> lines;
  [[nodiscard]] bool done() const { return state == "done"; }
};

// A page of a catalogue pull, written in one transaction.
struct CatalogueBatch {
  std::vector<Unit> units;  // written first: a product's new unit converts its stock lines
  std::vector<Product> products;
  std::vector<Packaging> packagings;
  std::vector<Lot> lots;
  std::vector<Location> locations;
  std::vector<ReorderRule> reorder_rules;
};

class Catalogue {
 public:
  explicit Catalogue(Database& database) : database_(database) {}

  std::expected<void, LedgerError> upsert(const Product& product);
  std::expected<void, LedgerError> upsert(const Packaging& packaging);
  std::expected<void, LedgerError> upsert(const Lot& lot);
  std::expected<void, LedgerError> upsert(const Location& location);
  std::expected<void, LedgerError> upsert(const ReorderRule& rule);
  // All of a batch in one transaction, without an fsync of its own: the
  // catalogue is a cache that a pull can always refill.
  std::expected<void, LedgerError> upsert(const CatalogueBatch& batch);
  [[nodiscard]] std::int64_t product_count() const;
  // What Odoo expects into the site now replaces what was known, in one transaction.
  std::expected<void, LedgerError> replace_expected(const std::vector<ExpectedTransfer>& transfers);
  [[nodiscard]] std::vector<ExpectedTransfer> expected_transfers() const;

  // Small named values that belong with the catalogue (the pull's watermark).
  [[nodiscard]] std::string setting(const std::string& key) const;
  std::expected<void, LedgerError> set_setting(const std::string& key, const std::string& value);
  // A complete pull from Odoo finished now (the ledger's clock); when that last happened, 0: never.
  std::expected<void, LedgerError> mark_pulled();
  [[nodiscard]] std::int64_t last_pulled_ms() const;

  [[nodiscard]] std::optional<Product> product_by_barcode(const std::string& barcode) const;
  [[nodiscard]] std::optional<Product> product_by_code(const std::string& default_code) const;
  [[nodiscard]] std::optional<Product> product_by_id(std::int64_t odoo_id) const;
  // The unit of that name, when Odoo has exactly one.
  [[nodiscard]] std::optional<Unit> unit(const UnitOfMeasure& name) const;
  [[nodiscard]] std::optional<Packaging> packaging_by_barcode(const std::string& barcode) const;
  [[nodiscard]] std::optional<Lot> lot(std::int64_t product_id, const std::string& name) const;
  [[nodiscard]] std::optional<Location> location(const LocationCode& code) const;
  [[nodiscard]] std::vector<ReorderRule> reorder_rules(const LocationCode& location) const;
  // Every reorder rule whose product the catalogue knows.
  [[nodiscard]] std::vector<ReorderPoint> reorder_points() const;
  // Lots expiring on or before `date` (YYYY-MM-DD), with their products.
  [[nodiscard]] std::vector<ExpiringLot> lots_expiring_by(const std::string& date) const;

 private:
  Database& database_;
};

}  // namespace edgestock::storage
