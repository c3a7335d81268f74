#pragma once
#include <ostream>
#include <string>

#include "edgestock/storage/ledger.hpp"

namespace edgestock::agent {

// Which lines `edgestock stock` shows; empty fields do not filter.
struct StockFilter {
  std::string location;  // a location code
  std::string product;   // a GTIN, a product code or a stock key
  std::string lot;
  int expiring_days = -1;  // >= 0: only lots on hand that expire within this many days
  bool below_min = false;  // only products under their reorder minimum (one line per location and product)
  bool json = false;
  std::int64_t now_ms = 0;
};

// The stock projection as a table a store manager can read, local (on hand)
// and Odoo's (as last read) side by side, with product names from the
// catalogue where it knows them. False (after saying why on `err`) when the
// ledger cannot be read: an empty table would be believed.
bool print_stock(storage::Ledger& ledger, std::ostream& out, std::ostream& err, const StockFilter& filter = {});

}  // namespace edgestock::agent
