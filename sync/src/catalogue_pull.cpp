#include "edgestock/sync/catalogue_pull.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <tuple>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/ledger.hpp"
#include "odoo_json.hpp"
#include "odoo_reader.hpp"

namespace edgestock::sync {
namespace {

using Json = nlohmann::json;
using odoo_json::id_of;
using odoo_json::name_of;
using odoo_json::quantity_of;
using odoo_json::text_of;
constexpr const char* kWatermark = "pull.watermark";

// "YYYY-MM-DD HH:MM:SS" minus `seconds`.
std::string minus_seconds(const std::string& stamp, int seconds) {
  const auto at = storage::parse_odoo_datetime(stamp);
  return at ? storage::odoo_datetime(*at - std::int64_t{seconds} * 1000) : std::string();
}

// The fields read of each model, and what each must be.
constexpr Field kWriteDate[] = {{"write_date", Kind::text}};
constexpr Field kCategoryFields[] = {{"complete_name", Kind::text}, {"write_date", Kind::text}};
constexpr Field kLocationFields[] = {{"barcode", Kind::text},
                                     {"complete_name", Kind::text},
                                     {"usage", Kind::text},
                                     {"active", Kind::boolean},
                                     {"write_date", Kind::text}};
constexpr Field kQuantFields[] = {{"product_id", Kind::many2one},
                                  {"location_id", Kind::many2one},
                                  {"lot_id", Kind::many2one},
                                  {"quantity", Kind::number}};
constexpr Field kRuleFields[] = {{"product_id", Kind::many2one},
                                 {"location_id", Kind::many2one},
                                 {"product_min_qty", Kind::number},
                                 {"product_max_qty", Kind::number},
                                 {"write_date", Kind::text}};
constexpr Field kProductFields[] = {{"name", Kind::text},       {"barcode", Kind::text},  {"default_code", Kind::text},
                                    {"uom_id", Kind::many2one}, {"tracking", Kind::text}, {"active", Kind::boolean},
                                    {"write_date", Kind::text}};
constexpr Field kPackagingFields[] = {
    {"product_id", Kind::many2one}, {"barcode", Kind::text}, {"qty", Kind::number}, {"write_date", Kind::text}};
constexpr Field kLotFields[] = {
    {"product_id", Kind::many2one}, {"name", Kind::text}, {"expiration_date", Kind::text}, {"write_date", Kind::text}};

constexpr Field kUnitFields17[] = {{"name", Kind::text}, {"category_id", Kind::many2one}, {"factor", Kind::number}};
constexpr Field kUnitFields19[] = {{"name", Kind::text}, {"factor", Kind::number}, {"parent_path", Kind::text}};

// Odoo's units of measure, all of them (they are few), archived ones too: a
// move recorded in a unit Odoo has since archived must still convert. 17 and
// 18 keep a category per unit and `factor` = how many of the unit make one
// reference unit; 19 a tree whose `factor` is how many reference units one
// holds, its family the root of `parent_path` (addons/uom/models/uom_uom.py).
bool read_units(Puller& puller, int version, const PullScope& scope, std::vector<storage::Unit>& units) {
  const bool tree = version >= 19;
  const std::span<const Field> fields = tree ? std::span<const Field>(kUnitFields19) : kUnitFields17;
  return puller.read_all(
      "uom.uom", Json::array(), fields,
      [&](const Json& row) {
        const auto id = row["id"].get<std::int64_t>();
        const double factor = row["factor"].get<double>();
        const double reference = tree ? factor : (factor > 0 ? 1.0 / factor : 0.0);
        // Outside what a stock line can hold exactly: unknown, so never converted.
        if (!(reference > 1e-6 && reference < 1e9)) return;
        std::int64_t family = id;
        if (tree) {
          const auto path = text_of(row["parent_path"]);
          std::int64_t root = 0;
          const auto [end, error] = std::from_chars(path.data(), path.data() + path.size(), root);
          if (error == std::errc() && root > 0) family = root;
        } else {
          family = id_of(row["category_id"]);
        }
        const auto micros = quantity_of(Json(reference));  // Odoo's float as the ledger's fixed point
        if (micros.as_micros() <= 0 || family == 0) return;
        units.push_back({id, storage::UnitOfMeasure(text_of(row["name"])), family, micros});
      },
      scope.page_size, true);
}

// Adds every product of the configured categories (subcategories included) to
// the formulary. A category Odoo does not know stops the pull: the site would
// silently miss products it was configured to have.
bool add_categories(Puller& puller, const PullScope& scope, std::set<std::int64_t>& formulary, PullReport& report) {
  std::vector<std::int64_t> category_ids;
  std::set<std::string> found;
  if (!puller.read_all(
          "product.category", Json::array({Json::array({"complete_name", "in", scope.categories})}), kCategoryFields,
          [&](const Json& row) {
            category_ids.push_back(row["id"].get<std::int64_t>());
            found.insert(text_of(row["complete_name"]));
          },
          scope.page_size)) {
    return false;
  }
  for (const auto& name : scope.categories) {
    if (!found.contains(name)) {
      report.failure = {OdooOutcome::permanent,
                        {},
                        "odoo.categories",
                        "product category '" + name +
                            "' (odoo.categories) is not in Odoo: give its full name as Odoo shows it, "
                            "e.g. 'All / Pharmacy'; the catalogue was not updated"};
      return false;
    }
  }
  return puller.read_all(
      "product.product", Json::array({Json::array({"categ_id", "child_of", category_ids})}), kWriteDate,
      [&](const Json& row) { formulary.insert(row["id"].get<std::int64_t>()); }, scope.page_size, true);
}

// Sums the quants per location, product and lot, in the ledger's terms, and
// rebases the stock lines on them (Ledger::rebase_from_pull says which wait).
bool rebase_stock(storage::Ledger& ledger, const std::vector<Json>& quants,
                  const std::map<std::int64_t, std::string>& code_of, std::int64_t read_started_ms,
                  PullReport& report) {
  storage::Ledger::PulledStock pulled;
  pulled.read_started_ms = read_started_ms;
  for (const auto& [id, code] : code_of) pulled.locations.emplace_back(code);
  std::map<std::tuple<std::string, std::string, std::string>, storage::Ledger::Baseline> summed;
  for (const auto& row : quants) {
    const auto product = ledger.catalogue().product_by_id(id_of(row["product_id"]));
    const auto location = code_of.find(id_of(row["location_id"]));
    if (!product || location == code_of.end()) {
      pulled.complete = false;  // a line missing from `summed` is then not known to be zero
      continue;
    }
    const auto key = std::make_tuple(location->second, storage::stock_key(*product), name_of(row["lot_id"]));
    auto [line, added] =
        summed.try_emplace(key, storage::Ledger::Baseline{storage::LocationCode(location->second), std::get<1>(key),
                                                          std::get<2>(key), product->uom, storage::Quantity{}});
    line->second.quantity = line->second.quantity + quantity_of(row["quantity"]);
  }
  for (auto& [key, line] : summed) pulled.quants.push_back(std::move(line));
  const auto rebased = ledger.rebase_from_pull(pulled);
  if (!rebased) {
    report.failure = {OdooOutcome::transient, {}, "ledger", rebased.error().message};
    return false;
  }
  report.stock = *rebased;
  return true;
}

}  // namespace

std::string describe(const PullReport& r) {
  if (!r.ok()) {
    return std::string("catalogue pull stopped (") +
           (r.failure.outcome == OdooOutcome::transient ? "will retry" : "permanent") + "): " + r.failure.message;
  }
  std::string line = std::string("catalogue pull (") +
                     (r.full ? "full" : "since " + (r.since.empty() ? "the start" : r.since)) +
                     "): " + std::to_string(r.products) + " products, " + std::to_string(r.packagings) +
                     " packagings, " + std::to_string(r.lots) + " lots, " + std::to_string(r.locations) +
                     " locations, " + std::to_string(r.reorder_rules) + " reorder rules, " +
                     std::to_string(r.expected_transfers) + " expected transfers in " + std::to_string(r.rpcs) +
                     " calls; stock lines rebased on Odoo's quants: " + std::to_string(r.stock.rebased);
  const auto waiting = r.stock.in_flight + r.stock.newer;
  if (waiting > 0) line += ", " + std::to_string(waiting) + " left for their postings to settle";
  if (r.stock.unit_changed > 0) {
    line += ", " + std::to_string(r.stock.unit_changed) + " not rebased (Odoo counts them in another unit now)";
  }
  return line;
}

PullScope pull_scope(const config::OdooSettings& odoo) {
  PullScope scope;
  scope.location_codes = odoo.locations;
  scope.categories = odoo.categories;
  scope.done_window = std::chrono::hours(odoo.posting.receipt_done_window_h);
  return scope;
}

PullReport pull_catalogue(OdooClient& odoo, storage::Ledger& ledger, const PullScope& scope, bool full,
                          const PullProgress& progress) {
  PullReport report;
  report.failure.outcome = OdooOutcome::ok;
  report.full = full;
  auto& catalogue = ledger.catalogue();
  const std::string watermark = catalogue.setting(kWatermark);
  if (!full && !watermark.empty()) report.since = minus_seconds(watermark, scope.overlap_seconds);
  Json changed = Json::array();
  if (!report.since.empty()) changed.push_back(Json::array({"write_date", ">", report.since}));
  auto with_changes = [&changed](Json domain) {
    for (const auto& leaf : changed) domain.push_back(leaf);
    return domain;
  };
  Puller puller(odoo, report);
  std::string newest = watermark;
  auto note = [&newest](const Json& row) {
    const auto stamp = text_of(row.value("write_date", Json()));
    if (stamp > newest) newest = stamp;
  };

  // 1. The site's locations (always all of them: they are few).
  storage::CatalogueBatch batch;
  std::vector<std::int64_t> location_ids;
  std::map<std::int64_t, std::string> code_of;
  if (!puller.read_all(
          "stock.location", Json::array({Json::array({"barcode", "in", scope.location_codes})}), kLocationFields,
          [&](const Json& row) {
            const auto id = row["id"].get<std::int64_t>();
            location_ids.push_back(id);
            code_of[id] = text_of(row["barcode"]);
            batch.locations.push_back({id, storage::LocationCode(text_of(row["barcode"])),
                                       text_of(row["complete_name"]), text_of(row["usage"]),
                                       row.value("active", true)});
          },
          scope.page_size, true)) {
    return report;
  }
  report.locations = static_cast<std::int64_t>(batch.locations.size());

  // 2. The formulary: products stocked at the site or with a rule there, and
  // those of the configured categories.
  std::set<std::int64_t> formulary;
  const Json at_site = Json::array({Json::array({"location_id", "in", location_ids})});
  std::vector<Json> quants;
  if (!puller.read_all(
          "stock.quant", at_site, kQuantFields,
          [&](const Json& row) {
            formulary.insert(id_of(row["product_id"]));
            quants.push_back(row);
          },
          scope.page_size)) {
    return report;
  }
  std::vector<Json> rules;
  if (!puller.read_all(
          "stock.warehouse.orderpoint", at_site, kRuleFields,
          [&](const Json& row) {
            formulary.insert(id_of(row["product_id"]));
            rules.push_back(row);
          },
          scope.page_size)) {
    return report;
  }
  if (!scope.categories.empty() && !add_categories(puller, scope, formulary, report)) return report;
  for (const auto& row : rules) {
    batch.reorder_rules.push_back({storage::LocationCode(code_of[id_of(row["location_id"])]), id_of(row["product_id"]),
                                   quantity_of(row["product_min_qty"]), quantity_of(row["product_max_qty"])});
  }
  report.reorder_rules = static_cast<std::int64_t>(batch.reorder_rules.size());
  if (!read_units(puller, odoo.server_major_version(), scope, batch.units)) return report;
  if (auto written = catalogue.upsert(batch); !written) {
    report.failure = {OdooOutcome::transient, {}, "ledger", written.error().message};
    return report;
  }

  // 3. Products, packagings and lots of the formulary, changed since the watermark.
  const std::vector<std::int64_t> ids(formulary.begin(), formulary.end());
  const auto total = static_cast<std::int64_t>(ids.size());
  for (std::size_t first = 0; first < ids.size(); first += static_cast<std::size_t>(scope.page_size)) {
    const std::vector<std::int64_t> chunk(
        ids.begin() + static_cast<std::ptrdiff_t>(first),
        ids.begin() +
            static_cast<std::ptrdiff_t>(std::min(ids.size(), first + static_cast<std::size_t>(scope.page_size))));
    storage::CatalogueBatch page;
    const bool ok =
        puller.read_all(
            "product.product", with_changes(Json::array({Json::array({"id", "in", chunk})})), kProductFields,
            [&](const Json& row) {
              note(row);
              page.products.push_back({row["id"].get<std::int64_t>(), text_of(row["name"]), text_of(row["barcode"]),
                                       text_of(row["default_code"]), storage::UnitOfMeasure(name_of(row["uom_id"])),
                                       text_of(row["tracking"]).empty() ? "none" : text_of(row["tracking"]),
                                       row.value("active", true), text_of(row["write_date"])});
            },
            scope.page_size, true) &&
        puller.read_all(
            "product.packaging", with_changes(Json::array({Json::array({"product_id", "in", chunk})})),
            kPackagingFields,
            [&](const Json& row) {
              note(row);
              if (!text_of(row["barcode"]).empty()) {
                page.packagings.push_back({text_of(row["barcode"]), id_of(row["product_id"]), quantity_of(row["qty"])});
              }
            },
            scope.page_size) &&
        puller.read_all(
            "stock.lot", with_changes(Json::array({Json::array({"product_id", "in", chunk})})), kLotFields,
            [&](const Json& row) {
              note(row);
              page.lots.push_back({row["id"].get<std::int64_t>(), id_of(row["product_id"]), text_of(row["name"]),
                                   text_of(row["expiration_date"]).substr(0, 10)});
            },
            scope.page_size);
    if (!ok) return report;
    if (auto written = catalogue.upsert(page); !written) {
      report.failure = {OdooOutcome::transient, {}, "ledger", written.error().message};
      return report;
    }
    report.products += static_cast<std::int64_t>(page.products.size());
    report.packagings += static_cast<std::int64_t>(page.packagings.size());
    report.lots += static_cast<std::int64_t>(page.lots.size());
    if (progress) progress(std::min<std::int64_t>(total, static_cast<std::int64_t>(first) + scope.page_size), total);
  }
  // 4. The transfers Odoo expects into the site, all of them each time.
  if (!pull_expected(puller, ledger, location_ids, scope, report)) return report;
  // 5. The stock shown here rebased on Odoo's quants, read in step 2.
  if (scope.now_ms > 0 && !rebase_stock(ledger, quants, code_of, scope.now_ms, report)) return report;
  // Only a complete pull moves the watermark, and counts as an exchange with Odoo.
  if (!newest.empty()) (void)catalogue.set_setting(kWatermark, newest);
  (void)catalogue.mark_pulled();
  return report;
}

}  // namespace edgestock::sync
