// Reading what reconciliation compares, from Odoo and from the ledger, and
// writing the report.
#include <limits>
#include <set>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/storage/postings.hpp"
#include "edgestock/sync/reconcile.hpp"
#include "odoo_json.hpp"

namespace edgestock::sync {
namespace {

using Json = nlohmann::json;
using odoo_json::id_of;
using odoo_json::name_of;
using odoo_json::quantity_of;
using odoo_json::text_of;

constexpr int kPage = 2000;

// search_read in pages; the failure when a call failed.
std::expected<std::vector<Json>, OdooReply> read_all(OdooClient& odoo, const char* model, const Json& domain,
                                                     const Json& fields) {
  std::vector<Json> rows;
  for (int offset = 0;; offset += kPage) {
    const Json params{{"domain", domain}, {"fields", fields}, {"offset", offset}, {"limit", kPage}, {"order", "id"}};
    const auto reply = odoo.call(model, "search_read", params.dump());
    if (!reply.ok()) return std::unexpected(reply);
    const auto page = Json::parse(reply.result, nullptr, false);
    if (!page.is_array()) {
      return std::unexpected(OdooReply{OdooOutcome::permanent,
                                       {},
                                       "bad reply",
                                       std::string("Odoo's answer to ") + model + ".search_read is not a list"});
    }
    for (const auto& row : page) rows.push_back(row);
    if (static_cast<int>(page.size()) < kPage) return rows;
  }
}

}  // namespace

std::expected<ReconcileInput, OdooReply> read_for_reconcile(OdooClient& odoo, storage::Ledger& ledger,
                                                            const std::map<std::string, std::int64_t>& locations,
                                                            std::int64_t now_ms) {
  ReconcileInput in;
  in.now_ms = now_ms;
  auto failed = [](const storage::LedgerError& e) {
    return OdooReply{OdooOutcome::permanent, {}, "ledger", e.message};
  };
  std::map<std::int64_t, std::string> code_of;
  Json ids = Json::array();
  for (const auto& [code, id] : locations) {
    code_of[id] = code;
    ids.push_back(id);
  }
  const auto quants = read_all(odoo, "stock.quant", Json::array({Json::array({"location_id", "in", ids})}),
                               Json::array({"product_id", "location_id", "lot_id", "quantity"}));
  if (!quants) return std::unexpected(quants.error());
  for (const auto& row : *quants) {
    const auto product = ledger.catalogue().product_by_id(id_of(row.value("product_id", Json())));
    const auto location = code_of.find(id_of(row.value("location_id", Json())));
    if (location == code_of.end()) continue;
    in.odoo.push_back(
        {storage::LocationCode(location->second),
         product ? storage::stock_key(*product) : "odoo:" + std::to_string(id_of(row.value("product_id", Json()))),
         name_of(row.value("lot_id", Json())), quantity_of(row.value("quantity", Json()))});
  }
  const Json booked_here =
      Json::array({Json::array({"origin", "like", "EDGE:"}), Json::array({"state", "=", "done"}), "|",
                   Json::array({"location_id", "in", ids}), Json::array({"location_dest_id", "in", ids})});
  const auto moves = read_all(odoo, "stock.move", booked_here, Json::array({"origin", "date"}));
  if (!moves) return std::unexpected(moves.error());
  for (const auto& row : *moves) {
    const auto origin = text_of(row.value("origin", Json()));
    if (!origin.starts_with("EDGE:") || origin.starts_with("EDGE:batch-") || origin.starts_with("EDGE:move-")) continue;
    in.bookings.push_back(
        {origin.substr(5), storage::parse_odoo_datetime(text_of(row.value("date", Json()))).value_or(0)});
  }

  auto local = ledger.stock();
  if (!local) return std::unexpected(failed(local.error()));
  for (const auto& line : *local) {
    if (locations.contains(line.location.str())) in.local.push_back(line);
  }
  // The moves meant for Odoo: those it booked, and those still waiting.
  const auto posted = ledger.postings().posted();
  if (!posted) return std::unexpected(failed(posted.error()));
  const std::set<storage::Seq> done(posted->begin(), posted->end());
  const auto received = ledger.postings().received_into();
  if (!received) return std::unexpected(failed(received.error()));
  const std::map<storage::Seq, std::int64_t> transfer_of(received->begin(), received->end());
  std::set<std::int64_t> transfers;
  for (const auto& [seq, transfer] : *received) transfers.insert(transfer);
  if (!transfers.empty()) {
    const auto states =
        read_all(odoo, "stock.picking", Json::array({Json::array({"id", "in", transfers})}), Json::array({"state"}));
    if (!states) return std::unexpected(states.error());
    for (const auto& row : *states)
      in.transfer_states[id_of(row.value("id", Json()))] = text_of(row.value("state", Json()));
  }
  std::set<storage::Seq> waiting;
  for (storage::Seq after{0};;) {
    const auto due =
        ledger.outbox().due(storage::kDestinationOdoo, std::numeric_limits<std::int64_t>::max() / 4, kPage, after);
    if (!due) return std::unexpected(failed(due.error()));
    for (const auto& item : *due) {
      waiting.insert(item.move.seq);
      in.moves.push_back({item.move.id.str(), item.move.occurred_at_ms, false, 0});
    }
    if (due->size() < static_cast<std::size_t>(kPage)) break;
    after = due->back().move.seq;
  }
  for (storage::Seq after{0};;) {
    const auto page = ledger.moves_after(after, kPage);
    if (!page) return std::unexpected(failed(page.error()));
    for (const auto& move : *page) {
      if (done.contains(move.seq) && !waiting.contains(move.seq)) {
        const auto transfer = transfer_of.find(move.seq);
        in.moves.push_back(
            {move.id.str(), move.occurred_at_ms, true, transfer == transfer_of.end() ? 0 : transfer->second});
      }
    }
    if (page->size() < static_cast<std::size_t>(kPage)) break;
    after = page->back().seq;
  }
  return in;
}

std::string report_text(const ReconcileReport& r) {
  std::string out = "stock: location, product, lot: Odoo | baseline | pending\n";
  for (const auto& row : r.stock) {
    if (!row.held_here) continue;  // Odoo's stock of what was never scanned here
    out += std::string(row.differs() ? "* " : "  ") + row.location.str() + "  " + row.product_key +
           (row.lot.empty() ? "" : "  lot " + row.lot) + ": " + row.odoo.to_string() + " | " +
           row.baseline.to_string() + " | " + row.pending.to_string() + "\n";
  }
  if (r.drifted() > 0) {
    out += std::to_string(r.drifted()) +
           " lines (*) differ from Odoo: its stock changed since it was read here; the next posting or pull rebases "
           "them, nothing here is overwritten\n";
  }
  auto list = [&out](const char* title, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    out += title;
    for (const auto& id : ids) out += "\n  " + id;
    out += "\n";
  };
  list("BOOKED TWICE IN ODOO (check these pickings now):", r.twice);
  list("POSTED BUT NOT IN ODOO (check these moves now):", r.missing);
  list("booked in Odoo, unknown to this ledger (another terminal's, or by hand):", r.unknown);
  auto moves = [&out](const char* title, const std::vector<LedgerMove>& found) {
    if (found.empty()) return;
    out += title;
    for (const auto& m : found) out += "\n  " + m.move_id + " of " + storage::rfc3339_ms(m.occurred_at_ms);
    out += "\n";
  };
  moves("waiting for Odoo for more than a day:", r.waiting);
  moves("booked in a later month than they happened:", r.late);
  out += r.loud() ? "RECONCILIATION FAILED\n" : "reconciled: every posted move is in Odoo once\n";
  return out;
}

std::string report_json(const ReconcileReport& r) {
  Json stock = Json::array();
  for (const auto& row : r.stock) {
    stock.push_back({{"location", row.location.str()},
                     {"product", row.product_key},
                     {"lot", row.lot},
                     {"odoo", row.odoo.to_string()},
                     {"baseline", row.baseline.to_string()},
                     {"pending", row.pending.to_string()},
                     {"differs", row.differs()}});
  }
  auto ids = [](const std::vector<LedgerMove>& moves) {
    Json out = Json::array();
    for (const auto& m : moves)
      out.push_back({{"move", m.move_id}, {"occurred_at", storage::rfc3339_ms(m.occurred_at_ms)}});
    return out;
  };
  return Json{{"ok", !r.loud()},      {"stock", stock},       {"drifted", r.drifted()},    {"twice", r.twice},
              {"missing", r.missing}, {"unknown", r.unknown}, {"waiting", ids(r.waiting)}, {"late", ids(r.late)}}
      .dump();
}

}  // namespace edgestock::sync
