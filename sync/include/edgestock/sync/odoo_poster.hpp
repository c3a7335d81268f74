#pragma once
// Posts the ledger's moves to Odoo, exactly once each (DESIGN.md, Odoo
// mapping). One round:
//   1. plans the moves waiting for Odoo that are in no batch yet
//      (posting_plan.hpp), holds what cannot be posted in the exception
//      queue, and fixes the batches in the ledger before anything is sent;
//   2. sends each open batch, oldest first: a batch sent before (its outcome
//      may be unknown) is first looked up by origin, so it is never created
//      twice; a picking is created with what physically moved (each move's
//      quantity, picked, its lots as move lines) and validated with both
//      skip_backorder and picking_ids_not_to_backorder, so nothing stays open;
//      a receipt goes into the transfer Odoo expects (odoo_poster_receive.cpp)
//      or confirms one done at dispatch;
//   3. after each batch, reads the quants it touched and settles it: its moves
//      leave `pending` and the baselines are set in one transaction.
// A transient failure ends the round (the batch is retried with capped
// backoff); a permanent one splits a batch of several moves so the others go
// through, and sends a single move to the exception queue with Odoo's words.
// Synchronous: runs on the thread that owns the OdooClient.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/storage/backoff.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "edgestock/sync/posting_plan.hpp"

namespace edgestock::storage {
class Catalogue;
class Clock;
class Ledger;
struct PostingBatch;
}  // namespace edgestock::storage

namespace edgestock::sync {

struct PosterSettings {
  BatchLimits limits;
  // Odoo's stock.picking.type ids by code: incoming, internal, outgoing.
  std::map<std::string, std::int64_t> picking_types;
  std::chrono::milliseconds retry_first{std::chrono::seconds(5)};
  std::chrono::milliseconds retry_cap{std::chrono::minutes(10)};
  std::size_t plan_page = 2000;  // moves read from the queue at a time
  // Receipts into expected transfers (posting_plan.hpp, ReceiptRules).
  std::chrono::milliseconds receipt_quiet{std::chrono::minutes(30)};
  std::chrono::milliseconds done_window{std::chrono::hours(72)};
  // A short receipt closes the transfer (true) or leaves Odoo's backorder for the rest.
  bool close_short_receipts = false;
};

struct PostRound {
  std::int64_t planned = 0;  // moves put into new batches
  std::int64_t held = 0;     // moves sent to the exception queue by the planner
  std::int64_t posted = 0;   // batches Odoo booked this round
  std::int64_t failed = 0;   // batches whose moves went to the exception queue
  std::int64_t split = 0;    // batches split after a permanent error
  std::int64_t waiting = 0;  // receipts of an expected transfer not yet complete nor quiet
  std::int64_t rpcs = 0;
  std::vector<double> booked_seconds;  // each batch booked: from being fixed in the ledger to Odoo's booking
  bool retry_later = false;            // a transient failure ended the round
  std::string last_error;
};

// The planner's lookups in the local catalogue (what the last pull brought):
// a product by Odoo id, GTIN (with or without its leading zero) or default
// code, refused when archived; a lot of a product by name.
// Where `edgestock exceptions map` keeps what a person mapped (catalogue
// settings): a product key to an Odoo product id, a product's lot to an Odoo
// lot id, a location code to an Odoo location id.
inline constexpr std::string_view kProductMapPrefix = "map.product.";
inline constexpr std::string_view kLocationMapPrefix = "map.location.";
inline std::string lot_map_key(std::int64_t product, const std::string& lot) {
  return "map.lot." + std::to_string(product) + "." + lot;
}

std::expected<std::int64_t, std::string> catalogue_product(const storage::Catalogue& catalogue,
                                                           const storage::ProductRef& product);
// The unit a move of `product` recorded in `unit` is posted in (OdooSite::unit).
std::expected<std::int64_t, std::string> catalogue_unit(const storage::Catalogue& catalogue, std::int64_t product,
                                                        const storage::UnitOfMeasure& unit);
std::expected<std::int64_t, std::string> catalogue_lot(const storage::Catalogue& catalogue, std::int64_t product,
                                                       const std::string& lot);

class OdooPoster {
 public:
  OdooPoster(OdooClient& odoo, storage::Ledger& ledger, OdooSite site, PosterSettings settings,
             const storage::Clock& clock);

  PostRound run_once();
  // What the catalogue says now (after a pull); the reversal lookup is kept.
  void set_site(OdooSite site);

 private:
  enum class Step { done, retry, stop };
  void plan(PostRound& round);
  Step send(const std::string& batch_id, PostRound& round);
  std::optional<Step> create_lots(const storage::PostingBatch& batch, Posting& posting, PostRound& round);
  Step send_picking(const storage::PostingBatch& batch, const Posting& posting, PostRound& round);
  Step send_receive(const storage::PostingBatch& batch, const Posting& posting, PostRound& round);
  Step send_scrap(const storage::PostingBatch& batch, const Posting& posting, PostRound& round);
  Step settle(const Posting& posting, std::int64_t odoo_id, PostRound& round);
  // A call that failed: transient or permanent, by its outcome.
  Step failed(const storage::PostingBatch& batch, const Posting& posting, std::int64_t picking, const OdooReply& reply,
              PostRound& round);
  Step transient(const std::string& batch_id, const OdooReply& reply, PostRound& round);
  Step permanent(const storage::PostingBatch& batch, const Posting& posting, std::int64_t picking,
                 const std::string& reason, PostRound& round);
  OdooReply call(const std::string& model, const std::string& method, const std::string& params, PostRound& round);

  OdooClient& odoo_;
  storage::Ledger& ledger_;
  OdooSite site_;
  PosterSettings settings_;
  const storage::Clock& clock_;
  storage::Backoff backoff_;
};

}  // namespace edgestock::sync
