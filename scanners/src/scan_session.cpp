#include "edgestock/scanners/scan_session.hpp"

#include <algorithm>

#include "edgestock/storage/dates.hpp"

namespace edgestock::scanners {
namespace {

using Level = Prompt::Level;

SessionOutput say(Level level, std::string text) {
  return SessionOutput{{Prompt{level, std::move(text), ""}}, {}};
}
SessionOutput refuse(std::string text) {
  return say(Level::refused, std::move(text));
}

std::string verb(Command action) {
  switch (action) {
    case Command::receive:
      return "receive";
    case Command::transfer:
      return "transfer";
    case Command::count:
      return "count";
    default:
      return "issue";
  }
}

std::string label(const ResolvedProduct& product) {
  if (!product.name.empty()) return product.name;
  return product.ref.key();
}

}  // namespace

// "issue Gloves M: 2 Units": what confirming will record for this line.
std::string ScanSession::describe(const Line& line) const {
  return verb(action()) + " " + label(line.product) + (line.lot.empty() ? "" : " lot " + line.lot) + ": " +
         line.qty.to_string() + " " + line.product.uom.str();
}

ScanSession::ScanSession(SessionPolicy policy, ProductResolver resolve, StockLookup stock)
    : policy_(std::move(policy)), resolve_(std::move(resolve)), stock_(std::move(stock)) {}

// Drops the open lines; the chosen action stays.
void ScanSession::reset_lines() {
  lines_.clear();
  next_count_.reset();
  destination_.clear();
  encounter_.clear();
}

SessionOutput ScanSession::on_unreadable(const ScanError& error) {
  return refuse("unreadable scan: " + error.reason + "; nothing was recorded");
}

SessionOutput ScanSession::on_scan(const DecodedScan& scan, const std::string& raw, std::int64_t now_ms) {
  last_scan_ms_ = now_ms;
  // GS1 Healthcare: a caregiver's badge carries the GSRN of a service
  // provider (AI 8017); it is the badge code.
  const bool gsrn_badge = scan.kind == ScanKind::gs1 && !scan.gsrn_provider.empty() && scan.gtin.empty();
  if (scan.kind == ScanKind::operator_badge || gsrn_badge) {
    const std::string badge = gsrn_badge ? scan.gsrn_provider : scan.code;
    if (!policy_.roles.contains(badge)) return refuse("badge " + badge + " is not known on this terminal");
    if (!lines_.empty()) return refuse("confirm or cancel the open lines first");
    operator_ = badge;
    location_ = policy_.default_location;
    reset_lines();
    action_.reset();  // a new badge starts from the default action
    return say(Level::info,
               "hello " + operator_ + (location_.empty() ? "; scan a location" : "; location " + location_));
  }
  if (operator_.empty()) return refuse("scan your badge first");
  if (scan.kind == ScanKind::location) return location(scan.code);
  if (scan.kind == ScanKind::gs1 && !scan.gln.empty() && scan.gtin.empty()) {
    // A GS1 location label: the GLN of a store or shelf (AI 414, with 254).
    const std::string key = scan.gln_extension.empty() ? scan.gln : scan.gln + "/" + scan.gln_extension;
    if (const auto found = policy_.gln_locations.find(key); found != policy_.gln_locations.end()) {
      return location(found->second);
    }
    if (!scan.gln_extension.empty()) {
      return refuse("location label " + key + " is not a location of this terminal (session.gln_locations)");
    }
    return location(scan.gln);
  }
  if (scan.kind == ScanKind::gs1 && !scan.gsrn_recipient.empty() && scan.gtin.empty()) return patient(scan);
  if (scan.kind == ScanKind::command) return command(scan, now_ms);
  return item(scan, raw, now_ms);
}

SessionOutput ScanSession::location(const std::string& code) {
  if (action_ == Command::transfer && !location_.empty()) {
    if (code == location_) return refuse("a transfer goes to another location than " + location_);
    destination_ = code;
    return say(Level::info, "transfer from " + location_ + " to " + destination_);
  }
  if (!lines_.empty()) return refuse("confirm or cancel the open lines first");
  location_ = code;
  return say(Level::info, "location " + location_);
}

// A patient's wristband (GSRN of a service recipient, AI 8018): the items
// scanned next are issued to this patient. The number is neither kept nor
// repeated: only its keyed hash goes on the moves.
SessionOutput ScanSession::patient(const DecodedScan& scan) {
  if (!policy_.encounter_of) {
    return refuse(
        "patient wristbands are not set up on this terminal (" +
        (policy_.encounter_problem.empty() ? "session.encounter_key_file is not set" : policy_.encounter_problem) +
        "): nothing kept");
  }
  if (action() != Command::issue) return refuse("a patient wristband goes with an issue, not a " + verb(action()));
  const std::string encounter = policy_.encounter_of(scan.gsrn_recipient);
  if (!lines_.empty() && encounter != encounter_) {
    return refuse("confirm or cancel the open lines first: they are not for this patient");
  }
  encounter_ = encounter;
  return say(Level::info, "patient wristband read: the next items are issued to this patient");
}

SessionOutput ScanSession::command(const DecodedScan& scan, std::int64_t now_ms) {
  (void)now_ms;
  if (!scan.command) return refuse("this code is not a store command");
  const Command c = *scan.command;
  switch (c) {
    case Command::receive:
    case Command::issue:
    case Command::transfer:
    case Command::count: {
      if (!policy_.roles[operator_].contains(c)) return refuse(operator_ + " may not " + verb(c) + " stock");
      if (!lines_.empty()) return refuse("confirm or cancel the open lines first");
      reset_lines();
      action_ = c;
      if (location_.empty()) return say(Level::info, verb(c) + ": scan a location");
      return say(Level::info, verb(c) + (c == Command::receive ? " into " : " at ") + location_ + ": scan items");
    }
    case Command::quantity: {
      if (lines_.empty()) {
        next_count_ = scan.command_quantity;
        return say(Level::info, "quantity " + std::to_string(scan.command_quantity) + " for the next item");
      }
      auto& last = lines_.back();
      last.qty = last.product.per_scan.times(scan.command_quantity).value_or(last.qty);
      return say(Level::info, describe(last));
    }
    case Command::undo: {
      if (!lines_.empty()) {
        const auto removed = label(lines_.back().product);
        lines_.pop_back();
        return say(Level::info, "removed the last line (" + removed + ")");
      }
      if (last_recorded_.empty()) return refuse("nothing to undo");
      storage::MoveRequest reversal;
      reversal.kind = storage::MoveKind::reversal;
      reversal.reverses = last_recorded_.back();
      reversal.operator_id = storage::OperatorId(operator_);
      reversal.reason = "undone at the terminal";
      last_recorded_.pop_back();
      SessionOutput out = say(Level::info, "the last recorded move is reversed");
      out.moves.push_back(std::move(reversal));
      return out;
    }
    case Command::confirm:
      return confirm();
    case Command::cancel: {
      const auto dropped = lines_.size();
      reset_lines();
      return say(Level::info, "cancelled " + std::to_string(dropped) + " open lines; nothing was recorded");
    }
  }
  return refuse("unknown command");
}

std::optional<SessionOutput> ScanSession::check_lot(const DecodedScan& scan, const ResolvedProduct& product,
                                                    Command action, std::int64_t now_ms, SessionOutput& out) {
  if (!scan.lot.empty() && policy_.recalled.contains({scan.gtin, scan.lot}) && action != Command::count) {
    auto refused =
        refuse("lot " + scan.lot + " of " + label(product) + " is recalled: set it aside, do not " + verb(action));
    refused.prompts.back().alert = "recalled_lot";
    return refused;
  }
  if (!scan.expiry.empty() && !clock_problem_.empty() && action == Command::issue) {
    // Today is not known: never refuse a clinical issue on a wrong clock.
    out.prompts.push_back({Level::warning, "expiry " + scan.expiry + " not checked: " + clock_problem_, ""});
  } else if (!scan.expiry.empty() && scan.expiry < storage::utc_date(now_ms) && action == Command::issue) {
    const std::string text = "lot " + scan.lot + " of " + label(product) + " expired on " + scan.expiry;
    if (policy_.block_expired_issue) {
      auto refused = refuse(text + ": do not issue it");
      refused.prompts.back().alert = "expired_lot";
      return refused;
    }
    out.prompts.push_back({Level::warning, text, "expired_lot"});
  }
  return std::nullopt;
}

// A lot, expiry or serial in a barcode of its own (GS1 allows the GTIN and
// its attributes in two symbols on one pack): it completes the line of the
// item scanned just before it.
SessionOutput ScanSession::complete_last_line(const DecodedScan& scan, std::int64_t now_ms) {
  if (lines_.empty()) {
    return refuse("this barcode has a lot, expiry or serial but no product: scan the product's barcode first");
  }
  auto& line = lines_.back();
  const std::pair<const std::string*, std::string*> fields[] = {
      {&scan.lot, &line.lot}, {&scan.expiry, &line.expiry}, {&scan.serial, &line.serial}};
  for (const auto& [scanned, held] : fields) {
    if (!scanned->empty() && !held->empty() && *held != *scanned) {
      return refuse("the last line (" + label(line.product) + ") already has " + *held + ", this barcode says " +
                    *scanned + ": scan the product again");
    }
  }
  DecodedScan merged;
  merged.gtin = line.gtin;
  merged.lot = scan.lot.empty() ? line.lot : scan.lot;
  merged.expiry = scan.expiry.empty() ? line.expiry : scan.expiry;
  SessionOutput out;
  if (auto refused = check_lot(merged, line.product, action(), now_ms, out)) return *refused;
  for (const auto& [scanned, held] : fields) {
    if (!scanned->empty()) *held = *scanned;
  }
  out.prompts.push_back({Level::info, describe(line), ""});
  return out;
}

SessionOutput ScanSession::item(const DecodedScan& scan, const std::string& raw, std::int64_t now_ms) {
  if (location_.empty()) return refuse("scan a location first");
  const Command action = this->action();
  if (!policy_.roles[operator_].contains(action)) return refuse(operator_ + " may not " + verb(action) + " stock");
  for (const auto& rule : scan.broken_rules) {
    // Inside one barcode, two AIs that exclude each other make a faulty label.
    if (rule.kind == Gs1BrokenRule::Kind::excludes) {
      return refuse("this label breaks a GS1 rule (" + rule.meaning + "): set the item aside and report the label");
    }
  }
  if (scan.kind == ScanKind::gs1 && scan.gtin.empty()) {
    // GS1 data that names no product: a pallet's label, an asset tag, or the
    // lot and expiry printed beside the GTIN's barcode.
    if (const auto sscc = scan.sscc(); !sscc.empty()) {
      return refuse("this is the label of a pallet or tote (SSCC " + sscc + "): scan the items in it");
    }
    if (scan.lot.empty() && scan.expiry.empty() && scan.serial.empty()) {
      return refuse("this GS1 barcode names no product, lot, expiry or serial: scan the item's own barcode");
    }
    return complete_last_line(scan, now_ms);
  }
  SessionOutput out;
  const ResolvedProduct product = resolve_(scan);
  if (auto refused = check_lot(scan, product, action, now_ms, out)) return *refused;
  if (!product.known) {
    out.prompts.push_back({Level::warning,
                           label(product) + " is not in the local catalogue; it is recorded and will be matched later",
                           ""});
  }
  const bool same_as_last = !lines_.empty() && scan.serial.empty() && lines_.back().serial.empty() &&
                            lines_.back().product.ref.key() == product.ref.key() && lines_.back().lot == scan.lot;
  if (same_as_last && !next_count_) {
    lines_.back().qty += product.per_scan;
  } else {
    const auto qty = next_count_ ? product.per_scan.times(*next_count_).value_or(product.per_scan) : product.per_scan;
    lines_.push_back(Line{product, scan.lot, scan.expiry, scan.serial, scan.gtin, qty, raw, now_ms});
    next_count_.reset();
  }
  out.prompts.push_back({Level::info, describe(lines_.back()), ""});
  return out;
}

SessionOutput ScanSession::confirm() {
  if (lines_.empty()) return refuse("nothing to confirm");
  const Command action = this->action();
  if (action == Command::transfer && destination_.empty()) return refuse("scan the location the goods go to");
  SessionOutput out;
  std::vector<storage::Quantity> expected;  // for a count: what the ledger holds now
  if (action == Command::count) {
    for (const auto& line : lines_) {
      const auto on_hand = stock_(location_, line.product.ref.key(), line.lot);
      if (!on_hand) {
        return refuse(
            "the stock this count compares with cannot be read now; nothing was recorded and the lines "
            "stay open: confirm again");
      }
      expected.push_back(*on_hand);
    }
  }
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const auto& line = lines_[i];
    storage::MoveRequest move;
    move.product = line.product.ref;
    move.uom = line.product.uom;
    move.lot = line.lot;
    move.expiry = line.expiry;
    move.serial = line.serial;
    move.qty = line.qty;
    move.raw = line.raw;
    move.operator_id = storage::OperatorId(operator_);
    move.occurred_at_ms = line.scanned_at_ms;
    switch (action) {
      case Command::receive:
        move.kind = storage::MoveKind::receipt;
        move.from = storage::LocationCode(policy_.receipt_source);
        move.to = storage::LocationCode(location_);
        break;
      case Command::transfer:
        move.kind = storage::MoveKind::transfer;
        move.from = storage::LocationCode(location_);
        move.to = storage::LocationCode(destination_);
        break;
      case Command::count: {
        move.kind = storage::MoveKind::count;
        move.to = storage::LocationCode(location_);
        move.counted = line.qty;
        // What the ledger held at the moment of the count: moves made
        // elsewhere while counting are not erased.
        move.expected = expected[i];
        move.qty = *move.counted - *move.expected;
        break;
      }
      default:
        move.kind = storage::MoveKind::issue;
        move.from = storage::LocationCode(location_);
        move.to = storage::LocationCode(policy_.consumption_location);
        move.encounter = encounter_;
        if (auto found = policy_.cost_centres.find(location_); found != policy_.cost_centres.end()) {
          move.cost_centre = found->second;
        }
        break;
    }
    out.moves.push_back(std::move(move));
  }
  if (!clock_problem_.empty()) {
    out.prompts.push_back({Level::warning, "these moves are recorded with a flag: " + clock_problem_, ""});
  }
  out.prompts.push_back(
      {Level::info,
       verb(action) + ": " + std::to_string(lines_.size()) + " lines to record; next items: " + verb(action), ""});
  reset_lines();
  return out;
}

SessionOutput ScanSession::on_tick(std::int64_t now_ms) {
  const auto quiet = now_ms - last_scan_ms_;
  // Tried once per quiet spell: a refused confirm (a transfer with no
  // destination yet) is not repeated until the next scan.
  if (policy_.auto_confirm_ms > 0 && !lines_.empty() && quiet >= policy_.auto_confirm_ms &&
      auto_confirm_tried_for_ != last_scan_ms_) {
    auto_confirm_tried_for_ = last_scan_ms_;
    return confirm();
  }
  if (policy_.idle_logout_ms <= 0 || operator_.empty() || quiet < policy_.idle_logout_ms) return {};
  const auto dropped = lines_.size();
  std::string text = operator_ + " signed out after " + std::to_string(policy_.idle_logout_ms / 1000) +
                     " s without a scan; scan a badge to go on";
  if (dropped > 0) text += " (" + std::to_string(dropped) + " open lines cancelled, nothing was recorded for them)";
  reset_lines();
  action_.reset();
  operator_.clear();
  location_.clear();
  return say(dropped > 0 ? Level::warning : Level::info, std::move(text));
}

SessionOutput ScanSession::set_policy(SessionPolicy policy) {
  policy_ = std::move(policy);
  if (operator_.empty() || policy_.roles.contains(operator_)) return {};
  const auto dropped = lines_.size();
  std::string text = "badge " + operator_ + " is no longer known on this terminal: signed out";
  if (dropped > 0) text += " (" + std::to_string(dropped) + " open lines cancelled, nothing was recorded for them)";
  reset_lines();
  action_.reset();
  operator_.clear();
  location_.clear();
  return say(Level::warning, std::move(text));
}

std::optional<std::int64_t> ScanSession::next_deadline_ms() const {
  std::optional<std::int64_t> next;
  auto consider = [&next](std::int64_t at) { next = next ? std::min(*next, at) : at; };
  if (policy_.auto_confirm_ms > 0 && !lines_.empty() && auto_confirm_tried_for_ != last_scan_ms_) {
    consider(last_scan_ms_ + policy_.auto_confirm_ms);
  }
  if (policy_.idle_logout_ms > 0 && !operator_.empty()) consider(last_scan_ms_ + policy_.idle_logout_ms);
  return next;
}

void ScanSession::recorded(const std::vector<storage::MoveId>& ids) {
  last_recorded_.insert(last_recorded_.end(), ids.begin(), ids.end());
}

}  // namespace edgestock::scanners
