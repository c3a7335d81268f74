#include <catch2/catch.hpp>

#include "edgestock/scanners/scan_session.hpp"

using namespace edgestock;
using namespace edgestock::scanners;
using storage::Quantity;

namespace {

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-18
const DecodeContext kContext{};

DecodedScan scan(const std::string& text) {
  return decode_scan(unescape_scan(text), kContext).value();
}

// A catalogue of two products: gloves come in boxes of 10 (box GTIN
// 15012345670017), saline by the unit.
ResolvedProduct resolve(const DecodedScan& s) {
  ResolvedProduct p;
  p.ref.gtin = s.gtin;
  p.uom = storage::UnitOfMeasure("Units");
  if (s.gtin == "05012345670010") {
    p.name = "Gloves M";
    p.known = true;
  } else if (s.gtin == "15012345670017") {
    p.ref.gtin = "05012345670010";
    p.name = "Gloves M";
    p.per_scan = Quantity::units(10);
    p.known = true;
  } else if (s.gtin == "05012345670027") {
    p.name = "Saline 10 ml";
    p.known = true;
  }
  return p;
}

SessionPolicy policy() {
  SessionPolicy p;
  p.default_location = "WARD3";
  p.cost_centres["WARD3"] = "CC-W3";
  p.roles["nurse-042"] = {Command::issue, Command::count};
  p.roles["tech-017"] = {Command::receive, Command::issue, Command::transfer, Command::count};
  p.recalled.insert({"05012345670027", "BAD1"});
  return p;
}

struct Terminal {
  ScanSession session{policy(), resolve, [](const std::string&, const std::string& key, const std::string&) {
                        return key == "gtin:05012345670010" ? Quantity::units(50) : Quantity{};
                      }};
  SessionOutput last;
  std::vector<storage::MoveRequest> moves;
  SessionOutput feed(const std::string& text, std::int64_t at = kNow) {
    last = session.on_scan(scan(text), unescape_scan(text), at);
    for (const auto& m : last.moves) moves.push_back(m);
    return last;
  }
  [[nodiscard]] Prompt::Level level() const { return last.prompts.back().level; }
  [[nodiscard]] const std::string& said() const { return last.prompts.back().text; }
};

}  // namespace

TEST_CASE("a nurse issues to a patient: badge, items, quantity, confirm", "[session]") {
  Terminal t;
  t.feed("OP:nurse-042");
  CHECK(t.said() == "hello nurse-042; location WARD3");
  t.feed("5012345670010");
  t.feed("5012345670010");  // the same item again: one more
  CHECK(t.said() == "issue Gloves M: 2 Units");
  t.feed(
      "]d20105012345670027"
      "17271231"
      "10NS24117");
  t.feed("CMD:QTY:4");  // applies to the last line
  CHECK(t.said() == "issue Saline 10 ml lot NS24117: 4 Units");
  CHECK(t.session.pending_lines() == 2);
  t.feed("CMD:CONFIRM", kNow + 5000);
  REQUIRE(t.moves.size() == 2);
  const auto& gloves = t.moves[0];
  CHECK(gloves.kind == storage::MoveKind::issue);
  CHECK(gloves.qty == Quantity::units(2));
  CHECK(gloves.from.str() == "WARD3");
  CHECK(gloves.to.str() == "CONSUME");
  CHECK(gloves.cost_centre == "CC-W3");
  CHECK(gloves.operator_id.str() == "nurse-042");
  CHECK(gloves.occurred_at_ms == kNow);
  const auto& saline = t.moves[1];
  CHECK(saline.lot == "NS24117");
  CHECK(saline.expiry == "2027-12-31");
  CHECK(saline.qty == Quantity::units(4));
  CHECK(saline.raw ==
        "]d20105012345670027"
        "17271231"
        "10NS24117");
  CHECK(t.session.pending_lines() == 0);
}

TEST_CASE("a box barcode counts as the units in the box; a quantity code before an item", "[session]") {
  Terminal t;
  t.feed("OP:tech-017");
  t.feed("CMD:RECEIVE");
  CHECK(t.said() == "receive into WARD3: scan items");
  t.feed("CMD:QTY:3");
  t.feed("]I115012345670017");
  CHECK(t.said() == "receive Gloves M: 30 Units");
  t.feed("CMD:CONFIRM");
  REQUIRE(t.moves.size() == 1);
  CHECK(t.moves[0].kind == storage::MoveKind::receipt);
  CHECK(t.moves[0].product.gtin == "05012345670010");
  CHECK(t.moves[0].qty == Quantity::units(30));
  CHECK(t.moves[0].to.str() == "WARD3");
}

TEST_CASE("who may do what, and in which order", "[session]") {
  Terminal t;
  t.feed("5012345670010");
  CHECK(t.said() == "scan your badge first");
  t.feed("OP:stranger");
  CHECK(t.said() == "badge stranger is not known on this terminal");
  t.feed("OP:nurse-042");
  t.feed("CMD:RECEIVE");
  CHECK(t.level() == Prompt::Level::refused);
  CHECK(t.said() == "nurse-042 may not receive stock");
  t.feed("5012345670010");
  t.feed("LOC:THEATRE2");
  CHECK(t.said() == "confirm or cancel the open lines first");
  t.feed("CMD:CANCEL");
  CHECK(t.said() == "cancelled 1 open lines; nothing was recorded");
  t.feed("CMD:CONFIRM");
  CHECK(t.said() == "nothing to confirm");
  CHECK(t.moves.empty());
}

TEST_CASE("a transfer needs the location the goods go to", "[session]") {
  Terminal t;
  t.feed("OP:tech-017");
  t.feed("CMD:TRANSFER");
  t.feed("5012345670010");
  t.feed("CMD:CONFIRM");
  CHECK(t.said() == "scan the location the goods go to");
  t.feed("LOC:WARD3");
  CHECK(t.level() == Prompt::Level::refused);
  t.feed("LOC:THEATRE2");
  CHECK(t.said() == "transfer from WARD3 to THEATRE2");
  t.feed("CMD:CONFIRM");
  REQUIRE(t.moves.size() == 1);
  CHECK(t.moves[0].kind == storage::MoveKind::transfer);
  CHECK(t.moves[0].to.str() == "THEATRE2");
}

TEST_CASE("a count records counted and what was expected at that moment", "[session]") {
  Terminal t;
  t.feed("OP:nurse-042");
  t.feed("CMD:COUNT");
  t.feed("CMD:QTY:47");
  t.feed("5012345670010");
  t.feed("CMD:CONFIRM");
  REQUIRE(t.moves.size() == 1);
  const auto& count = t.moves[0];
  CHECK(count.kind == storage::MoveKind::count);
  CHECK(count.counted == Quantity::units(47));
  CHECK(count.expected == Quantity::units(50));
  CHECK(count.qty == Quantity::units(-3));
  CHECK_FALSE(storage::check_move_request(count).has_value());
}

TEST_CASE("expired and recalled lots", "[session]") {
  SECTION("expired: blocked on issue by default") {
    Terminal t;
    t.feed("OP:nurse-042");
    t.feed(
        "]d20105012345670027"
        "17260131"
        "10OLD1");
    CHECK(t.said() == "lot OLD1 of Saline 10 ml expired on 2026-01-31: do not issue it");
    CHECK(t.last.prompts.back().alert == "expired_lot");
    CHECK(t.session.pending_lines() == 0);
  }
  SECTION("expired: warned and recorded where policy says so") {
    auto p = policy();
    p.block_expired_issue = false;
    ScanSession session(p, resolve, [](auto&&...) { return Quantity{}; });
    session.on_scan(scan("OP:nurse-042"), "", kNow);
    const auto out = session.on_scan(scan("]d20105012345670027"
                                          "17260131"
                                          "10OLD1"),
                                     "", kNow);
    REQUIRE(out.prompts.size() == 2);
    CHECK(out.prompts[0].level == Prompt::Level::warning);
    CHECK(session.pending_lines() == 1);
  }
  SECTION("recalled: blocked, and says why") {
    Terminal t;
    t.feed("OP:tech-017");
    t.feed(
        "]d20105012345670027"
        "17271231"
        "10BAD1");
    CHECK(t.said() == "lot BAD1 of Saline 10 ml is recalled: set it aside, do not issue");
    CHECK(t.last.prompts.back().alert == "recalled_lot");
  }
}

TEST_CASE("undo: the last line before confirm, a reversal after", "[session]") {
  Terminal t;
  t.feed("OP:nurse-042");
  t.feed("CMD:UNDO");
  CHECK(t.said() == "nothing to undo");
  t.feed("5012345670010");
  t.feed(
      "]d20105012345670027"
      "17271231"
      "10NS1");
  t.feed("CMD:UNDO");
  CHECK(t.said() == "removed the last line (Saline 10 ml)");
  t.feed("CMD:CONFIRM");
  REQUIRE(t.moves.size() == 1);
  const auto id = storage::MoveId::generate(kNow);
  t.session.recorded({id});
  t.feed("CMD:UNDO");
  REQUIRE(t.moves.size() == 2);
  CHECK(t.moves[1].kind == storage::MoveKind::reversal);
  CHECK(t.moves[1].reverses == id);
  t.feed("CMD:UNDO");
  CHECK(t.said() == "nothing to undo");
}

TEST_CASE("auto-confirm after a quiet moment; unknown products still recorded", "[session]") {
  auto p = policy();
  p.auto_confirm_ms = 10'000;
  ScanSession session(p, resolve, [](auto&&...) { return Quantity{}; });
  session.on_scan(scan("OP:nurse-042"), "", kNow);
  const auto unknown = session.on_scan(scan("4006381333931"), "4006381333931", kNow);
  CHECK(unknown.prompts[0].level == Prompt::Level::warning);
  CHECK_THAT(unknown.prompts[0].text, Catch::Contains("not in the local catalogue"));
  CHECK(session.on_tick(kNow + 9'999).moves.empty());
  const auto confirmed = session.on_tick(kNow + 10'000);
  REQUIRE(confirmed.moves.size() == 1);
  CHECK(confirmed.moves[0].product.gtin == "04006381333931");
  CHECK(session.on_unreadable(ScanError{"wrong check digit", 12}).prompts[0].text ==
        "unreadable scan: wrong check digit; nothing was recorded");
}

TEST_CASE("a command scan that carries no command is refused and changes nothing", "[session]") {
  Terminal t;
  t.feed("OP:nurse-042");
  t.feed("5012345670010");
  DecodedScan odd = scan("CMD:CONFIRM");
  odd.command.reset();  // what no decoder produces, but a caller could pass
  const auto out = t.session.on_scan(odd, "CMD:CONFIRM", kNow);
  REQUIRE(out.prompts.size() == 1);
  CHECK(out.prompts.back().level == Prompt::Level::refused);
  CHECK(out.prompts.back().text == "this code is not a store command");
  CHECK(out.moves.empty());
  CHECK(t.session.pending_lines() == 1);
}

TEST_CASE("a delivery scanned item by item stays a receipt after each confirm", "[session]") {
  // Reported: CMD:RECEIVE once, then item, confirm, item, confirm, ... turned
  // every item after the first into an issue charged to the ward.
  Terminal t;
  t.feed("OP:tech-017");
  t.feed("CMD:RECEIVE");
  for (int i = 0; i < 20; ++i) {
    t.feed("5012345670010");
    CHECK(t.said() == "receive Gloves M: 1 Units");
    t.feed("CMD:CONFIRM");
  }
  REQUIRE(t.moves.size() == 20);
  for (const auto& move : t.moves) {
    CHECK(move.kind == storage::MoveKind::receipt);
    CHECK(move.to.str() == "WARD3");
    CHECK(move.cost_centre.empty());
  }
  CHECK(t.said() == "receive: 1 lines to record; next items: receive");
  // Cancel keeps the action too; another action changes it.
  t.feed("5012345670010");
  t.feed("CMD:CANCEL");
  t.feed("5012345670010");
  CHECK(t.said() == "receive Gloves M: 1 Units");
  t.feed("CMD:CANCEL");
  t.feed("CMD:ISSUE");
  t.feed("5012345670010");
  CHECK(t.said() == "issue Gloves M: 1 Units");
  t.feed("CMD:CANCEL");
  // A new badge starts from the default action (issue), not the last one's.
  t.feed("CMD:RECEIVE");
  t.feed("OP:nurse-042");
  CHECK(t.session.action() == Command::issue);
}

TEST_CASE("an idle session signs its operator out and cancels open lines", "[session]") {
  SessionPolicy p = policy();
  p.idle_logout_ms = 600'000;
  ScanSession session(p, resolve,
                      [](const std::string&, const std::string&, const std::string&) { return Quantity{}; });
  session.on_scan(scan("OP:tech-017"), "OP:tech-017", kNow);
  session.on_scan(scan("CMD:RECEIVE"), "CMD:RECEIVE", kNow);
  session.on_scan(scan("5012345670010"), "5012345670010", kNow + 1000);
  CHECK(session.on_tick(kNow + 600'999).prompts.empty());  // not yet: 10 minutes since the last scan
  const auto out = session.on_tick(kNow + 601'000);
  REQUIRE(out.prompts.size() == 1);
  CHECK(out.moves.empty());
  CHECK(out.prompts[0].level == Prompt::Level::warning);
  CHECK(out.prompts[0].text ==
        "tech-017 signed out after 600 s without a scan; scan a badge to go on (1 open lines cancelled, nothing was "
        "recorded for them)");
  CHECK(session.operator_id().empty());
  CHECK(session.pending_lines() == 0);
  CHECK(session.on_scan(scan("5012345670010"), "5012345670010", kNow + 602'000).prompts.back().text ==
        "scan your badge first");
  CHECK(session.on_tick(kNow + 2'000'000).prompts.empty());  // signed out once, not every tick
}

TEST_CASE("a count is not recorded while the stock it compares with cannot be read", "[session]") {
  bool readable = false;
  ScanSession session(
      policy(), resolve,
      [&readable](const std::string&, const std::string&, const std::string&) -> std::optional<Quantity> {
        if (!readable) return std::nullopt;
        return Quantity::units(50);
      });
  session.on_scan(scan("OP:nurse-042"), "OP:nurse-042", kNow);
  session.on_scan(scan("CMD:COUNT"), "CMD:COUNT", kNow);
  session.on_scan(scan("5012345670010"), "5012345670010", kNow);
  const auto refused = session.on_scan(scan("CMD:CONFIRM"), "CMD:CONFIRM", kNow);
  CHECK(refused.moves.empty());
  CHECK(refused.prompts.back().level == Prompt::Level::refused);
  CHECK_THAT(refused.prompts.back().text, Catch::Contains("cannot be read") && Catch::Contains("stay open"));
  CHECK(session.pending_lines() == 1);
  readable = true;
  const auto recorded = session.on_scan(scan("CMD:CONFIRM"), "CMD:CONFIRM", kNow);
  REQUIRE(recorded.moves.size() == 1);
  CHECK(recorded.moves[0].expected == Quantity::units(50));
  CHECK(recorded.moves[0].qty == Quantity::units(-49));
}

TEST_CASE("on a clock that cannot be right, an issue is never refused as expired", "[session][clock]") {
  // The board booted in 1970: by that "today" nothing has expired yet, and
  // by the real one this lot has; neither may decide a patient's issue.
  Terminal t;
  t.session.set_clock_problem("the terminal's clock says 1970-01-01T00:00:10.000Z, which cannot be right");
  t.feed("OP:nurse-042", 10'000);
  t.feed(
      "]d20105012345670027"
      "17260131"
      "10OLD1",
      10'000);
  REQUIRE(t.last.prompts.size() == 2);
  CHECK(t.last.prompts[0].level == Prompt::Level::warning);
  CHECK_THAT(t.last.prompts[0].text, Catch::Contains("expiry 2026-01-31 not checked") && Catch::Contains("1970"));
  CHECK(t.session.pending_lines() == 1);
  t.feed("CMD:CONFIRM", 10'000);
  REQUIRE(t.moves.size() == 1);
  CHECK(t.moves[0].kind == storage::MoveKind::issue);
  const auto& prompts = t.last.prompts;
  CHECK(std::any_of(prompts.begin(), prompts.end(), [](const Prompt& p) {
    return p.level == Prompt::Level::warning && p.text.find("recorded with a flag") != std::string::npos;
  }));
}

TEST_CASE("the session says when it next needs the clock: an auto-confirm, then a sign-out", "[session]") {
  auto p = policy();
  p.auto_confirm_ms = 10'000;
  p.idle_logout_ms = 600'000;
  ScanSession session(p, resolve, [](auto&&...) { return Quantity{}; });
  CHECK_FALSE(session.next_deadline_ms());  // nobody signed in, nothing open: no wake-up at all
  session.on_scan(scan("OP:nurse-042"), "", kNow);
  CHECK(session.next_deadline_ms() == kNow + 600'000);
  session.on_scan(scan("5012345670010"), "5012345670010", kNow + 5'000);
  CHECK(session.next_deadline_ms() == kNow + 15'000);
  CHECK(session.on_tick(kNow + 15'000).moves.size() == 1);
  CHECK(session.next_deadline_ms() == kNow + 605'000);
}

TEST_CASE("an auto-confirm that is refused is not repeated until the next scan", "[session]") {
  auto p = policy();
  p.auto_confirm_ms = 10'000;
  ScanSession session(p, resolve, [](auto&&...) { return Quantity{}; });
  session.on_scan(scan("OP:tech-017"), "", kNow);
  session.on_scan(scan("CMD:TRANSFER"), "", kNow);
  session.on_scan(scan("5012345670010"), "5012345670010", kNow);
  const auto first = session.on_tick(kNow + 10'000);
  CHECK(first.moves.empty());
  REQUIRE_FALSE(first.prompts.empty());
  CHECK(first.prompts.back().text == "scan the location the goods go to");
  // Without this the agent would wake at once again, and say it every tick.
  CHECK_FALSE(session.next_deadline_ms());
  CHECK(session.on_tick(kNow + 20'000).prompts.empty());
  session.on_scan(scan("LOC:THEATRE2"), "", kNow + 30'000);
  CHECK(session.next_deadline_ms() == kNow + 40'000);
  const auto second = session.on_tick(kNow + 40'000);
  REQUIRE(second.moves.size() == 1);
  CHECK(second.moves[0].to.str() == "THEATRE2");
}

TEST_CASE("a reloaded config that no longer knows the badge signs it out and records nothing", "[session]") {
  ScanSession session(policy(), resolve, [](auto&&...) { return Quantity{}; });
  session.on_scan(scan("OP:nurse-042"), "", kNow);
  session.on_scan(scan("5012345670010"), "5012345670010", kNow);
  auto narrowed = policy();
  narrowed.roles.erase("tech-017");  // another badge revoked: nurse-042 goes on
  CHECK(session.set_policy(narrowed).prompts.empty());
  CHECK(session.operator_id() == "nurse-042");
  CHECK(session.pending_lines() == 1);
  auto revoked = narrowed;
  revoked.roles.erase("nurse-042");
  const auto out = session.set_policy(revoked);
  REQUIRE(out.prompts.size() == 1);
  CHECK(out.moves.empty());
  CHECK(out.prompts[0].level == Prompt::Level::warning);
  CHECK(out.prompts[0].text ==
        "badge nurse-042 is no longer known on this terminal: signed out (1 open lines cancelled, nothing was "
        "recorded for them)");
  CHECK(session.operator_id().empty());
  CHECK(session.pending_lines() == 0);
  CHECK(session.on_scan(scan("OP:nurse-042"), "", kNow + 1).prompts.back().level == Prompt::Level::refused);
}

// GS1 General Specifications 4.13 and the Syntax Dictionary: a lot, expiry
// or serial needs a GTIN "over the combined data received from all GS1
// carriers marking a physical item": a pack with two barcodes is one item.
TEST_CASE("a lot and expiry in a barcode of their own complete the item scanned before", "[session][gs1]") {
  Terminal t;
  t.feed("OP:nurse-042");
  SECTION("GTIN first, then its lot and expiry: one line with both") {
    t.feed("]d20105012345670027");
    t.feed(
        "]d217271231"
        "10NS24117");
    CHECK(t.level() == Prompt::Level::info);
    CHECK(t.said() == "issue Saline 10 ml lot NS24117: 1 Units");
    t.feed("CMD:CONFIRM", kNow + 5000);
    REQUIRE(t.moves.size() == 1);
    CHECK(t.moves[0].lot == "NS24117");
    CHECK(t.moves[0].expiry == "2027-12-31");
  }
  SECTION("a lot with no item before it is refused, nothing is recorded") {
    t.feed("]d210NS24117");
    CHECK(t.level() == Prompt::Level::refused);
    CHECK(t.said() == "this barcode has a lot, expiry or serial but no product: scan the product's barcode first");
    CHECK(t.session.pending_lines() == 0);
  }
  SECTION("a second lot for a line that has one is refused; the line keeps its lot") {
    t.feed(
        "]d20105012345670027"
        "10NS24117");
    t.feed("]d210OTHER");
    CHECK(t.level() == Prompt::Level::refused);
    CHECK(t.said() ==
          "the last line (Saline 10 ml) already has NS24117, this barcode says OTHER: scan the product again");
    t.feed("CMD:CONFIRM", kNow + 5000);
    REQUIRE(t.moves.size() == 1);
    CHECK(t.moves[0].lot == "NS24117");
  }
  SECTION("a recalled lot completing the line is refused like a recalled lot on the pack") {
    t.feed("]d20105012345670027");
    t.feed("]d210BAD1");
    CHECK(t.level() == Prompt::Level::refused);
    CHECK(t.said() == "lot BAD1 of Saline 10 ml is recalled: set it aside, do not issue");
    t.feed("CMD:CONFIRM", kNow + 5000);
    REQUIRE(t.moves.size() == 1);
    CHECK(t.moves[0].lot.empty());  // the line stays as it was: no recalled lot slips in
  }
}

TEST_CASE("GS1 barcodes that name no product are refused, nothing recorded", "[session][gs1]") {
  Terminal t;
  t.feed("OP:nurse-042");
  t.feed("]C100009506000134350004");  // a pallet's SSCC
  CHECK(t.level() == Prompt::Level::refused);
  CHECK(t.said() == "this is the label of a pallet or tote (SSCC 009506000134350004): scan the items in it");
  t.feed(
      "]d28004"
      "9506PUMP77");  // an infusion pump's asset tag (GIAI)
  CHECK(t.level() == Prompt::Level::refused);
  CHECK(t.said() == "this GS1 barcode names no product, lot, expiry or serial: scan the item's own barcode");
  CHECK(t.session.pending_lines() == 0);
  t.feed("CMD:CONFIRM");
  CHECK(t.moves.empty());
}

TEST_CASE("two AIs that exclude each other in one barcode make a faulty label, refused", "[session][gs1]") {
  Terminal t;
  t.feed("OP:nurse-042");
  // 01 and 02 (ex=01 on 02): a trade item and the content of a logistic unit at once.
  t.feed(
      "]d20105012345670027"
      "0205012345670027");
  CHECK(t.level() == Prompt::Level::refused);
  CHECK_THAT(t.said(), Catch::Contains("this label breaks a GS1 rule ((02) CONTENT and (01) GTIN may not be on the "
                                       "same item): set the item aside and report the label"));
  CHECK(t.session.pending_lines() == 0);
}

// GS1 identifiers with a meaning in the store (GS1 General Specifications
// 2.4 GLN, 2.5 GSRN; GS1 Healthcare's guideline for patient and caregiver
// identification: AI 8017 the caregiver, AI 8018 the patient).
TEST_CASE("a GS1 location label, a caregiver's GSRN badge and a patient's wristband", "[session][gs1]") {
  auto gs1_policy = [] {
    auto p = policy();
    p.roles["950600013435000011"] = {Command::issue};  // a caregiver's GSRN as the badge
    p.gln_locations["9506000134352/SHELF-3"] = "WARD3-SHELF3";
    p.encounter_of = [](std::string_view gsrn) { return "enc-of-" + std::string(gsrn.substr(14)); };
    return p;
  };
  ScanSession session{gs1_policy(), resolve,
                      [](const std::string&, const std::string&, const std::string&) { return Quantity{}; }};
  auto feed = [&session](const std::string& text, std::int64_t at = kNow) {
    return session.on_scan(scan(text), unescape_scan(text), at);
  };
  auto said = [](const SessionOutput& out) { return out.prompts.back().text; };

  CHECK(said(feed("]d28017950600013435000011")) == "hello 950600013435000011; location WARD3");
  CHECK(said(feed("]d24149506000134352"
                  "254SHELF-3")) == "location WARD3-SHELF3");
  CHECK(said(feed("]d24149506000134352")) == "location 9506000134352");  // the GLN is the code
  CHECK(said(feed("]d24149506000134352"
                  "254BIN-9")) ==
        "location label 9506000134352/BIN-9 is not a location of this terminal (session.gln_locations)");
  // The wristband: the next issue is for this patient, by its keyed hash only.
  const auto wristband = feed("]d28018950600013435000028");
  CHECK(said(wristband) == "patient wristband read: the next items are issued to this patient");
  for (const auto& prompt : wristband.prompts) CHECK(prompt.text.find("950600013435000028") == std::string::npos);
  feed("5012345670010");
  const auto confirmed = feed("CMD:CONFIRM", kNow + 1000);
  REQUIRE(confirmed.moves.size() == 1);
  CHECK(confirmed.moves[0].encounter == "enc-of-0028");
  // The next issue is not for that patient any more.
  feed("5012345670010");
  const auto next = feed("CMD:CONFIRM", kNow + 2000);
  REQUIRE(next.moves.size() == 1);
  CHECK(next.moves[0].encounter.empty());
}

TEST_CASE("a patient's wristband is refused where the site has no key, and mid-way through another's items",
          "[session][gs1]") {
  auto p = policy();
  p.roles["nurse-042"] = {Command::issue};
  ScanSession no_key{p, resolve, [](const std::string&, const std::string&, const std::string&) { return Quantity{}; }};
  no_key.on_scan(scan("OP:nurse-042"), "OP:nurse-042", kNow);
  const auto refused = no_key.on_scan(scan("]d28018950600013435000028"), "", kNow);
  CHECK(refused.prompts.back().level == Prompt::Level::refused);
  CHECK(refused.prompts.back().text ==
        "patient wristbands are not set up on this terminal (session.encounter_key_file is not set): nothing "
        "kept");

  p.encounter_of = [](std::string_view gsrn) { return "enc-" + std::string(gsrn); };
  ScanSession keyed{p, resolve, [](const std::string&, const std::string&, const std::string&) { return Quantity{}; }};
  keyed.on_scan(scan("OP:nurse-042"), "OP:nurse-042", kNow);
  keyed.on_scan(scan("5012345670010"), "5012345670010", kNow);
  const auto late = keyed.on_scan(scan("]d28018950600013435000028"), "", kNow);
  CHECK(late.prompts.back().text == "confirm or cancel the open lines first: they are not for this patient");
  const auto confirmed = keyed.on_scan(scan("CMD:CONFIRM"), "CMD:CONFIRM", kNow + 1000);
  REQUIRE(confirmed.moves.size() == 1);
  CHECK(confirmed.moves[0].encounter.empty());
}

// EU falsified-medicines rules (Delegated Regulation 2016/161, art. 4): a
// pack's unique identifier is its product code, serial, lot and expiry; each
// move keeps all four, here from an IFA PPN pack in ISO/IEC 15434.
TEST_CASE("a serialised medicine's pack identity is kept on its move", "[session][ppn]") {
  Terminal t;
  t.feed("OP:nurse-042");
  const std::string pack =
      "[)>\x1e"
      "06\x1d"
      "9N110375286414\x1d"
      "1T12345ABCDE\x1d"
      "D270600\x1d"
      "S12345ABCDEF98765\x1e\x04";
  t.last = t.session.on_scan(decode_scan(pack, kContext).value(), pack, kNow);
  t.feed("CMD:CONFIRM", kNow + 1000);
  REQUIRE(t.moves.size() == 1);
  CHECK(t.moves[0].product.gtin == "04150037528643");
  CHECK(t.moves[0].serial == "12345ABCDEF98765");
  CHECK(t.moves[0].lot == "12345ABCDE");
  CHECK(t.moves[0].expiry == "2027-06-30");
}
