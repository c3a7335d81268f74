#pragma once
// A scan session at the store terminal, as a pure state machine driven by
// decoded scans and the time: badge -> location -> action -> items
// (quantities) -> confirm -> moves for the ledger. It never touches the
// ledger or the clock itself; the caller records the moves it hands out and
// tells it what was recorded. The chosen action (receive, issue, transfer,
// count) stays for the next items until the operator chooses another, the
// session times out or the badge changes; every answer about an item names
// the action and the quantity that will be recorded.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "edgestock/scanners/scan.hpp"
#include "edgestock/storage/move.hpp"

namespace edgestock::scanners {

// What a scanned product is, as the catalogue knows it.
struct ResolvedProduct {
  storage::ProductRef ref;
  storage::UnitOfMeasure uom;
  storage::Quantity per_scan = storage::Quantity::units(1);  // a box barcode: the units in the box
  std::string name;
  bool known = false;  // unknown products are still recorded (to resolve later)
};
using ProductResolver = std::function<ResolvedProduct(const DecodedScan&)>;
// On hand of (location, product key, lot) now: what a count expected.
// nullopt when the ledger cannot be read (a count is then not recorded).
using StockLookup =
    std::function<std::optional<storage::Quantity>(const std::string&, const std::string&, const std::string&)>;

struct SessionPolicy {
  std::string default_location;  // used until a location is scanned
  std::string consumption_location = "CONSUME";
  std::string receipt_source = "SUPPLIER";
  std::map<std::string, std::string> cost_centres;  // location -> cost centre for issues
  // operator badge -> actions allowed: receive, issue, transfer, count. An
  // operator not listed is refused.
  std::map<std::string, std::set<Command>> roles;
  bool block_expired_issue = true;                         // else warn and record
  std::set<std::pair<std::string, std::string>> recalled;  // (GTIN, lot)
  std::int64_t auto_confirm_ms = 0;                        // 0: confirm by command only
  // After this long without a scan the operator is signed out and open lines
  // are cancelled: the next person must scan their own badge. 0: never.
  std::int64_t idle_logout_ms = 0;
  // GS1 location labels: a GLN (13 digits), or a GLN and its AI 254
  // extension as "GLN/EXT", to a location code. A GLN not listed is itself
  // the code (Odoo's stock.location.barcode may hold it); an extension not
  // listed is refused.
  std::map<std::string, std::string> gln_locations;
  // The encounter reference of a patient's wristband GSRN (AI 8018): a keyed
  // hash, so that the number itself is never kept. Unset: wristbands are
  // refused (the site has no key).
  std::function<std::string(std::string_view)> encounter_of;
  std::string encounter_problem;  // why encounter_of is unset, for the refusal
};

struct Prompt {
  enum class Level { info, warning, refused };
  Level level = Level::info;
  std::string text;
  std::string alert;  // for central staff too: "recalled_lot" or "expired_lot"
};

struct SessionOutput {
  std::vector<Prompt> prompts;
  std::vector<storage::MoveRequest> moves;  // to record now, in order
};

class ScanSession {
 public:
  ScanSession(SessionPolicy policy, ProductResolver resolve, StockLookup stock);

  SessionOutput on_scan(const DecodedScan& scan, const std::string& raw, std::int64_t now_ms);
  // A scan that could not be decoded: shown to the operator, recorded nowhere.
  SessionOutput on_unreadable(const ScanError& error);
  // Auto-confirm when the configured time has passed since the last scan.
  SessionOutput on_tick(std::int64_t now_ms);
  // When on_tick next has something to do (an auto-confirm or a sign-out),
  // in the clock of now_ms; nullopt when nothing is due until the next scan.
  [[nodiscard]] std::optional<std::int64_t> next_deadline_ms() const;
  // New rules from a reloaded config. The operator and the open lines stay,
  // unless the badge is no longer known: it is signed out and its open lines
  // are cancelled (a lost badge revoked by IT records nothing more). A badge
  // whose rights were narrowed is refused at its next action.
  SessionOutput set_policy(SessionPolicy policy);
  // The caller recorded the moves of the last confirm, with these ids.
  void recorded(const std::vector<storage::MoveId>& ids);

  [[nodiscard]] const std::string& operator_id() const { return operator_; }
  [[nodiscard]] const std::string& location() const { return location_; }
  [[nodiscard]] std::size_t pending_lines() const { return lines_.size(); }
  // The wall clock cannot be right now ("" when it may be): expiry is not
  // judged by it (an expired-looking lot is a warning, never a refusal) and
  // confirms say the moves are flagged.
  void set_clock_problem(std::string problem) { clock_problem_ = std::move(problem); }
  // What the next items will be recorded as.
  [[nodiscard]] Command action() const { return action_.value_or(Command::issue); }

 private:
  struct Line {
    ResolvedProduct product;
    std::string lot;
    std::string expiry;
    std::string serial;
    std::string gtin;  // as scanned, for the recall list
    storage::Quantity qty;
    std::string raw;
    std::int64_t scanned_at_ms = 0;
  };
  SessionOutput item(const DecodedScan& scan, const std::string& raw, std::int64_t now_ms);
  SessionOutput location(const std::string& code);
  SessionOutput patient(const DecodedScan& scan);
  SessionOutput complete_last_line(const DecodedScan& scan, std::int64_t now_ms);
  // Recall and expiry for this product's lot: a refusal, or nullopt with any
  // warnings added to `out`.
  std::optional<SessionOutput> check_lot(const DecodedScan& scan, const ResolvedProduct& product, Command action,
                                         std::int64_t now_ms, SessionOutput& out);
  SessionOutput command(const DecodedScan& scan, std::int64_t now_ms);
  SessionOutput confirm();
  void reset_lines();
  [[nodiscard]] std::string describe(const Line& line) const;

  SessionPolicy policy_;
  ProductResolver resolve_;
  StockLookup stock_;
  std::string operator_;
  std::string location_;
  std::string destination_;  // transfers
  std::string encounter_;    // the patient the open lines are issued to
  std::optional<Command> action_;
  std::vector<Line> lines_;
  std::optional<std::int64_t> next_count_;  // a quantity code before the item
  std::int64_t last_scan_ms_ = 0;
  std::optional<std::int64_t> auto_confirm_tried_for_;  // the last_scan_ms_ of the last auto-confirm
  std::vector<storage::MoveId> last_recorded_;
  std::string clock_problem_;
};

}  // namespace edgestock::scanners
