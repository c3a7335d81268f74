#include "edgestock/scanners/catalogue_resolver.hpp"

namespace edgestock::scanners {
namespace {

ResolvedProduct from_product(const storage::Product& product) {
  ResolvedProduct resolved;
  resolved.ref.odoo_id = product.odoo_id;
  resolved.ref.gtin = storage::stock_key(product).starts_with("gtin:") ? storage::stock_key(product).substr(5) : "";
  resolved.ref.code = product.default_code;
  resolved.uom = product.uom;
  resolved.name = product.name;
  resolved.known = true;
  return resolved;
}

}  // namespace

ProductResolver catalogue_resolver(const storage::Catalogue& catalogue) {
  return [&catalogue](const DecodedScan& scan) {
    ResolvedProduct resolved;
    if (!scan.gtin.empty()) {
      // Odoo keeps the GTIN as printed: 13 digits for most EANs.
      const std::string short_form = scan.gtin.starts_with('0') ? scan.gtin.substr(1) : scan.gtin;
      for (const auto& barcode : {scan.gtin, short_form}) {
        if (auto product = catalogue.product_by_barcode(barcode)) return from_product(*product);
        if (auto packaging = catalogue.packaging_by_barcode(barcode)) {
          if (auto product = catalogue.product_by_id(packaging->product_id)) {
            resolved = from_product(*product);
            resolved.per_scan = packaging->units_per_pack;
            return resolved;
          }
        }
      }
      resolved.ref.gtin = scan.gtin;
    } else if (scan.kind == ScanKind::product_code) {
      if (auto product = catalogue.product_by_code(scan.code)) return from_product(*product);
      resolved.ref.code = scan.code;
    } else if (scan.kind == ScanKind::ppn) {
      // A PPN without a GTIN (PRA codes other than a PZN's): the product's
      // internal reference in Odoo holds it.
      if (auto product = catalogue.product_by_code(scan.ppn)) return from_product(*product);
      resolved.ref.code = scan.ppn;
    } else if (scan.kind == ScanKind::hibc) {
      // HIBC products are known by labeler and product number.
      const std::string code = scan.hibc_labeler + scan.hibc_product;
      if (auto product = catalogue.product_by_code(code)) return from_product(*product);
      resolved.ref.code = code;
    }
    resolved.uom = storage::UnitOfMeasure("Units");
    return resolved;
  };
}

}  // namespace edgestock::scanners
