#pragma once
#include <ostream>

#include "edgestock/storage/ledger.hpp"

namespace edgestock::agent {

// The stock projection as a table a store manager can read, with product
// names from the catalogue where it knows them.
void print_stock(storage::Ledger& ledger, std::ostream& out);

}  // namespace edgestock::agent
