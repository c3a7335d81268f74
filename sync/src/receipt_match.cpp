#include "edgestock/sync/receipt_match.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <tuple>

#include "edgestock/storage/dates.hpp"

namespace edgestock::sync {
namespace {

using storage::ExpectedTransfer;
using storage::Quantity;

// What is still to be received on one expected line.
struct Room {
  std::string lot;
  Quantity left;
};

struct Candidate {
  const ExpectedTransfer* transfer = nullptr;
  std::vector<std::vector<Room>*> rooms;
};

Quantity sum_where(const std::vector<Room>& rooms, const auto& keep) {
  Quantity total;
  for (const auto& room : rooms) {
    if (keep(room)) total = total + room.left;
  }
  return total;
}

// Takes `qty` from the lines: the scan's lot first, then lines without a lot,
// then (open transfers only) lines of other lots.
void take(std::vector<Room>& rooms, const std::string& lot, Quantity qty, bool other_lots) {
  for (const int pass : {0, 1, 2}) {
    if (pass == 2 && !other_lots) break;
    for (auto& room : rooms) {
      if (qty <= Quantity{}) return;
      const bool fits = pass == 0 ? room.lot == lot : pass == 1 ? room.lot.empty() : room.lot != lot;
      if (!fits || room.left <= Quantity{}) continue;
      const Quantity taken = std::min(room.left, qty);
      room.left = room.left - taken;
      qty = qty - taken;
    }
  }
}

std::string describe(const ExpectedTransfer& transfer, const std::vector<Room>& rooms) {
  std::string lots;
  Quantity total;
  for (const auto& room : rooms) {
    total = total + room.left;
    if (!room.lot.empty() && room.left > Quantity{}) lots += (lots.empty() ? "" : ", ") + room.lot;
  }
  return transfer.name + " (booked into the store by central, " + total.to_string() + " left to confirm" +
         (lots.empty() ? "" : ", lot " + lots) + ")";
}

}  // namespace

std::vector<ReceiptMatch> match_receipts(std::span<const ReceivedScan> scans,
                                         std::span<const storage::ExpectedTransfer> expected,
                                         std::chrono::milliseconds done_window) {
  // Room per transfer and product, in the transfers' order.
  std::vector<std::map<std::int64_t, std::vector<Room>>> room(expected.size());
  std::vector<std::optional<std::int64_t>> done_at(expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    for (const auto& line : expected[i].lines) room[i][line.product_id].push_back({line.lot, line.qty});
    if (expected[i].done()) done_at[i] = storage::parse_odoo_datetime(expected[i].date_done);
  }
  std::vector<ReceiptMatch> matches;
  matches.reserve(scans.size());
  for (const auto& scan : scans) {
    // (rank, done first, scheduled, id) -> transfer index; lower is better.
    std::optional<std::tuple<int, int, std::string, std::int64_t, std::size_t>> best;
    std::optional<std::size_t> mismatched;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto& transfer = expected[i];
      if (transfer.to != scan.to) continue;
      const auto found = room[i].find(scan.product);
      if (found == room[i].end()) continue;
      const auto& rooms = found->second;
      int rank = 0;
      if (transfer.done()) {
        if (!done_at[i] || std::abs(scan.occurred_at_ms - *done_at[i]) > done_window.count()) continue;
        const auto same = sum_where(rooms, [&](const Room& r) { return r.lot == scan.lot; });
        const auto fitting = sum_where(rooms, [&](const Room& r) { return r.lot == scan.lot || r.lot.empty(); });
        if (same >= scan.qty) {
          rank = 0;
        } else if (fitting >= scan.qty) {
          rank = 1;
        } else {
          if (!mismatched) mismatched = i;
          continue;
        }
      } else {
        const auto same = sum_where(rooms, [&](const Room& r) { return r.lot == scan.lot; });
        const auto any = sum_where(rooms, [](const Room&) { return true; });
        rank = same >= scan.qty ? 0 : any >= scan.qty ? 1 : any > Quantity{} ? 2 : 3;
      }
      const std::tuple key{rank, transfer.done() ? 0 : 1, transfer.scheduled, transfer.picking_id, i};
      if (!best || key < *best) best = key;
    }
    if (best) {
      const auto i = std::get<4>(*best);
      const auto& transfer = expected[i];
      take(room[i][scan.product], scan.lot, scan.qty, !transfer.done());
      matches.push_back(
          {transfer.done() ? ReceiptFate::confirms_done : ReceiptFate::into_open, transfer.picking_id, {}});
    } else if (mismatched) {
      const auto& transfer = expected[*mismatched];
      matches.push_back({ReceiptFate::mismatch, transfer.picking_id,
                         "received " + scan.qty.to_string() + (scan.lot.empty() ? "" : " of lot " + scan.lot) +
                             ", which does not agree with " + describe(transfer, room[*mismatched][scan.product]) +
                             "; check the delivery, then map or void this receipt"});
    } else {
      matches.push_back({ReceiptFate::no_expected, 0, {}});
    }
  }
  return matches;
}

}  // namespace edgestock::sync
