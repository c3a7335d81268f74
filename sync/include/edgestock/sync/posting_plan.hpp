#pragma once
// What to post to Odoo for a run of recorded moves: a pure function, no I/O.
//
// Moves are batched into one picking per operation, picking type, location
// pair and cost centre, within a time window and a size cap. A batch's
// identity is its first move's id, so the same moves always plan to the same
// batches and origins: the picking carries origin "EDGE:batch-<first move id>",
// each of its moves "EDGE:<move id>". What cannot be posted (a product or
// location Odoo does not know, a cost centre without a consumption location,
// a reversal of a move the ledger does not hold) is held with its reason and
// never holds up the others.
//
// What each kind of move books (DESIGN.md, Odoo mapping):
//   receipt      into the transfer Odoo expects (receipt_match.hpp): that
//                transfer receives what arrived and is validated, or, done at
//                dispatch, is confirmed and nothing is posted; with none
//                expected, supplier -> store, an incoming picking flagged for review
//   issue        store -> consumption of its cost centre   outgoing picking
//   transfer     store -> store                      internal picking
//   count, adjust  the delta against the inventory-loss location (internal);
//                a zero delta posts nothing
//   scrap        stock.scrap from the store, one per move
//   return       consumption of its cost centre -> store (internal)
//   reversal     the opposite of the move it reverses

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/move.hpp"

namespace edgestock::sync {

// Receipts against what Odoo expects. A transfer is posted (received into, or
// confirmed) once: when everything it expects has arrived, or when no scan
// has come for it for `quiet` (the unpacking is over; what is short then
// follows the site's shortfall policy). Until then its scans wait.
struct ReceiptRules {
  std::vector<storage::ExpectedTransfer> expected;  // none received into yet
  std::chrono::milliseconds quiet{std::chrono::minutes(30)};
  std::chrono::milliseconds done_window{std::chrono::hours(72)};
  std::int64_t now_ms = 0;
};

// What the planner knows of the site in Odoo: from the catalogue and config.
struct OdooSite {
  std::map<std::string, std::int64_t> locations;  // location code -> stock.location id
  std::int64_t supplier = 0;                      // where receipts with no expected transfer come from
  std::int64_t consumption = 0;                   // issues without a cost centre
  std::map<std::string, std::int64_t> consumption_by_cost_centre;
  std::int64_t inventory_loss = 0;  // counts and adjustments
  std::int64_t scrap = 0;
  // A move's product as Odoo knows it, or why it cannot be posted (unknown
  // to the catalogue, archived in Odoo).
  std::function<std::expected<std::int64_t, std::string>(const storage::ProductRef&)> product;
  // A lot of a product as Odoo knows it (stock.lot id), or why not. Receipts
  // post a lot Odoo does not know by name, which creates it; other moves are
  // held until it is known (DESIGN.md: lot unknown to Odoo).
  std::function<std::expected<std::int64_t, std::string>(std::int64_t product, const std::string& lot)> lot;
  // Other moves of a lot Odoo does not know are posted too, the lot created
  // in Odoo by name first (odoo.posting.unknown_lots = create).
  bool create_unknown_lots = false;
  // The Odoo unit a move of `product` recorded in `unit` is posted in: 0 for
  // the product's own unit (Odoo's default), else the uom.uom id of that unit
  // when Odoo converts it into the product's (one family), or why not. Unset:
  // every move is in its product's unit.
  std::function<std::expected<std::int64_t, std::string>(std::int64_t product, const storage::UnitOfMeasure& unit)>
      unit;
  // The move a reversal names, if the ledger holds it.
  std::function<std::optional<storage::Move>(const storage::MoveId&)> original;
  ReceiptRules receipts;
};

// picking: a new picking, created and validated; scrap: a stock.scrap;
// receive: the expected transfer gets what arrived and is validated;
// confirm: the expected transfer was done at dispatch, nothing is sent.
enum class Operation { picking, scrap, receive, confirm };

struct PostingLine {
  storage::MoveId move;
  std::string origin;  // "EDGE:<move id>"
  std::int64_t product = 0;
  storage::Quantity qty;  // always positive: the direction is the posting's
  std::string lot;
  std::int64_t lot_id = 0;  // 0 with a lot: a receipt's new lot, created by name
  std::string expiry;
  std::int64_t occurred_at_ms = 0;
  std::int64_t uom = 0;  // the uom.uom of `qty` when not the product's own (Odoo converts it)
};

struct Posting {
  std::string batch_id;  // "batch-<first move id>"; for a scrap, the move id
  std::string origin;    // "EDGE:<batch id>"
  Operation operation = Operation::picking;
  std::string picking_type;  // incoming, internal, outgoing
  std::int64_t from = 0;
  std::int64_t to = 0;
  std::string cost_centre;
  std::vector<PostingLine> lines;
  std::int64_t expected = 0;  // receive, confirm: the Odoo transfer
  std::string expected_name;  // its name (WH/INT/00012)
  bool review = false;        // a receipt no transfer expected: flagged in Odoo for a person
};

struct HeldMove {
  storage::MoveId move;
  std::string reason;  // for the exception queue, in words a store manager reads
};

struct PostingPlan {
  std::vector<Posting> postings;
  std::vector<HeldMove> held;
  std::vector<storage::MoveId> nothing_to_post;  // zero-delta counts
  std::vector<storage::MoveId> waiting;          // receipts of a transfer not yet complete nor quiet
};

// A picking spans at most `window` of scanning (from its first move) and
// `max_lines` moves. Online, each round posts what waits, so pickings stay
// small and prompt; the window shapes a backlog after an outage: a day of
// moves per picking, which a week offline turns into a few dozen pickings,
// not thousands. 500 moves validate in one call on a real Odoo.
struct BatchLimits {
  std::chrono::milliseconds window{std::chrono::hours(24)};
  std::size_t max_lines = 500;
};

// Moves in seq order.
PostingPlan plan_postings(std::span<const storage::Move> moves, const OdooSite& site, const BatchLimits& limits);

}  // namespace edgestock::sync
