#pragma once
// Which transfer Odoo expects each received scan belongs to: a pure function.
//
// A receipt into a site location is matched to a transfer Odoo expects there
// (DESIGN.md, "receipt of an expected delivery") by product, lot and quantity:
//   open transfer  the scan is received into it; the transfer is posted once
//                  (posting_plan.hpp says when), with what arrived;
//   done transfer  central validated it at dispatch (one-step): the goods are
//                  already in Odoo's books, so the scan confirms it and posts
//                  nothing, when product, lot and quantity agree; more than it
//                  booked, or another lot, is a mismatch for a person;
//   none           a receipt with no expected transfer: a new incoming picking,
//                  flagged for review.
// Of the transfers to the scan's location with a line of its product, the one
// chosen has a line of the scan's lot with room for its quantity, else room
// for it on lines without a lot (or, open, of another lot: what arrived is
// what is booked), else, open, any room at all; among equals a done transfer
// (already dispatched) before an open one, then the one scheduled first. A
// scan beyond every open transfer's room still goes into an open one that has
// its product (Odoo books the extra). Scans are taken in the order given.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ids.hpp"
#include "edgestock/storage/quantity.hpp"

namespace edgestock::sync {

struct ReceivedScan {
  std::int64_t product = 0;  // Odoo product id
  std::string lot;
  storage::Quantity qty;
  std::int64_t to = 0;  // Odoo stock.location id it was received into
  std::int64_t occurred_at_ms = 0;
};

enum class ReceiptFate { no_expected, into_open, confirms_done, mismatch };

struct ReceiptMatch {
  ReceiptFate fate = ReceiptFate::no_expected;
  std::int64_t picking = 0;  // the expected transfer, for into_open and confirms_done
  std::string reason;        // for a mismatch, in words a store manager reads
};

// A done transfer is a candidate for scans made within `done_window` of its
// validation (either side: clocks differ). One match per scan, in order.
std::vector<ReceiptMatch> match_receipts(std::span<const ReceivedScan> scans,
                                         std::span<const storage::ExpectedTransfer> expected,
                                         std::chrono::milliseconds done_window);

}  // namespace edgestock::sync
