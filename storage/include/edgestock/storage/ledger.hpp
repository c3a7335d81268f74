#pragma once
// The durable stock ledger: one SQLite file per terminal. Recording a move
// writes, in ONE transaction, the move, its outbox rows, the stock projection
// and an audit entry; record() returns only once all of it is on disk.

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/error.hpp"
#include "edgestock/storage/ids.hpp"
#include "edgestock/storage/move.hpp"

namespace edgestock::storage {

class Database;
class Outbox;
class AuditLog;
class Postings;
class Catalogue;

enum class Durability {
  full,    // synchronous=FULL: survives power loss (default)
  normal,  // synchronous=NORMAL: survives a crash, may lose the last moves on power loss
};

struct LedgerOptions {
  std::filesystem::path path;
  TerminalId terminal;
  SiteId site;
  Durability durability = Durability::full;
  std::chrono::milliseconds busy_timeout{5000};
  // Hard cap on the file size in bytes (0: none). For terminals on small
  // storage; recording fails cleanly with disk_full when reached.
  std::int64_t max_bytes = 0;
  // Disk space reserved for the write-ahead log (zero-filled once, kept
  // across restarts) so that a commit never makes a file grow: on ext4 an
  // fsync that must also write a new file size costs about twice as much.
  // Skipped when the file system has less than four times this free. 0: none.
  std::int64_t wal_reserve_bytes = std::int64_t{32} << 20;
  // Where each new move must go: an outbox row per destination ("mqtt",
  // "odoo") is written with it. Only destinations that something drains
  // belong here, or retention could never delete a move. A destination
  // enabled later gets the moves recorded from then on.
  std::vector<std::string> destinations{"mqtt", "odoo"};
  // Opens for reading only (status commands while the agent runs): takes no
  // writer lock, migrates nothing, and every write is refused.
  bool read_only = false;
};

// One stock line of the projection: on hand = baseline + pending.
struct StockLine {
  LocationCode location;
  std::string product_key;
  std::string lot;
  UnitOfMeasure uom;
  Quantity baseline;  // last quantity read from Odoo
  std::int64_t baseline_read_at_ms = 0;
  Quantity pending;  // local moves Odoo has not confirmed yet
  [[nodiscard]] Quantity on_hand() const { return baseline + pending; }
};

class Ledger {
 public:
  // Opens or creates the ledger. A file that is not an edgestock ledger, is
  // corrupt, has a newer schema or belongs to another terminal is refused with
  // a clear error and left untouched. Older schemas are migrated.
  static std::expected<std::unique_ptr<Ledger>, LedgerError> open(const LedgerOptions& options, const Clock& clock);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Records one move; safe to call from many threads at once. Concurrent calls
  // share one transaction and one fsync (group commit). Returns once the move
  // is durable, or an error when nothing was recorded.
  std::expected<Move, LedgerError> record(const MoveRequest& request);

  // Records several moves in one transaction: all of them or none.
  std::expected<std::vector<Move>, LedgerError> record_all(std::span<const MoveRequest> requests);

  // Reads report a storage failure as an error, never as "nothing there":
  // an empty outbox or empty stock read from a broken file would be believed.
  [[nodiscard]] std::expected<std::optional<Move>, LedgerError> find_move(const MoveId& id) const;
  // The reversal recorded for `id`, if any (there is at most one).
  [[nodiscard]] std::expected<std::optional<Move>, LedgerError> reversal_of(const MoveId& id) const;
  // Moves with seq > after, in seq order, at most `limit`.
  [[nodiscard]] std::expected<std::vector<Move>, LedgerError> moves_after(Seq after, std::size_t limit) const;
  [[nodiscard]] Seq last_seq() const;

  [[nodiscard]] std::expected<std::vector<StockLine>, LedgerError> stock() const;
  [[nodiscard]] std::expected<std::optional<StockLine>, LedgerError> stock_line(const LocationCode& location,
                                                                                const std::string& product_key,
                                                                                const std::string& lot) const;

  // A quantity read from Odoo becomes the new baseline of that stock line.
  std::expected<void, LedgerError> set_baseline(const LocationCode& location, const std::string& product_key,
                                                const std::string& lot, const UnitOfMeasure& uom, Quantity quantity,
                                                std::int64_t read_at_ms);
  // Odoo has booked this move (its baseline now includes it): its effect
  // leaves `pending`. Confirming twice is harmless.
  std::expected<void, LedgerError> confirm_by_server(const MoveId& id);

  // Odoo has booked a posting batch, and these quantities were read from its
  // quants afterwards. In one transaction: the batch is done, its moves leave
  // `pending` and the Odoo queue, and the baselines are set; so the stock
  // shown never jumps and never counts a move twice. Settling twice is harmless.
  struct Baseline {
    LocationCode location;
    std::string product_key;
    std::string lot;
    UnitOfMeasure uom;
    Quantity quantity;
  };
  std::expected<void, LedgerError> settle_posting(std::string_view batch_id, std::int64_t odoo_id,
                                                  std::span<const Baseline> baselines, std::int64_t read_at_ms);

  // What a catalogue pull read of Odoo's quants at the site's locations, the
  // read having started at `read_started_ms`: summed per location, product and
  // lot. `complete` when every quant was mapped to a product here, so that a
  // line Odoo holds nothing of is known to be zero there.
  struct PulledStock {
    std::vector<LocationCode> locations;
    std::vector<Baseline> quants;
    std::int64_t read_started_ms = 0;
    bool complete = true;
  };
  struct Rebased {
    std::int64_t rebased = 0;       // the baseline became Odoo's quantity (changed)
    std::int64_t unchanged = 0;     // Odoo's quantity was the baseline already
    std::int64_t in_flight = 0;     // left: Odoo may hold one of its pending moves already
    std::int64_t newer = 0;         // left: its baseline was read after the pull began
    std::int64_t unit_changed = 0;  // left: Odoo counts the product in another unit now
  };
  // Rebases the stock lines at the pulled locations on Odoo's quants, in one
  // transaction, except a line Odoo may already hold a pending move of (a
  // batch sent and not settled; a receipt not yet posted, which central may
  // have booked at dispatch): adding Odoo's quantity to that move would count
  // it twice, so such a line waits for its posting to settle it.
  std::expected<Rebased, LedgerError> rebase_from_pull(const PulledStock& pulled);

  // The raw scan journal: `raw` (escaped, at most 4096 bytes kept) is durable
  // when this returns, before anything tries to read it. Returns its number.
  std::expected<std::int64_t, LedgerError> journal_scan(std::string_view source, std::string_view raw);
  // What became of a journaled scan: "move <id>", "refused: <reason>", ...
  std::expected<void, LedgerError> note_scan_outcome(std::int64_t scan, std::string_view outcome);
  struct JournaledScan {
    std::int64_t id = 0;
    std::int64_t received_at_ms = 0;
    std::string source;
    std::string raw;
    std::string outcome;
  };
  [[nodiscard]] std::expected<std::vector<JournaledScan>, LedgerError> recent_scans(std::size_t count) const;

  // Retention: deletes moves recorded before `cutoff_ms` that reached every
  // destination (none is left in any outbox or exception queue, and none
  // waits to reverse them). Their audit entries stay. Returns how many went.
  std::expected<std::int64_t, LedgerError> prune_delivered(std::int64_t cutoff_ms);

  // SQLite's own page-level check (PRAGMA quick_check): empty when sound.
  [[nodiscard]] std::vector<std::string> check_integrity() const;

  // Group commit so far: transactions committed by record() and the moves in
  // them (moves / commits is the mean batch size).
  struct CommitStats {
    std::int64_t commits = 0;
    std::int64_t moves = 0;
    std::int64_t commit_us = 0;  // time spent writing and committing batches
  };
  [[nodiscard]] CommitStats commit_stats() const;

  // Background WAL checkpoints done since open (for status and tests).
  [[nodiscard]] std::int64_t checkpoints_completed() const;
  // Background checkpoints tried, completed or not.
  [[nodiscard]] std::int64_t checkpoints_attempted() const;

  // What opening found worth telling the IT desk (a WAL reserve skipped for
  // lack of space, ...): the agent logs these at start.
  [[nodiscard]] const std::vector<std::string>& notices() const;

  [[nodiscard]] int schema_version() const;
  [[nodiscard]] const LedgerOptions& options() const;

  Outbox& outbox();
  AuditLog& audit();
  Catalogue& catalogue();
  Postings& postings();
  // The plausibility of the wall clock, and its distance from Odoo's once
  // known: moves recorded while it reports a problem are flagged
  // clock_suspect. Thread-safe.
  ClockCheck& clock_check();

 private:
  explicit Ledger(std::unique_ptr<Database> database);

 public:
  struct Parts;  // defined in ledger.cpp only

 private:
  std::unique_ptr<Database> database_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace edgestock::storage
