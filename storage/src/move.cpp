#include "edgestock/storage/move.hpp"

#include <array>
#include <utility>

namespace edgestock::storage {
namespace {

constexpr std::array<std::pair<MoveKind, std::string_view>, 8> kKindNames{{
    {MoveKind::receipt, "receipt"},
    {MoveKind::issue, "issue"},
    {MoveKind::transfer, "transfer"},
    {MoveKind::count, "count"},
    {MoveKind::adjust, "adjust"},
    {MoveKind::scrap, "scrap"},
    {MoveKind::return_to_store, "return"},
    {MoveKind::reversal, "reversal"},
}};

// Which locations a kind of move needs, and which way its quantity goes.
struct KindRule {
  bool needs_from;
  bool needs_to;
  bool qty_may_be_negative;
};

KindRule rule_for(MoveKind kind) {
  switch (kind) {
    case MoveKind::receipt:
      return {false, true, false};
    case MoveKind::issue:
      return {true, false, false};
    case MoveKind::transfer:
      return {true, true, false};
    case MoveKind::count:
    case MoveKind::adjust:
      return {false, true, true};
    case MoveKind::scrap:
      return {true, false, false};
    case MoveKind::return_to_store:
      return {false, true, false};
    case MoveKind::reversal:
      return {false, false, false};
  }
  return {false, false, false};
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool is_calendar_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const int year = number(0, 4);
  const int month = number(5, 2);
  const int day = number(8, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1) return false;
  constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
  return day <= last;
}

constexpr std::size_t kMaxField = 256;
constexpr std::size_t kMaxRaw = 4096;

}  // namespace

std::string_view to_string(MoveKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<MoveKind> parse_move_kind(std::string_view name) {
  for (const auto& [k, n] : kKindNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string ProductRef::key() const {
  if (!gtin.empty()) return "gtin:" + gtin;
  if (!code.empty()) return "code:" + code;
  if (odoo_id) return "odoo:" + std::to_string(*odoo_id);
  return {};
}

std::optional<std::string> check_move_request(const MoveRequest& r) {
  if (to_string(r.kind) == "unknown") return "unknown move kind";
  for (const auto* field : {&r.lot, &r.expiry, &r.serial, &r.reason, &r.cost_centre, &r.encounter, &r.product.gtin,
                            &r.product.code, &r.from.str(), &r.to.str(), &r.operator_id.str(), &r.uom.str()}) {
    if (field->size() > kMaxField) return "a field is longer than 256 characters";
  }
  if (r.raw.size() > kMaxRaw) return "the scanned text is longer than 4096 characters";

  if (r.kind == MoveKind::reversal) {
    if (r.reverses.empty()) return "a reversal must name the move it reverses";
    return std::nullopt;
  }
  if (!r.reverses.empty()) return "only a reversal may name a move it reverses";
  if (r.product.key().empty()) return "no product: give a GTIN, a product code or an Odoo id";
  if (r.uom.empty()) return "no unit of measure";
  if (!r.expiry.empty() && !is_calendar_date(r.expiry)) {
    return "expiry '" + r.expiry + "' is not a date (YYYY-MM-DD)";
  }

  const KindRule rule = rule_for(r.kind);
  const std::string kind(to_string(r.kind));
  const std::string a_kind = (kind.front() == 'i' || kind.front() == 'a' ? "an " : "a ") + kind;
  if (rule.needs_from && r.from.empty()) return a_kind + " needs the location it leaves (from)";
  if (rule.needs_to && r.to.empty()) return a_kind + " needs the location it enters (to)";
  if (r.kind == MoveKind::transfer && r.from == r.to) return "a transfer needs two different locations";

  const auto too_large = [](Quantity q, std::int64_t bound) { return q.as_micros() > bound || q.as_micros() < -bound; };
  if (r.kind == MoveKind::count) {
    if (!r.counted || !r.expected) return "a count needs both the counted and the expected quantity";
    // What the ledger expected may be below zero (stock is never blocked
    // from going negative); what was counted on the shelf may not.
    if (r.counted->is_negative()) return "a counted quantity cannot be negative";
    if (too_large(*r.counted, Quantity::kMaxMicros)) return "the counted quantity is larger than one move may carry";
    if (too_large(*r.expected, Quantity::kMaxStockMicros)) {
      return "the expected quantity is larger than a stock line may hold";
    }
    if (r.qty != *r.counted - *r.expected) return "a count's quantity must be counted minus expected";
    return std::nullopt;
  }
  if (r.counted || r.expected) return "only a count carries counted and expected quantities";
  if (r.qty.is_zero()) return "the quantity of " + a_kind + " cannot be zero";
  if (too_large(r.qty, Quantity::kMaxMicros)) {
    return "the quantity of " + a_kind + " is larger than one move may carry (" +
           Quantity::micros(Quantity::kMaxMicros).to_string() + ")";
  }
  if (r.qty.is_negative() && !rule.qty_may_be_negative) {
    return "the quantity of " + a_kind + " cannot be negative";
  }
  return std::nullopt;
}

std::vector<StockEffect> stock_effects(const MoveRequest& r) {
  const std::string key = r.product.key();
  std::vector<StockEffect> effects;
  switch (r.kind) {
    case MoveKind::receipt:
    case MoveKind::count:
    case MoveKind::adjust:
    case MoveKind::return_to_store:
      effects.push_back({r.to, key, r.lot, r.qty});
      break;
    case MoveKind::issue:
    case MoveKind::scrap:
      effects.push_back({r.from, key, r.lot, -r.qty});
      break;
    case MoveKind::transfer:
      effects.push_back({r.from, key, r.lot, -r.qty});
      effects.push_back({r.to, key, r.lot, r.qty});
      break;
    case MoveKind::reversal:
      break;
  }
  return effects;
}

}  // namespace edgestock::storage
