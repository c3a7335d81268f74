#pragma once
#include <ostream>

#include "edgestock/storage/ledger.hpp"

namespace edgestock::agent {

// The stock projection as a table a store manager can read, with product
// names from the catalogue where it knows them. False (after saying why on
// `err`) when the ledger cannot be read: an empty table would be believed.
bool print_stock(storage::Ledger& ledger, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
