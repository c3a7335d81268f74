#include "stock_report.hpp"

#include <cstdio>
#include <string>

#include "edgestock/storage/catalogue.hpp"

namespace edgestock::agent {
namespace {

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

}  // namespace

bool print_stock(storage::Ledger& ledger, std::ostream& out, std::ostream& err) {
  const auto lines = ledger.stock();
  if (!lines) {
    err << "cannot read the stock: " << lines.error().message << "\n";
    return false;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-10s %-34s %-12s %10s %10s %10s  %s\n", "LOCATION", "PRODUCT", "LOT", "ON HAND",
                "ODOO", "PENDING", "UNIT");
  out << line;
  for (const auto& stock : *lines) {
    std::snprintf(line, sizeof line, "%-10s %-34s %-12s %10s %10s %10s  %s\n", fit(stock.location.str(), 10).c_str(),
                  fit(product_name(ledger, stock.product_key), 34).c_str(),
                  fit(stock.lot.empty() ? "-" : stock.lot, 12).c_str(), stock.on_hand().to_string().c_str(),
                  stock.baseline.to_string().c_str(), stock.pending.to_string().c_str(), stock.uom.str().c_str());
    out << line;
  }
  return true;
}

}  // namespace edgestock::agent
