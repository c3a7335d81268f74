#pragma once
// Where the site's moves go in Odoo, from the settings (odoo.posting) and the
// catalogue (the site's locations by barcode): what the poster needs.

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/odoo_poster.hpp"

namespace edgestock::agent {

// Reads the catalogue now: call it for each posting round, after a pull.
sync::OdooSite odoo_site(const config::Settings& settings, storage::Ledger& ledger);
sync::PosterSettings poster_settings(const config::Settings& settings);

}  // namespace edgestock::agent
