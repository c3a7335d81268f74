#pragma once
// The stock move: the one fact the ledger records. Field names follow the
// stock event of DESIGN.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/storage/ids.hpp"
#include "edgestock/storage/quantity.hpp"

namespace edgestock::storage {

enum class MoveKind { receipt, issue, transfer, count, adjust, scrap, return_to_store, reversal };

// "receipt", "issue", ..., "return", "reversal".
std::string_view to_string(MoveKind kind);
// Unknown names give nullopt; callers report "unknown move kind".
std::optional<MoveKind> parse_move_kind(std::string_view name);

// How a move names its product: any of Odoo's id, a GTIN, the default code.
struct ProductRef {
  std::optional<std::int64_t> odoo_id;
  std::string gtin;
  std::string code;
  // The key stock is kept under: "gtin:<14 digits>", else "code:<code>",
  // else "odoo:<id>". Empty when the reference names nothing.
  [[nodiscard]] std::string key() const;
};

// What a scan session asks the ledger to record.
struct MoveRequest {
  MoveKind kind = MoveKind::issue;
  ProductRef product;
  std::string lot;
  std::string expiry;  // YYYY-MM-DD or empty
  std::string serial;
  Quantity qty;
  UnitOfMeasure uom;
  LocationCode from;
  LocationCode to;
  OperatorId operator_id;
  std::string reason;
  std::string cost_centre;
  std::string encounter;                       // opaque reference, never a patient's name or number
  MoveId reverses;                             // reversals only
  std::string raw;                             // the scanned text, separators escaped
  std::optional<Quantity> counted;             // counts only
  std::optional<Quantity> expected;            // counts only
  std::optional<std::int64_t> occurred_at_ms;  // defaults to the ledger's clock
  // Recorded while the wall clock could not be right (wall_clock_problem):
  // its times are not to be trusted. Set by the ledger itself.
  bool clock_suspect = false;
};

// A recorded move: the request plus what the ledger fixed when it was made
// durable.
struct Move {
  MoveId id;
  Seq seq;
  TerminalId terminal;
  SiteId site;
  std::int64_t occurred_at_ms = 0;
  MoveRequest request;
};

// How a move changes the stock of one (location, product, lot).
struct StockEffect {
  LocationCode location;
  std::string product_key;
  std::string lot;
  Quantity delta;
};

// Checks the rules a request must meet on its own (no database needed).
// Returns the reason it is refused, or nullopt when it is acceptable.
std::optional<std::string> check_move_request(const MoveRequest& request);

// The stock effects of a move of any kind but reversal. A reversal's effects are
// the negated effects of the move it reverses.
std::vector<StockEffect> stock_effects(const MoveRequest& request);

}  // namespace edgestock::storage
