#include "demo.hpp"

#include <vector>

#include "edgestock/scanners/gtin.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/stock_event.hpp"
#include "stock_report.hpp"

namespace edgestock::agent {
namespace {

using namespace storage;

struct DemoProduct {
  std::int64_t odoo_id;
  const char* name;
  const char* ean13;  // as printed on the box
  const char* code;
  const char* uom;
  const char* tracking;
};

constexpr DemoProduct kProducts[] = {
    {101, "Nitrile gloves M, box of 100", "5012345670010", "GLV-NIT-M", "Boxes", "none"},
    {102, "Sodium chloride 0.9% 10 ml amp", "5012345670027", "NACL-10", "Units", "lot"},
    {103, "Paracetamol 500 mg tablets", "5012345670034", "PARA-500", "Units", "lot"},
    {104, "Sterile dressing 10x10 cm", "5012345670041", "DRS-1010", "Units", "none"},
    {105, "Syringe 10 ml luer lock", "5012345670058", "SYR-10", "Units", "none"},
};

MoveRequest move(MoveKind kind, const DemoProduct& product, const char* amount) {
  MoveRequest r;
  r.kind = kind;
  // The scanner hands over the EAN-13 as printed; the ledger keeps GTIN-14.
  r.product.gtin = scanners::normalize_gtin(product.ean13).value();
  r.product.odoo_id = product.odoo_id;
  r.product.code = product.code;
  r.qty = Quantity::parse(amount).value();
  r.uom = UnitOfMeasure(product.uom);
  r.raw = product.ean13;
  return r;
}

MoveRequest receipt(const DemoProduct& p, const char* amount, const char* lot = "", const char* expiry = "") {
  MoveRequest r = move(MoveKind::receipt, p, amount);
  r.from = LocationCode("PHARM");
  r.to = LocationCode("WARD3");
  r.lot = lot;
  r.expiry = expiry;
  r.operator_id = OperatorId("tech-017");
  return r;
}

MoveRequest issue(const DemoProduct& p, const char* amount, const char* encounter, const char* lot = "") {
  MoveRequest r = move(MoveKind::issue, p, amount);
  r.from = LocationCode("WARD3");
  r.to = LocationCode("CONSUME");
  r.cost_centre = "CC-WARD3";
  r.encounter = encounter;
  r.lot = lot;
  r.operator_id = OperatorId("nurse-042");
  return r;
}

std::expected<Move, LedgerError> record(Ledger& ledger, const MoveRequest& request, std::ostream& out) {
  auto recorded = ledger.record(request);
  if (recorded) {
    const auto& r = recorded->request;
    out << "  #" << recorded->seq.value << " " << to_string(r.kind) << " " << r.qty.to_string() << " " << r.uom.str()
        << " " << r.product.code;
    if (!r.lot.empty()) out << " lot " << r.lot;
    out << "\n";
  }
  return recorded;
}

}  // namespace

int run_demo(const std::filesystem::path& path, std::ostream& out, std::ostream& err) {
  SystemClock clock;
  LedgerOptions options;
  options.path = path;
  options.terminal = TerminalId("ward3-t1");
  options.site = SiteId("stjames");
  auto opened = Ledger::open(options, clock);
  if (!opened) {
    err << "edgestock demo: " << opened.error().message << "\n";
    return 1;
  }
  Ledger& ledger = **opened;
  for (const auto& p : kProducts) {
    const std::string barcode = p.ean13;
    if (auto done = ledger.catalogue().upsert(
            Product{p.odoo_id, p.name, barcode, p.code, UnitOfMeasure(p.uom), p.tracking, true, ""});
        !done) {
      err << "edgestock demo: " << done.error().message << "\n";
      return 1;
    }
  }
  const auto& gloves = kProducts[0];
  const auto& saline = kProducts[1];
  const auto& paracetamol = kProducts[2];
  const auto& dressing = kProducts[3];
  const auto& syringe = kProducts[4];

  out << "Ward 3 store, terminal ward3-t1 at site stjames; ledger " << path.string() << "\n\n";
  out << "Morning delivery from central pharmacy, received by tech-017:\n";
  std::vector<MoveRequest> script{
      receipt(gloves, "12"),
      receipt(saline, "200", "NS24117", "2027-06-30"),
      receipt(paracetamol, "500", "PA2409B", "2028-01-31"),
      receipt(dressing, "80"),
      receipt(syringe, "150"),
  };
  for (const auto& request : script) {
    if (auto r = record(ledger, request, out); !r) {
      err << "edgestock demo: " << r.error().message << "\n";
      return 1;
    }
  }
  out << "\nIssues to patients by nurse-042 (cost centre CC-WARD3):\n";
  std::vector<MoveRequest> issues{
      issue(saline, "4", "ENC-7f3a", "NS24117"),
      issue(paracetamol, "8", "ENC-7f3a", "PA2409B"),
      issue(dressing, "3", "ENC-1c92"),
      issue(syringe, "6", "ENC-1c92"),
      issue(gloves, "1", "ENC-1c92"),
      issue(saline, "2", "ENC-55d0", "NS24117"),
  };
  for (const auto& request : issues) {
    if (auto r = record(ledger, request, out); !r) {
      err << "edgestock demo: " << r.error().message << "\n";
      return 1;
    }
  }

  out << "\nTransfer of dressings to theatre 2:\n";
  MoveRequest transfer = move(MoveKind::transfer, dressing, "20");
  transfer.from = LocationCode("WARD3");
  transfer.to = LocationCode("THEATRE2");
  transfer.operator_id = OperatorId("nurse-042");
  (void)record(ledger, transfer, out);

  out << "\nA box of gloves scanned twice by mistake, then reversed:\n";
  const auto mistake = record(ledger, issue(gloves, "1", "ENC-1c92"), out);
  MoveRequest undo;
  undo.kind = MoveKind::reversal;
  undo.reverses = mistake->id;
  undo.operator_id = OperatorId("nurse-042");
  undo.reason = "double scan";
  if (auto r = ledger.record(undo)) out << "  #" << r->seq.value << " reversal of #" << mistake->seq.value << "\n";

  out << "\nCycle count of syringes (the shelf holds 141, the ledger expected 144):\n";
  MoveRequest count = move(MoveKind::count, syringe, "0");
  const auto expected = ledger.stock_line(LocationCode("WARD3"), count.product.key(), "");
  count.to = LocationCode("WARD3");
  count.counted = Quantity::units(141);
  count.expected = expected && *expected ? (*expected)->on_hand() : Quantity{};
  count.operator_id = OperatorId("nurse-042");
  (void)record(ledger, count, out);

  out << "\nA scan the ledger refuses (zero quantity): ";
  const auto refused = ledger.record(issue(syringe, "0", "ENC-55d0"));
  out << (refused ? std::string("recorded?!") : refused.error().message) << "\n";

  out << "\nStock now (on hand = last Odoo figure + moves Odoo has not confirmed yet):\n";
  if (!print_stock(ledger, out, out)) return 1;

  const auto verdict = ledger.audit().verify();
  out << "\nWaiting to go out: " << ledger.outbox().backlog(kDestinationMqtt).value_or(-1) << " stock events for MQTT, "
      << ledger.outbox().backlog(kDestinationOdoo).value_or(-1) << " postings for Odoo.\n";
  out << "Audit chain: " << verdict.entries_checked << " entries, "
      << (verdict.intact() ? "intact" : "BROKEN at entry " + std::to_string(*verdict.first_broken)) << ".\n";
  const auto first = ledger.moves_after(Seq{0}, 1);
  if (first && !first->empty())
    out << "\nThe first stock event, as it will be published:\n" << sync::stock_event_json(first->front()) << "\n";
  return verdict.intact() ? 0 : 1;
}

}  // namespace edgestock::agent
