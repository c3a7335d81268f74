#include "stock_report.hpp"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"

namespace edgestock::agent {
namespace {

using Json = nlohmann::json;

std::string product_name(storage::Ledger& ledger, const std::string& key) {
  constexpr std::string_view kGtin = "gtin:";
  if (key.starts_with(kGtin)) {
    const std::string gtin = key.substr(kGtin.size());
    auto product = ledger.catalogue().product_by_barcode(gtin);
    if (!product && gtin.starts_with('0')) product = ledger.catalogue().product_by_barcode(gtin.substr(1));
    if (product) return product->name;
  }
  return key;
}

std::string fit(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 1) + "~";
  return text;
}

bool names_product(const std::string& key, const std::string& wanted) {
  return wanted.empty() || key == wanted || key == "gtin:" + wanted || key == "gtin:0" + wanted ||
         key == "code:" + wanted;
}

// The products under their minimum: (location, stock key) -> minimum, with
// the on-hand sum over every lot.
struct Shortage {
  storage::Quantity on_hand;
  storage::Quantity minimum;
  std::string uom;
};

}  // namespace

bool print_stock(storage::Ledger& ledger, std::ostream& out, std::ostream& err, const StockFilter& filter) {
  const auto lines = ledger.stock();
  if (!lines) {
    err << "cannot read the stock: " << lines.error().message << "\n";
    return false;
  }
  // Lots expiring within the window, by (stock key, lot), with their date.
  std::map<std::pair<std::string, std::string>, std::string> expiring;
  if (filter.expiring_days >= 0) {
    for (const auto& lot :
         ledger.catalogue().lots_expiring_by(storage::utc_date(filter.now_ms, filter.expiring_days))) {
      expiring[{storage::stock_key(lot.product), lot.lot}] = lot.expiry;
    }
  }
  if (filter.below_min) {
    std::map<std::pair<std::string, std::string>, Shortage> shortages;
    for (const auto& point : ledger.catalogue().reorder_points()) {
      if (!filter.location.empty() && point.location.str() != filter.location) continue;
      const auto key = storage::stock_key(point.product);
      if (!names_product(key, filter.product)) continue;
      shortages[{point.location.str(), key}] = {storage::Quantity{}, point.minimum, point.product.uom.str()};
    }
    for (const auto& line : *lines) {
      const auto found = shortages.find({line.location.str(), line.product_key});
      if (found != shortages.end()) found->second.on_hand = found->second.on_hand + line.on_hand();
    }
    std::erase_if(shortages, [](const auto& entry) { return !(entry.second.on_hand < entry.second.minimum); });
    if (filter.json) {
      Json all = Json::array();
      for (const auto& [where, s] : shortages) {
        all.push_back({{"location", where.first},
                       {"product", where.second},
                       {"name", product_name(ledger, where.second)},
                       {"on_hand", s.on_hand.to_string()},
                       {"minimum", s.minimum.to_string()},
                       {"uom", s.uom}});
      }
      out << all.dump() << "\n";
      return true;
    }
    char row[256];
    std::snprintf(row, sizeof row, "%-10s %-34s %10s %10s  %s\n", "LOCATION", "PRODUCT", "ON HAND", "MINIMUM", "UNIT");
    out << row;
    for (const auto& [where, s] : shortages) {
      std::snprintf(row, sizeof row, "%-10s %-34s %10s %10s  %s\n", fit(where.first, 10).c_str(),
                    fit(product_name(ledger, where.second), 34).c_str(), s.on_hand.to_string().c_str(),
                    s.minimum.to_string().c_str(), s.uom.c_str());
      out << row;
    }
    if (shortages.empty()) out << "nothing is below its minimum\n";
    return true;
  }

  Json all = Json::array();
  char row[256];
  // The expiry column only when it was asked for.
  const char* format = filter.expiring_days >= 0 ? "%-10s %-34s %-12s %10s %10s %10s  %-5s %s\n"
                                                 : "%-10s %-34s %-12s %10s %10s %10s  %s%s\n";
  if (!filter.json) {
    std::snprintf(row, sizeof row, format, "LOCATION", "PRODUCT", "LOT", "ON HAND", "ODOO", "PENDING", "UNIT",
                  filter.expiring_days >= 0 ? "EXPIRES" : "");
    out << row;
  }
  for (const auto& stock : *lines) {
    if (!filter.location.empty() && stock.location.str() != filter.location) continue;
    if (!names_product(stock.product_key, filter.product)) continue;
    if (!filter.lot.empty() && stock.lot != filter.lot) continue;
    std::string expiry;
    if (filter.expiring_days >= 0) {
      const auto found = expiring.find({stock.product_key, stock.lot});
      if (found == expiring.end() || !(storage::Quantity{} < stock.on_hand())) continue;
      expiry = found->second;
    }
    if (filter.json) {
      Json line{{"location", stock.location.str()},
                {"product", stock.product_key},
                {"name", product_name(ledger, stock.product_key)},
                {"lot", stock.lot},
                {"on_hand", stock.on_hand().to_string()},
                {"odoo", stock.baseline.to_string()},
                {"pending", stock.pending.to_string()},
                {"uom", stock.uom.str()}};
      if (!expiry.empty()) line["expires"] = expiry;
      all.push_back(std::move(line));
      continue;
    }
    std::snprintf(row, sizeof row, format, fit(stock.location.str(), 10).c_str(),
                  fit(product_name(ledger, stock.product_key), 34).c_str(),
                  fit(stock.lot.empty() ? "-" : stock.lot, 12).c_str(), stock.on_hand().to_string().c_str(),
                  stock.baseline.to_string().c_str(), stock.pending.to_string().c_str(), stock.uom.str().c_str(),
                  expiry.c_str());
    out << row;
  }
  if (filter.json) out << all.dump() << "\n";
  return true;
}

}  // namespace edgestock::agent
