#include "edgestock/storage/catalogue.hpp"

#include <charconv>

#include "catalogue_rows.hpp"
#include "units_rows.hpp"

namespace edgestock::storage {
namespace {

constexpr const char* kSelectProduct =
    "SELECT odoo_id, name, barcode, default_code, uom, tracking, active, write_date FROM products ";

Product read_product(const sqlite::Statement& row) {
  return Product{row.column_int(0),
                 row.column_text(1),
                 row.column_text(2),
                 row.column_text(3),
                 UnitOfMeasure(row.column_text(4)),
                 row.column_text(5),
                 row.column_int(6) != 0,
                 row.column_text(7)};
}

std::optional<Product> product_where(Database& db, const char* where, const std::string& key) {
  auto& select = db.cached(std::string(kSelectProduct) + where);
  select.bind_text(1, key);
  std::optional<Product> found;
  if (select.step()) found = read_product(select);
  select.reset();
  return found;
}

template <typename T>
std::optional<T> flatten(std::expected<std::optional<T>, LedgerError> result) {
  return result ? std::move(*result) : std::nullopt;
}

}  // namespace

std::optional<Product> find_product_locked(Database& db, const ProductRef& ref) {
  if (ref.odoo_id) return product_where(db, "WHERE odoo_id = ?1", std::to_string(*ref.odoo_id));
  if (!ref.gtin.empty()) {
    if (auto found = product_where(db, "WHERE barcode = ?1", ref.gtin)) return found;
    // A GTIN-14 with a leading zero is the EAN-13 Odoo usually stores.
    if (ref.gtin.size() == 14 && ref.gtin.front() == '0') {
      return product_where(db, "WHERE barcode = ?1", ref.gtin.substr(1));
    }
    return std::nullopt;
  }
  if (!ref.code.empty()) return product_where(db, "WHERE default_code = ?1", ref.code);
  return std::nullopt;
}

namespace {

void put(Database& database_, const Unit& u) {
  database_
      .cached(
          "INSERT INTO units(odoo_id, name, family, reference_micros) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT DO UPDATE SET name = excluded.name, family = excluded.family, "
          "reference_micros = excluded.reference_micros")
      .bind(1, u.odoo_id)
      .bind_text(2, u.name.str())
      .bind(3, u.family)
      .bind(4, u.reference.as_micros())
      .run();
}

// Odoo changed the product's unit (allowed only while Odoo has no move of it,
// so every move of it here still waits): its stock lines are converted into
// the new unit where the two are of one family; the rest stay and the
// moves' postings say why.
void follow_unit_change(Database& database_, const Product& p) {
  const auto before = product_where(database_, "WHERE odoo_id = ?1", std::to_string(p.odoo_id));
  if (!before || before->uom == p.uom || before->uom.empty()) return;
  (void)convert_lines_locked(database_, stock_key(*before), before->uom.str(), p.uom.str());
}

void put(Database& database_, const Product& p) {
  follow_unit_change(database_, p);
  database_
      .cached(
          "INSERT INTO products(odoo_id, name, barcode, default_code, uom, tracking, active, "
          "write_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO UPDATE SET "
          "name = excluded.name, barcode = excluded.barcode, default_code = excluded.default_code, "
          "uom = excluded.uom, tracking = excluded.tracking, active = excluded.active, "
          "write_date = excluded.write_date")
      .bind(1, p.odoo_id)
      .bind_text(2, p.name)
      .bind(3, p.barcode)
      .bind(4, p.default_code)
      .bind_text(5, p.uom.str())
      .bind_text(6, p.tracking)
      .bind(7, std::int64_t{p.active ? 1 : 0})
      .bind(8, p.write_date)
      .run();
}

void put(Database& database_, const Packaging& p) {
  database_
      .cached(
          "INSERT INTO packagings(barcode, product_id, units_micros) VALUES (?1, ?2, ?3) "
          "ON CONFLICT DO UPDATE SET product_id = excluded.product_id, units_micros = excluded.units_micros")
      .bind_text(1, p.barcode)
      .bind(2, p.product_id)
      .bind(3, p.units_per_pack.as_micros())
      .run();
}

void put(Database& database_, const Lot& lot) {
  database_
      .cached(
          "INSERT INTO lots(odoo_id, product_id, name, expiry) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT(odoo_id) DO UPDATE SET product_id = excluded.product_id, "
          "name = excluded.name, expiry = excluded.expiry")
      .bind(1, lot.odoo_id)
      .bind(2, lot.product_id)
      .bind_text(3, lot.name)
      .bind(4, lot.expiry)
      .run();
}

void put(Database& database_, const Location& l) {
  database_
      .cached(
          "INSERT INTO locations(code, odoo_id, complete_name, usage, active) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT DO UPDATE SET odoo_id = excluded.odoo_id, complete_name = excluded.complete_name, "
          "usage = excluded.usage, active = excluded.active")
      .bind_text(1, l.code.str())
      .bind(2, l.odoo_id)
      .bind_text(3, l.complete_name)
      .bind_text(4, l.usage)
      .bind(5, std::int64_t{l.active ? 1 : 0})
      .run();
}

void put(Database& database_, const ReorderRule& r) {
  database_
      .cached(
          "INSERT INTO reorder_rules(location, product_id, min_micros, max_micros) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT DO UPDATE SET min_micros = excluded.min_micros, max_micros = excluded.max_micros")
      .bind_text(1, r.location.str())
      .bind(2, r.product_id)
      .bind(3, r.minimum.as_micros())
      .bind(4, r.maximum.as_micros())
      .run();
}

}  // namespace

std::expected<void, LedgerError> Catalogue::upsert(const Product& p) {
  return with_database(database_, [&] {
    sqlite::Transaction transaction(database_.connection());
    put(database_, p);
    transaction.commit();
  });
}
std::expected<void, LedgerError> Catalogue::upsert(const Packaging& p) {
  return with_database(database_, [&] { put(database_, p); });
}
std::expected<void, LedgerError> Catalogue::upsert(const Lot& lot) {
  return with_database(database_, [&] { put(database_, lot); });
}
std::expected<void, LedgerError> Catalogue::upsert(const Location& l) {
  return with_database(database_, [&] { put(database_, l); });
}
std::expected<void, LedgerError> Catalogue::upsert(const ReorderRule& r) {
  return with_database(database_, [&] { put(database_, r); });
}

std::expected<void, LedgerError> Catalogue::upsert(const CatalogueBatch& batch) {
  return with_database(database_, [&] {
    const WithoutFsync light(database_);
    sqlite::Transaction transaction(database_.connection());
    for (const auto& x : batch.units) put(database_, x);
    for (const auto& x : batch.locations) put(database_, x);
    for (const auto& x : batch.products) put(database_, x);
    for (const auto& x : batch.packagings) put(database_, x);
    for (const auto& x : batch.lots) put(database_, x);
    for (const auto& x : batch.reorder_rules) put(database_, x);
    transaction.commit();
  });
}

std::expected<void, LedgerError> Catalogue::replace_expected(const std::vector<ExpectedTransfer>& transfers) {
  return with_database(database_, [&] {
    const WithoutFsync light(database_);
    sqlite::Transaction transaction(database_.connection());
    database_.cached("DELETE FROM expected_lines").run();
    database_.cached("DELETE FROM expected_transfers").run();
    for (const auto& t : transfers) {
      database_
          .cached(
              "INSERT OR REPLACE INTO expected_transfers(picking_id, name, state, location_from, location_to, "
              "scheduled, date_done) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
          .bind(1, t.picking_id)
          .bind_text(2, t.name)
          .bind_text(3, t.state)
          .bind(4, t.from)
          .bind(5, t.to)
          .bind_text(6, t.scheduled)
          .bind_text(7, t.date_done)
          .run();
      for (const auto& l : t.lines) {
        database_
            .cached(
                "INSERT INTO expected_lines(picking_id, odoo_move, product_id, lot, qty_micros) "
                "VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(1, t.picking_id)
            .bind(2, l.odoo_move)
            .bind(3, l.product_id)
            .bind_text(4, l.lot)
            .bind(5, l.qty.as_micros())
            .run();
      }
    }
    transaction.commit();
  });
}

std::vector<ExpectedTransfer> Catalogue::expected_transfers() const {
  auto found = with_database(database_, [&] {
    std::vector<ExpectedTransfer> transfers;
    auto& select = database_.cached(
        "SELECT picking_id, name, state, location_from, location_to, scheduled, date_done FROM expected_transfers "
        "ORDER BY scheduled, picking_id");
    while (select.step()) {
      transfers.push_back({select.column_int(0),
                           select.column_text(1),
                           select.column_text(2),
                           select.column_int(3),
                           select.column_int(4),
                           select.column_text(5),
                           select.column_text(6),
                           {}});
    }
    select.reset();
    auto& lines = database_.cached(
        "SELECT odoo_move, product_id, lot, qty_micros FROM expected_lines WHERE picking_id = ?1 ORDER BY rowid");
    for (auto& t : transfers) {
      lines.bind(1, t.picking_id);
      while (lines.step()) {
        t.lines.push_back(
            {lines.column_int(0), lines.column_int(1), lines.column_text(2), Quantity::micros(lines.column_int(3))});
      }
      lines.reset();
    }
    return transfers;
  });
  return found ? *found : std::vector<ExpectedTransfer>{};
}

std::int64_t Catalogue::product_count() const {
  auto count = with_database(database_, [&] {
    auto& select = database_.cached("SELECT count(*) FROM products");
    const auto n = select.step() ? select.column_int(0) : 0;
    select.reset();
    return n;
  });
  return count ? *count : 0;
}

std::string Catalogue::setting(const std::string& key) const {
  auto value = with_database(database_, [&] {
    auto& select = database_.cached("SELECT value FROM meta WHERE key = ?1");
    select.bind_text(1, "catalogue." + key);
    std::string found = select.step() ? select.column_text(0) : std::string();
    select.reset();
    return found;
  });
  return value ? *value : std::string();
}

std::expected<void, LedgerError> Catalogue::set_setting(const std::string& key, const std::string& value) {
  return with_database(database_, [&] {
    database_.cached("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT DO UPDATE SET value = excluded.value")
        .bind_text(1, "catalogue." + key)
        .bind_text(2, value)
        .run();
  });
}

std::expected<void, LedgerError> Catalogue::mark_pulled() {
  return set_setting("last_pull_ms", std::to_string(database_.clock().now_ms()));
}

std::int64_t Catalogue::last_pulled_ms() const {
  const auto text = setting("last_pull_ms");
  std::int64_t ms = 0;
  std::from_chars(text.data(), text.data() + text.size(), ms);
  return ms;
}

std::optional<Product> Catalogue::product_by_barcode(const std::string& barcode) const {
  return flatten(with_database(database_, [&] { return product_where(database_, "WHERE barcode = ?1", barcode); }));
}

std::optional<Product> Catalogue::product_by_code(const std::string& default_code) const {
  return flatten(
      with_database(database_, [&] { return product_where(database_, "WHERE default_code = ?1", default_code); }));
}

std::optional<Product> Catalogue::product_by_id(std::int64_t odoo_id) const {
  return flatten(with_database(
      database_, [&] { return product_where(database_, "WHERE odoo_id = ?1", std::to_string(odoo_id)); }));
}

std::optional<Unit> Catalogue::unit(const UnitOfMeasure& name) const {
  return flatten(with_database(database_, [&] { return find_unit_locked(database_, name.str()); }));
}

std::optional<Packaging> Catalogue::packaging_by_barcode(const std::string& barcode) const {
  return flatten(with_database(database_, [&] {
    auto& select = database_.cached("SELECT barcode, product_id, units_micros FROM packagings WHERE barcode = ?1");
    select.bind_text(1, barcode);
    std::optional<Packaging> found;
    if (select.step()) {
      found = Packaging{select.column_text(0), select.column_int(1), Quantity::micros(select.column_int(2))};
    }
    select.reset();
    return found;
  }));
}

std::optional<Lot> Catalogue::lot(std::int64_t product_id, const std::string& name) const {
  return flatten(with_database(database_, [&] {
    auto& select =
        database_.cached("SELECT odoo_id, product_id, name, expiry FROM lots WHERE product_id = ?1 AND name = ?2");
    select.bind(1, product_id).bind_text(2, name);
    std::optional<Lot> found;
    if (select.step()) {
      found = Lot{select.column_int(0), select.column_int(1), select.column_text(2), select.column_text(3)};
    }
    select.reset();
    return found;
  }));
}

std::optional<Location> Catalogue::location(const LocationCode& code) const {
  return flatten(with_database(database_, [&] {
    auto& select =
        database_.cached("SELECT code, odoo_id, complete_name, usage, active FROM locations WHERE code = ?1");
    select.bind_text(1, code.str());
    std::optional<Location> found;
    if (select.step()) {
      found = Location{select.column_int(1), LocationCode(select.column_text(0)), select.column_text(2),
                       select.column_text(3), select.column_int(4) != 0};
    }
    select.reset();
    return found;
  }));
}

std::vector<ReorderRule> Catalogue::reorder_rules(const LocationCode& location) const {
  auto rules = with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT location, product_id, min_micros, max_micros FROM reorder_rules WHERE location = ?1 ORDER BY "
        "product_id");
    select.bind_text(1, location.str());
    std::vector<ReorderRule> found;
    while (select.step()) {
      found.push_back(ReorderRule{LocationCode(select.column_text(0)), select.column_int(1),
                                  Quantity::micros(select.column_int(2)), Quantity::micros(select.column_int(3))});
    }
    select.reset();
    return found;
  });
  return rules ? *rules : std::vector<ReorderRule>{};
}

std::string stock_key(const Product& product) {
  const auto& barcode = product.barcode;
  const bool numeric =
      !barcode.empty() && barcode.size() <= 14 && barcode.find_first_not_of("0123456789") == std::string::npos;
  if (numeric && (barcode.size() == 8 || barcode.size() >= 12)) {
    return "gtin:" + std::string(14 - barcode.size(), '0') + barcode;
  }
  if (!product.default_code.empty()) return "code:" + product.default_code;
  return "odoo:" + std::to_string(product.odoo_id);
}

std::vector<ReorderPoint> Catalogue::reorder_points() const {
  auto points = with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT r.location, r.min_micros, p.odoo_id, p.name, p.barcode, p.default_code, p.uom, p.tracking, p.active, "
        "p.write_date FROM reorder_rules r JOIN products p ON p.odoo_id = r.product_id ORDER BY r.location, p.odoo_id");
    std::vector<ReorderPoint> found;
    while (select.step()) {
      found.push_back(ReorderPoint{LocationCode(select.column_text(0)),
                                   Product{select.column_int(2), select.column_text(3), select.column_text(4),
                                           select.column_text(5), UnitOfMeasure(select.column_text(6)),
                                           select.column_text(7), select.column_int(8) != 0, select.column_text(9)},
                                   Quantity::micros(select.column_int(1))});
    }
    select.reset();
    return found;
  });
  return points ? *points : std::vector<ReorderPoint>{};
}

std::vector<ExpiringLot> Catalogue::lots_expiring_by(const std::string& date) const {
  auto lots = with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT l.name, l.expiry, p.odoo_id, p.name, p.barcode, p.default_code, p.uom, p.tracking, p.active, "
        "p.write_date FROM lots l JOIN products p ON p.odoo_id = l.product_id "
        "WHERE l.expiry IS NOT NULL AND l.expiry <= ?1 ORDER BY l.expiry, l.name");
    select.bind_text(1, date);
    std::vector<ExpiringLot> found;
    while (select.step()) {
      found.push_back(ExpiringLot{Product{select.column_int(2), select.column_text(3), select.column_text(4),
                                          select.column_text(5), UnitOfMeasure(select.column_text(6)),
                                          select.column_text(7), select.column_int(8) != 0, select.column_text(9)},
                                  select.column_text(0), select.column_text(1)});
    }
    select.reset();
    return found;
  });
  return lots ? *lots : std::vector<ExpiringLot>{};
}

}  // namespace edgestock::storage
