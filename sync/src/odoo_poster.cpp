#include "edgestock/sync/odoo_poster.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/storage/postings.hpp"
#include "odoo_json.hpp"
#include "posting_wire.hpp"

namespace edgestock::sync {
using posting_wire::to_json;

std::expected<std::int64_t, std::string> catalogue_product(const storage::Catalogue& catalogue,
                                                           const storage::ProductRef& product) {
  std::optional<storage::Product> found;
  // Mapped by a person (edgestock exceptions map): that product, whatever the scan said.
  if (const auto mapped = catalogue.setting(std::string(kProductMapPrefix) + product.key()); !mapped.empty()) {
    found = catalogue.product_by_id(std::stoll(mapped));
  }
  if (!found && product.odoo_id) found = catalogue.product_by_id(*product.odoo_id);
  if (!found && !product.gtin.empty()) {
    found = catalogue.product_by_barcode(product.gtin);
    if (!found && product.gtin.starts_with('0')) found = catalogue.product_by_barcode(product.gtin.substr(1));
  }
  if (!found && !product.code.empty()) found = catalogue.product_by_code(product.code);
  const std::string named = product.key().empty() ? "the product" : "product " + product.key();
  if (!found) return std::unexpected(named + " is not in the catalogue from Odoo: map it to an Odoo product");
  if (!found->active) return std::unexpected(named + " (" + found->name + ") is archived in Odoo");
  return found->odoo_id;
}

std::expected<std::int64_t, std::string> catalogue_lot(const storage::Catalogue& catalogue, std::int64_t product,
                                                       const std::string& lot) {
  if (const auto mapped = catalogue.setting(lot_map_key(product, lot)); !mapped.empty()) return std::stoll(mapped);
  if (const auto found = catalogue.lot(product, lot)) return found->odoo_id;
  return std::unexpected("lot " + lot + " of Odoo product " + std::to_string(product) +
                         " is unknown to Odoo: map it to an Odoo lot");
}

std::expected<std::int64_t, std::string> catalogue_unit(const storage::Catalogue& catalogue, std::int64_t product,
                                                        const storage::UnitOfMeasure& unit) {
  const auto found = catalogue.product_by_id(product);
  if (!found || found->uom == unit) return 0;
  const auto recorded = catalogue.unit(unit);
  const auto now = catalogue.unit(found->uom);
  const std::string what =
      "recorded in " + unit.str() + ", but Odoo now counts " + found->name + " in " + found->uom.str();
  if (!recorded || !now) {
    return std::unexpected(what + ", and " + (recorded ? found->uom.str() : unit.str()) +
                           " is not a unit this terminal has from Odoo: pull the catalogue (edgestock pull), then "
                           "retry; or void the move and record it again");
  }
  if (!storage::convert(storage::Quantity::units(1), *recorded, *now)) {
    return std::unexpected(what +
                           ", a unit of another kind that does not convert: void the move and record it "
                           "again in " +
                           found->uom.str());
  }
  return recorded->odoo_id;
}

OdooPoster::OdooPoster(OdooClient& odoo, storage::Ledger& ledger, OdooSite site, PosterSettings settings,
                       const storage::Clock& clock)
    : odoo_(odoo),
      ledger_(ledger),
      site_(std::move(site)),
      settings_(std::move(settings)),
      clock_(clock),
      backoff_(settings_.retry_first, settings_.retry_cap) {
  if (!site_.original) {
    site_.original = [this](const storage::MoveId& id) -> std::optional<storage::Move> {
      auto found = ledger_.find_move(id);
      return found ? *found : std::nullopt;
    };
  }
}

void OdooPoster::set_site(OdooSite site) {
  if (!site.original) site.original = std::move(site_.original);
  site_ = std::move(site);
}

OdooReply OdooPoster::call(const std::string& model, const std::string& method, const std::string& params,
                           PostRound& round) {
  ++round.rpcs;
  return odoo_.call(model, method, params);
}

PostRound OdooPoster::run_once() {
  PostRound round;
  plan(round);
  if (!round.last_error.empty()) return round;
  const auto open = ledger_.postings().open(clock_.now_ms());
  if (!open) {
    round.last_error = open.error().message;
    return round;
  }
  for (const auto& batch : *open) {
    if (send(batch.batch_id, round) != Step::done) break;  // later batches wait: their quants would mislead
  }
  if (!round.retry_later) backoff_.reset();
  return round;
}

void OdooPoster::plan(PostRound& round) {
  auto& outbox = ledger_.outbox();
  std::vector<storage::Move> together;
  std::vector<storage::Move> alone;  // from a batch split after a permanent error
  std::map<std::string, storage::Seq> seq_of;
  storage::Seq after{0};
  while (together.size() + alone.size() < settings_.plan_page) {
    const auto due = outbox.due(storage::kDestinationOdoo, clock_.now_ms(), settings_.plan_page, after);
    if (!due) {
      round.last_error = due.error().message;
      return;
    }
    if (due->empty()) break;
    std::vector<storage::Seq> seqs;
    for (const auto& item : *due) seqs.push_back(item.move.seq);
    const auto batched = ledger_.postings().batched(seqs);
    const auto split = ledger_.postings().split_before(seqs);
    if (!batched || !split) {
      round.last_error = (batched ? split.error() : batched.error()).message;
      return;
    }
    const std::set<storage::Seq> in_batch(batched->begin(), batched->end());
    const std::set<storage::Seq> was_split(split->begin(), split->end());
    for (const auto& item : *due) {
      if (in_batch.contains(item.move.seq)) continue;
      seq_of[item.move.id.str()] = item.move.seq;
      (was_split.contains(item.move.seq) ? alone : together).push_back(item.move);
    }
    after = due->back().move.seq;
  }
  if (together.empty() && alone.empty()) return;

  // What Odoo expects into the site and nothing has received into yet.
  site_.receipts.quiet = settings_.receipt_quiet;
  site_.receipts.done_window = settings_.done_window;
  site_.receipts.now_ms = clock_.now_ms();
  site_.receipts.expected.clear();
  const auto is_receipt = [](const storage::Move& m) { return m.request.kind == storage::MoveKind::receipt; };
  const bool receipts = std::ranges::any_of(together, is_receipt) || std::ranges::any_of(alone, is_receipt);
  if (const auto taken = ledger_.postings().expected_taken(); receipts && taken) {
    const std::set<std::int64_t> received(taken->begin(), taken->end());
    for (auto& transfer : ledger_.catalogue().expected_transfers()) {
      if (!received.contains(transfer.picking_id)) site_.receipts.expected.push_back(std::move(transfer));
    }
  }
  auto plan = plan_postings(together, site_, settings_.limits);
  auto singles = plan_postings(alone, site_, BatchLimits{settings_.limits.window, 1});
  for (auto& posting : singles.postings) {  // a name of their own: "batch-<id>" was the split batch's
    posting.batch_id = "move-" + posting.lines.front().move.str();
    posting.origin = "EDGE:" + posting.batch_id;
  }
  for (auto* part : {&singles}) {
    plan.postings.insert(plan.postings.end(), part->postings.begin(), part->postings.end());
    plan.held.insert(plan.held.end(), part->held.begin(), part->held.end());
    plan.nothing_to_post.insert(plan.nothing_to_post.end(), part->nothing_to_post.begin(), part->nothing_to_post.end());
  }
  for (const auto& held : plan.held) {
    if (outbox.mark_exception(storage::kDestinationOdoo, seq_of.at(held.move.str()), held.reason)) ++round.held;
  }
  for (const auto& id : plan.nothing_to_post) (void)outbox.mark_sent(storage::kDestinationOdoo, seq_of.at(id.str()));
  round.waiting = static_cast<std::int64_t>(plan.waiting.size());
  std::vector<storage::NewPostingBatch> batches;
  for (const auto& posting : plan.postings) {
    storage::NewPostingBatch batch{posting.batch_id, posting.origin, to_json(posting).dump(), {}, posting.expected};
    for (const auto& line : posting.lines) batch.seqs.push_back(seq_of.at(line.move.str()));
    round.planned += static_cast<std::int64_t>(batch.seqs.size());
    batches.push_back(std::move(batch));
  }
  if (auto fixed = ledger_.postings().fix(batches); !fixed) round.last_error = fixed.error().message;
}

}  // namespace edgestock::sync
