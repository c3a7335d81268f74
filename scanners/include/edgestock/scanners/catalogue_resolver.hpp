#pragma once
// The scan session's product resolver backed by the ledger's catalogue cache:
// a box or case GTIN resolves through its packaging to the product and the
// number of units in it.

#include "edgestock/scanners/scan_session.hpp"
#include "edgestock/storage/catalogue.hpp"

namespace edgestock::scanners {

ProductResolver catalogue_resolver(const storage::Catalogue& catalogue);

}  // namespace edgestock::scanners
