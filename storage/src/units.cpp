#include <numeric>
#include <vector>

#include "audit_chain.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "units_rows.hpp"

namespace edgestock::storage {

std::optional<Quantity> convert(Quantity quantity, const Unit& from, const Unit& to) {
  if (from.family != to.family || from.reference.as_micros() <= 0 || to.reference.as_micros() <= 0) {
    return std::nullopt;
  }
  if (from.odoo_id == to.odoo_id) return quantity;
  // micros_to = micros_from * reference_from / reference_to, the ratio reduced
  // first (Units to Packs of 10 is 1/10), the product checked for overflow
  // (no 128-bit integers on every target), rounded half away from zero.
  const std::int64_t common = std::gcd(from.reference.as_micros(), to.reference.as_micros());
  const std::int64_t times = from.reference.as_micros() / common;
  const std::int64_t divide = to.reference.as_micros() / common;
  std::int64_t product = 0;
  if (__builtin_mul_overflow(quantity.as_micros(), times, &product)) return std::nullopt;
  std::int64_t result = product / divide;
  const std::int64_t rest = product % divide;
  if (rest != 0 && (rest > 0 ? rest : -rest) >= divide - (rest > 0 ? rest : -rest)) result += product > 0 ? 1 : -1;
  if (result > Quantity::kMaxStockMicros || result < -Quantity::kMaxStockMicros) return std::nullopt;
  return Quantity::micros(result);
}

std::optional<Unit> find_unit_locked(Database& db, const std::string& name) {
  auto& select = db.cached("SELECT odoo_id, name, family, reference_micros FROM units WHERE name = ?1 LIMIT 2");
  select.bind_text(1, name);
  std::vector<Unit> found;
  while (select.step()) {
    found.push_back({select.column_int(0), UnitOfMeasure(select.column_text(1)), select.column_int(2),
                     Quantity::micros(select.column_int(3))});
  }
  select.reset();
  if (found.size() != 1) return std::nullopt;  // unknown, or two units of that name: which is meant?
  return found.front();
}

std::optional<Quantity> convert_locked(Database& db, Quantity quantity, const std::string& from,
                                       const std::string& to) {
  if (from == to) return quantity;
  const auto source = find_unit_locked(db, from);
  const auto target = find_unit_locked(db, to);
  if (!source || !target) return std::nullopt;
  return convert(quantity, *source, *target);
}

LinesConverted convert_lines_locked(Database& db, const std::string& product_key, const std::string& from,
                                    const std::string& to) {
  struct Line {
    std::string location;
    std::string lot;
    std::int64_t baseline = 0;
    std::int64_t pending = 0;
  };
  std::vector<Line> lines;
  auto& select =
      db.cached("SELECT location, lot, baseline_micros, pending_micros FROM stock WHERE product_key = ?1 AND uom = ?2");
  select.bind(1, product_key).bind_text(2, from);
  while (select.step()) {
    lines.push_back({select.column_text(0), select.column_text(1), select.column_int(2), select.column_int(3)});
  }
  select.reset();
  LinesConverted result;
  for (const auto& line : lines) {
    const auto baseline = convert_locked(db, Quantity::micros(line.baseline), from, to);
    const auto pending = convert_locked(db, Quantity::micros(line.pending), from, to);
    if (!baseline || !pending) {
      ++result.left;
      continue;
    }
    db.cached(
          "UPDATE stock SET uom = ?4, baseline_micros = ?5, pending_micros = ?6 "
          "WHERE location = ?1 AND product_key = ?2 AND lot = ?3")
        .bind(1, line.location)
        .bind(2, product_key)
        .bind_text(3, line.lot)
        .bind_text(4, to)
        .bind(5, baseline->as_micros())
        .bind(6, pending->as_micros())
        .run();
    ++result.converted;
  }
  if (result.converted + result.left > 0) {
    append_audit_locked(db, "agent", "unit changed", product_key,
                        from + " -> " + to + ": " + std::to_string(result.converted) + " stock lines converted" +
                            (result.left > 0 ? ", " + std::to_string(result.left) + " not convertible" : ""));
  }
  return result;
}

}  // namespace edgestock::storage
