#include "odoo_site.hpp"

#include "edgestock/storage/catalogue.hpp"

namespace edgestock::agent {

sync::OdooSite odoo_site(const config::Settings& settings, storage::Ledger& ledger) {
  const auto& p = settings.odoo.posting;
  sync::OdooSite site;
  for (const auto& code : settings.odoo.locations) {
    if (const auto location = ledger.catalogue().location(storage::LocationCode(code)); location && location->active) {
      site.locations[code] = location->odoo_id;
    }
  }
  // A person's mapping wins (edgestock exceptions map): a store Odoo knows
  // under another barcode, or one the pull did not bring.
  for (const auto& code : settings.odoo.locations) {
    const auto mapped = ledger.catalogue().setting(std::string(sync::kLocationMapPrefix) + code);
    if (!mapped.empty()) site.locations[code] = std::stoll(mapped);
  }
  site.supplier = p.supplier_location;
  site.consumption = p.consumption_location;
  site.consumption_by_cost_centre = p.cost_centre_locations;
  site.inventory_loss = p.inventory_loss_location;
  site.scrap = p.scrap_location;
  auto& catalogue = ledger.catalogue();
  site.product = [&catalogue](const storage::ProductRef& product) {
    return sync::catalogue_product(catalogue, product);
  };
  site.lot = [&catalogue](std::int64_t product, const std::string& lot) {
    return sync::catalogue_lot(catalogue, product, lot);
  };
  site.create_unknown_lots = p.unknown_lots == "create";
  site.unit = [&catalogue](std::int64_t product, const storage::UnitOfMeasure& unit) {
    return sync::catalogue_unit(catalogue, product, unit);
  };
  return site;
}

sync::PosterSettings poster_settings(const config::Settings& settings) {
  const auto& p = settings.odoo.posting;
  sync::PosterSettings s;
  s.picking_types = {{"incoming", p.incoming_type}, {"internal", p.internal_type}, {"outgoing", p.outgoing_type}};
  s.limits.window = std::chrono::seconds(p.batch_window_s);
  s.limits.max_lines = static_cast<std::size_t>(p.batch_max_moves);
  s.receipt_quiet = std::chrono::seconds(p.receipt_quiet_s);
  s.done_window = std::chrono::hours(p.receipt_done_window_h);
  s.close_short_receipts = p.short_receipts == "close";
  return s;
}

}  // namespace edgestock::agent
