#include "edgestock/storage/ledger.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <set>
#include <tuple>

#include "audit_chain.hpp"
#include "catalogue_rows.hpp"
#include "database.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/storage/postings.hpp"
#include "move_rows.hpp"
#include "units_rows.hpp"

namespace edgestock::storage {
namespace {

using Code = LedgerError::Code;
using MoveResult = std::expected<Move, LedgerError>;

std::optional<Move> find_move_locked(Database& db, const std::string& id) {
  auto& select = db.cached(select_moves("WHERE id = ?1"));
  select.bind(1, id);
  std::optional<Move> move;
  if (select.step()) move = read_move(select);
  select.reset();
  return move;
}

// The stock effects of a recorded move; a reversal undoes its original.
std::vector<StockEffect> effects_of(Database& db, const Move& move) {
  if (move.request.kind != MoveKind::reversal) return stock_effects(move.request);
  const auto original = find_move_locked(db, move.request.reverses.str());
  if (!original) return {};
  auto effects = stock_effects(original->request);
  for (auto& effect : effects) effect.delta = -effect.delta;
  return effects;
}

// What a stock line holds now, or nullopt when there is no such line yet.
struct KeptLine {
  std::string uom;
  std::int64_t baseline_micros = 0;
  std::int64_t pending_micros = 0;
};
std::optional<KeptLine> kept_line(Database& db, const std::string& location, const std::string& product_key,
                                  const std::string& lot) {
  auto& line = db.cached(
      "SELECT uom, baseline_micros, pending_micros FROM stock WHERE location = ?1 AND product_key = ?2 AND lot = ?3");
  line.bind(1, location).bind(2, product_key).bind_text(3, lot);
  std::optional<KeptLine> kept;
  if (line.step()) kept = KeptLine{line.column_text(0), line.column_int(1), line.column_int(2)};
  line.reset();
  return kept;
}

bool beyond_stock_bound(std::int64_t micros) {
  return micros > Quantity::kMaxStockMicros || micros < -Quantity::kMaxStockMicros;
}

// Refuses a move whose unit does not convert into its product's or its stock
// lines' (units of two families), or that would carry a stock line past what
// the ledger holds exactly (SQLite would silently turn an overflowing sum into
// a floating-point REAL). A unit of the same family is converted; a reversal
// keeps the unit of the move it reverses, whatever the product's is now; an
// empty line takes the unit of the move that comes to it.
void check_stock_lines(Database& db, const MoveRequest& r, const std::vector<StockEffect>& effects) {
  if (const auto product = find_product_locked(db, r.product);
      product && r.kind != MoveKind::reversal && product->uom != r.uom &&
      !convert_locked(db, Quantity::units(1), r.uom.str(), product->uom.str())) {
    refuse(Code::unit_mismatch, "move refused: '" + r.product.key() + "' is counted in " + product->uom.str() +
                                    ", not " + r.uom.str() + "; nothing was recorded");
  }
  for (const auto& effect : effects) {
    const auto kept = kept_line(db, effect.location.str(), effect.product_key, effect.lot);
    if (!kept) continue;
    auto delta = convert_locked(db, effect.delta, r.uom.str(), kept->uom);
    if (!delta && kept->baseline_micros == 0 && kept->pending_micros == 0) delta = effect.delta;
    if (!delta) {
      refuse(Code::unit_mismatch, "move refused: stock of '" + effect.product_key + "' at " + effect.location.str() +
                                      " is kept in " + kept->uom + ", not " + r.uom.str() + "; nothing was recorded");
    }
    const auto pending = kept->pending_micros + delta->as_micros();  // both bounded: no overflow
    if (beyond_stock_bound(pending) || beyond_stock_bound(kept->baseline_micros + pending)) {
      refuse(Code::invalid_move, "move refused: the stock of '" + effect.product_key + "' at " + effect.location.str() +
                                     " would pass " + Quantity::micros(Quantity::kMaxStockMicros).to_string() +
                                     ", more than the ledger holds exactly; nothing was recorded");
    }
  }
}

// The effect joins its stock line in the line's unit (converted from the
// move's when they differ: checked convertible when the move was recorded).
void add_pending(Database& db, const StockEffect& effect, const UnitOfMeasure& uom) {
  if (const auto kept = kept_line(db, effect.location.str(), effect.product_key, effect.lot);
      kept && kept->uom != uom.str()) {
    auto delta = convert_locked(db, effect.delta, uom.str(), kept->uom);
    if (!delta && kept->baseline_micros == 0 && kept->pending_micros == 0) {
      db.cached("UPDATE stock SET uom = ?4 WHERE location = ?1 AND product_key = ?2 AND lot = ?3")
          .bind(1, effect.location.str())
          .bind(2, effect.product_key)
          .bind_text(3, effect.lot)
          .bind(4, uom.str())
          .run();
      delta = effect.delta;
    }
    if (!delta) {
      refuse(Code::unit_mismatch, "stock of '" + effect.product_key + "' at " + effect.location.str() + " is kept in " +
                                      kept->uom + ", which " + uom.str() + " does not convert into");
    }
    db.cached(
          "UPDATE stock SET pending_micros = pending_micros + ?4 WHERE location = ?1 AND product_key = ?2 AND lot = ?3")
        .bind(1, effect.location.str())
        .bind(2, effect.product_key)
        .bind_text(3, effect.lot)
        .bind(4, delta->as_micros())
        .run();
    return;
  }
  db.cached(
        "INSERT INTO stock(location, product_key, lot, uom, pending_micros) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE "
        "SET pending_micros = pending_micros + excluded.pending_micros")
      .bind(1, effect.location.str())
      .bind(2, effect.product_key)
      .bind_text(3, effect.lot)
      .bind(4, uom.str())
      .bind(5, effect.delta.as_micros())
      .run();
}

std::string audit_detail(const Move& move) {
  const auto& r = move.request;
  std::string detail = "seq " + std::to_string(move.seq.value) + " " + std::string(to_string(r.kind)) + " " +
                       r.qty.to_string() + " " + r.uom.str() + " of " + r.product.key();
  if (!r.lot.empty()) detail += " lot " + r.lot;
  if (!r.from.empty()) detail += " from " + r.from.str();
  if (!r.to.empty()) detail += " to " + r.to.str();
  if (!r.reverses.empty()) detail += " reversing " + r.reverses.str();
  return detail;
}

// Writes one move with everything that goes with it. Every refusal happens
// before the first write, so a refused move leaves the transaction untouched.
Move write_move(Database& db, const MoveRequest& request, std::int64_t now_ms, bool clock_suspect) {
  MoveRequest r = request;
  if (r.kind == MoveKind::count && r.counted && r.expected && r.qty.is_zero()) {
    r.qty = *r.counted - *r.expected;
  }
  if (auto why = check_move_request(r)) {
    refuse(Code::invalid_move, "move refused: " + *why + "; nothing was recorded");
  }
  // Never refused for it (a patient's issue must go through), but flagged so
  // that nobody trusts its times: the recording time, or the scan time given.
  r.clock_suspect = clock_suspect || (r.occurred_at_ms && !wall_clock_problem(*r.occurred_at_ms).empty());
  Move move{MoveId::generate(now_ms),
            Seq{db.last_seq + 1},
            db.options().terminal,
            db.options().site,
            r.occurred_at_ms.value_or(now_ms),
            r};
  if (r.kind == MoveKind::reversal) {
    const auto original = find_move_locked(db, r.reverses.str());
    if (!original) {
      refuse(Code::not_found,
             "reversal refused: move " + r.reverses.str() + " is not in this ledger; nothing was recorded");
    }
    if (original->request.kind == MoveKind::reversal) {
      refuse(Code::invalid_move, "reversal refused: " + r.reverses.str() +
                                     " is itself a reversal; record the move again instead. Nothing was recorded");
    }
    auto& reversed = db.cached("SELECT id FROM moves WHERE reverses = ?1");
    reversed.bind(1, r.reverses.str());
    if (reversed.step()) {
      const std::string by = reversed.column_text(0);
      reversed.reset();
      refuse(Code::invalid_move,
             "reversal refused: " + r.reverses.str() + " was already reversed by " + by + "; nothing was recorded");
    }
    reversed.reset();
    auto& copy = move.request;
    const auto& o = original->request;
    copy.product = o.product;
    copy.lot = o.lot;
    copy.expiry = o.expiry;
    copy.serial = o.serial;
    copy.qty = o.qty;
    copy.uom = o.uom;
    copy.from = o.from;
    copy.to = o.to;
    copy.cost_centre = o.cost_centre;
    copy.encounter = o.encounter;
  }
  const auto effects = effects_of(db, move);
  check_stock_lines(db, move.request, effects);

  insert_move(db, move, now_ms);
  db.last_seq = move.seq.value;
  for (const auto& effect : effects) add_pending(db, effect, move.request.uom);
  for (const auto& destination : db.options().destinations) {
    // Due at once, whatever the wall clock says: a row stamped "now" would
    // wait behind a clock stepped back, and later seqs would overtake it.
    db.cached("INSERT INTO outbox(destination, seq, state, next_attempt_ms) VALUES (?1, ?2, 'pending', 0)")
        .bind(1, destination)
        .bind(2, move.seq.value)
        .run();
  }
  const std::string actor =
      move.request.operator_id.empty() ? "terminal:" + move.terminal.str() : move.request.operator_id.str();
  append_audit_locked(db, actor, "record", move.id.str(), audit_detail(move));
  return move;
}

// Writes a batch in one transaction. With `all_or_nothing`, one refusal
// rolls back the whole batch; otherwise only that move is refused.
std::vector<MoveResult> write_batch(Database& db, std::span<const MoveRequest* const> requests, bool all_or_nothing) {
  const auto fail_all = [&](const LedgerError& error) {
    return std::vector<MoveResult>(requests.size(), std::unexpected(error));
  };
  try {
    std::vector<MoveResult> results;
    results.reserve(requests.size());
    std::lock_guard lock(db.mutex);
    WriteTransaction transaction(db);
    const auto now = db.clock().now_ms();
    const bool clock_suspect = !db.clock_check.problem(now).empty();
    for (const auto* request : requests) {
      try {
        results.emplace_back(write_move(db, *request, now, clock_suspect));
      } catch (const LedgerFailure& failure) {
        if (all_or_nothing) throw;
        results.emplace_back(std::unexpected(failure.error));
      }
    }
    try {
      transaction.commit();
    } catch (const sqlite::SqliteError& error) {
      // The frames may be on disk although the commit reported an I/O error
      // (its fsync failed): after a restart the moves can be there. Say so,
      // and leave their ids for the next open to settle.
      if (error.primary_code() != SQLITE_IOERR) throw;
      std::vector<std::string> ids;
      for (const auto& result : results) {
        if (result) ids.push_back(result->id.str());
      }
      note_unresolved(db, ids);
      return fail_all(LedgerError{Code::outcome_unknown,
                                  "the disk reported an error while making this move durable: it may or may not be "
                                  "recorded. Check the stock before scanning it again; the agent settles it at its "
                                  "next start. (" +
                                      std::string(error.what()) + ")"});
    }
    return results;
  } catch (const LedgerFailure& failure) {
    return fail_all(failure.error);
  } catch (const sqlite::SqliteError& error) {
    return fail_all(sqlite::to_ledger_error(error));
  } catch (const std::exception& error) {
    // Anything else (no memory, no randomness for an id, a clock that
    // throws): the transaction rolled back and nothing was recorded.
    return fail_all(unexpected_failure(error));
  }
}

}  // namespace

struct Ledger::Parts {
  explicit Parts(Database& db) : outbox(db), audit(db), catalogue(db), postings(db) {}
  Outbox outbox;
  AuditLog audit;
  Catalogue catalogue;
  Postings postings;

  // Group commit: callers queue their request; whoever finds no commit under
  // way leads the next one for everybody queued, then hands over.
  struct Waiter {
    const MoveRequest* request = nullptr;
    std::optional<MoveResult> result;
  };
  std::mutex queue_mutex;
  // Two signals, so that an arrival wakes only a gathering leader and a
  // finished batch only its writers: on two cores, every needless wake-up
  // takes CPU from the commit under way.
  std::condition_variable arrived;     // a request joined the queue (a leader gathers)
  std::condition_variable batch_done;  // results are in and the next leader may start
  bool leader_gathering = false;
  std::size_t gather_target = 0;  // the queue length the gathering leader waits for
  std::vector<Waiter*> queue;
  bool commit_under_way = false;
  // How many callers were inside record() at once since the last batch began:
  // the batch size worth waiting a moment for.
  int callers_inside = 0;
  int peak_since_last_batch = 0;
  std::chrono::microseconds last_commit{0};
  CommitStats stats;
};

namespace {

// A leader waits at most this long for the writers of the last batch to queue
// again: at most half a commit, so a lone writer never waits at all and a busy
// terminal trades a fraction of one fsync for one fsync shared by all.
std::chrono::microseconds gather_window(std::chrono::microseconds last_commit) {
  using std::chrono::microseconds;
  return std::clamp(last_commit / 2, microseconds(20), microseconds(2000));
}

}  // namespace

std::expected<std::unique_ptr<Ledger>, LedgerError> Ledger::open(const LedgerOptions& options, const Clock& clock) {
  try {
    return std::unique_ptr<Ledger>(new Ledger(std::make_unique<Database>(options, clock)));
  } catch (const LedgerFailure& failure) {
    return std::unexpected(failure.error);
  } catch (const sqlite::SqliteError& error) {
    auto ledger_error = sqlite::to_ledger_error(error);
    ledger_error.message = "cannot open the ledger " + options.path.string() + ": " + ledger_error.message;
    return std::unexpected(ledger_error);
  } catch (const std::exception& error) {
    return std::unexpected(
        LedgerError{Code::io, "cannot open the ledger " + options.path.string() + ": " + error.what()});
  }
}

Ledger::Ledger(std::unique_ptr<Database> database)
    : database_(std::move(database)), parts_(std::make_unique<Parts>(*database_)) {}

Ledger::~Ledger() = default;

namespace {

// Every way out of a batch, an exception included, gives each of its writers
// a result and hands the next turn over: a writer left without one would
// wait for ever, and so would everybody after it.
class BatchHandover {
 public:
  BatchHandover(Ledger::Parts& parts, std::vector<Ledger::Parts::Waiter*>& batch, std::unique_lock<std::mutex>& lock)
      : parts_(parts), batch_(batch), lock_(lock) {}
  ~BatchHandover() {
    if (!lock_.owns_lock()) lock_.lock();
    for (auto* waiter : batch_) {
      if (!waiter->result) {
        waiter->result =
            std::unexpected(LedgerError{Code::io, "the ledger failed while recording this move; nothing was recorded"});
      }
    }
    parts_.commit_under_way = false;
    parts_.batch_done.notify_all();
  }
  BatchHandover(const BatchHandover&) = delete;
  BatchHandover& operator=(const BatchHandover&) = delete;

 private:
  Ledger::Parts& parts_;
  std::vector<Ledger::Parts::Waiter*>& batch_;
  std::unique_lock<std::mutex>& lock_;
};

// Writes one batch for everybody in it, the queue's lock released meanwhile.
void lead_batch(Database& db, Ledger::Parts& p, std::vector<Ledger::Parts::Waiter*>& batch,
                std::unique_lock<std::mutex>& lock) {
  const BatchHandover handover(p, batch, lock);
  lock.unlock();
  try {
    std::vector<const MoveRequest*> requests;
    requests.reserve(batch.size());
    for (auto* waiter : batch) requests.push_back(waiter->request);
    const auto started = std::chrono::steady_clock::now();
    auto results = write_batch(db, requests, false);
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    lock.lock();
    p.last_commit = took;
    ++p.stats.commits;
    p.stats.moves += static_cast<std::int64_t>(batch.size());
    p.stats.commit_us += took.count();
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
  } catch (const std::exception&) {
    // The handover gives every writer still without a result an error.
  }
}

}  // namespace

std::expected<Move, LedgerError> Ledger::record(const MoveRequest& request) {
  // Refuse what is wrong on its face before joining anybody's transaction.
  if (request.kind != MoveKind::count) {
    if (auto why = check_move_request(request)) {
      return std::unexpected(LedgerError{Code::invalid_move, "move refused: " + *why + "; nothing was recorded"});
    }
  }
  Parts& p = *parts_;
  Parts::Waiter self{&request, std::nullopt};
  std::unique_lock lock(p.queue_mutex);
  p.peak_since_last_batch = std::max(p.peak_since_last_batch, ++p.callers_inside);
  p.queue.push_back(&self);
  // Wake a gathering leader only once its batch is complete: every needless
  // wake-up is a context switch on a core the others need.
  if (p.leader_gathering && p.queue.size() >= p.gather_target) p.arrived.notify_one();
  while (!self.result) {
    if (p.commit_under_way) {
      p.batch_done.wait(lock);
      continue;
    }
    p.commit_under_way = true;
    const auto wanted = static_cast<std::size_t>(p.peak_since_last_batch);
    if (p.queue.size() < wanted) {
      p.leader_gathering = true;
      p.gather_target = wanted;
      p.arrived.wait_for(lock, gather_window(p.last_commit), [&] { return p.queue.size() >= wanted; });
      p.leader_gathering = false;
    }
    p.peak_since_last_batch = p.callers_inside;
    std::vector<Parts::Waiter*> batch;
    batch.swap(p.queue);
    lead_batch(*database_, p, batch, lock);
  }
  --p.callers_inside;
  return std::move(*self.result);
}

std::expected<std::vector<Move>, LedgerError> Ledger::record_all(std::span<const MoveRequest> requests) {
  std::vector<const MoveRequest*> pointers;
  pointers.reserve(requests.size());
  for (const auto& request : requests) pointers.push_back(&request);
  auto results = write_batch(*database_, pointers, true);
  std::vector<Move> moves;
  moves.reserve(results.size());
  for (auto& result : results) {
    if (!result) return std::unexpected(result.error());
    moves.push_back(std::move(*result));
  }
  return moves;
}

std::expected<std::optional<Move>, LedgerError> Ledger::find_move(const MoveId& id) const {
  return with_database(*database_, [&] { return find_move_locked(*database_, id.str()); });
}

std::expected<std::optional<Move>, LedgerError> Ledger::reversal_of(const MoveId& id) const {
  return with_database(*database_, [&] {
    auto& select = database_->cached(select_moves("WHERE reverses = ?1 LIMIT 1"));
    select.bind(1, id.str());
    std::optional<Move> found;
    if (select.step()) found = read_move(select);
    select.reset();
    return found;
  });
}

std::expected<std::vector<Move>, LedgerError> Ledger::moves_after(Seq after, std::size_t limit) const {
  return with_database(*database_, [&] {
    auto& select = database_->cached(select_moves("WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
    select.bind(1, after.value).bind(2, static_cast<std::int64_t>(limit));
    std::vector<Move> found;
    while (select.step()) found.push_back(read_move(select));
    select.reset();
    return found;
  });
}

Seq Ledger::last_seq() const {
  std::lock_guard lock(database_->mutex);
  return Seq{database_->last_seq};
}

namespace {
constexpr const char* kSelectStock =
    "SELECT location, product_key, lot, uom, baseline_micros, baseline_read_at_ms, pending_micros "
    "FROM stock ";

StockLine read_stock_line(const sqlite::Statement& row) {
  return StockLine{LocationCode(row.column_text(0)),
                   row.column_text(1),
                   row.column_text(2),
                   UnitOfMeasure(row.column_text(3)),
                   Quantity::micros(row.column_int(4)),
                   row.column_int(5),
                   Quantity::micros(row.column_int(6))};
}
}  // namespace

std::expected<std::vector<StockLine>, LedgerError> Ledger::stock() const {
  return with_database(*database_, [&] {
    auto& select = database_->cached(std::string(kSelectStock) + "ORDER BY location, product_key, lot");
    std::vector<StockLine> found;
    while (select.step()) found.push_back(read_stock_line(select));
    select.reset();
    return found;
  });
}

std::expected<std::optional<StockLine>, LedgerError> Ledger::stock_line(const LocationCode& location,
                                                                        const std::string& product_key,
                                                                        const std::string& lot) const {
  return with_database(*database_, [&] {
    auto& select =
        database_->cached(std::string(kSelectStock) + "WHERE location = ?1 AND product_key = ?2 AND lot = ?3");
    select.bind(1, location.str()).bind(2, product_key).bind_text(3, lot);
    std::optional<StockLine> found;
    if (select.step()) found = read_stock_line(select);
    select.reset();
    return found;
  });
}

namespace {

void write_baseline_locked(Database& db, const Ledger::Baseline& b, std::int64_t read_at_ms) {
  if (b.location.empty() || b.product_key.empty() || b.uom.empty()) {
    refuse(Code::invalid_move, "a baseline needs a location, a product and a unit");
  }
  auto kept = kept_line(db, b.location.str(), b.product_key, b.lot);
  if (kept && kept->uom != b.uom.str()) {
    // Odoo counts the product in another unit now: the line follows it when
    // the two units convert.
    const std::string was = kept->uom;
    (void)convert_lines_locked(db, b.product_key, was, b.uom.str());
    kept = kept_line(db, b.location.str(), b.product_key, b.lot);
    if (!kept || kept->uom != b.uom.str()) {
      refuse(Code::unit_mismatch, "baseline refused: stock of '" + b.product_key + "' at " + b.location.str() +
                                      " is kept in " + was + ", not " + b.uom.str());
    }
  }
  if (beyond_stock_bound(b.quantity.as_micros()) ||
      beyond_stock_bound(b.quantity.as_micros() + (kept ? kept->pending_micros : 0))) {
    refuse(Code::invalid_move, "baseline refused: " + b.quantity.to_string() + " of '" + b.product_key + "' at " +
                                   b.location.str() + " is more than the ledger holds exactly");
  }
  db.cached(
        "INSERT INTO stock(location, product_key, lot, uom, baseline_micros, baseline_read_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET "
        "baseline_micros = excluded.baseline_micros, baseline_read_at_ms = excluded.baseline_read_at_ms")
      .bind(1, b.location.str())
      .bind(2, b.product_key)
      .bind_text(3, b.lot)
      .bind(4, b.uom.str())
      .bind(5, b.quantity.as_micros())
      .bind(6, read_at_ms)
      .run();
}

// The move's effect leaves `pending`; false when it was confirmed before.
bool confirm_locked(Database& db, const Move& move) {
  db.cached("INSERT OR IGNORE INTO server_confirmed(seq, confirmed_at_ms) VALUES (?1, ?2)")
      .bind(1, move.seq.value)
      .bind(2, db.clock().now_ms())
      .run();
  if (db.connection().changes() == 0) return false;
  for (auto effect : effects_of(db, move)) {
    effect.delta = -effect.delta;
    add_pending(db, effect, move.request.uom);
  }
  return true;
}

}  // namespace

std::expected<void, LedgerError> Ledger::set_baseline(const LocationCode& location, const std::string& product_key,
                                                      const std::string& lot, const UnitOfMeasure& uom,
                                                      Quantity quantity, std::int64_t read_at_ms) {
  return with_database(*database_, [&] {
    sqlite::Transaction transaction(database_->connection());
    write_baseline_locked(*database_, Baseline{location, product_key, lot, uom, quantity}, read_at_ms);
    transaction.commit();
  });
}

std::expected<void, LedgerError> Ledger::confirm_by_server(const MoveId& id) {
  return with_database(*database_, [&] {
    auto& db = *database_;
    const auto move = find_move_locked(db, id.str());
    if (!move) refuse(Code::not_found, "move " + id.str() + " is not in this ledger");
    sqlite::Transaction transaction(db.connection());
    if (confirm_locked(db, *move)) transaction.commit();
  });
}

std::expected<void, LedgerError> Ledger::settle_posting(std::string_view batch_id, std::int64_t odoo_id,
                                                        std::span<const Baseline> baselines, std::int64_t read_at_ms) {
  return with_database(*database_, [&] {
    auto& db = *database_;
    WriteTransaction transaction(db);
    auto& state = db.cached("SELECT state FROM postings WHERE batch_id = ?1");
    state.bind(1, batch_id);
    const std::string found = state.step() ? state.column_text(0) : std::string();
    state.reset();
    if (found.empty()) refuse(Code::not_found, "no posting batch " + std::string(batch_id));
    if (found == "done") return;  // settled before
    if (found != "fixed" && found != "sent") {
      refuse(Code::not_found, "posting batch " + std::string(batch_id) + " is " + found + ", not open");
    }
    std::vector<std::string> ids;
    auto& moves = db.cached("SELECT m.id FROM posting_moves p JOIN moves m USING (seq) WHERE p.batch_id = ?1");
    moves.bind(1, batch_id);
    while (moves.step()) ids.push_back(moves.column_text(0));
    moves.reset();
    for (const auto& id : ids) {
      const auto move = find_move_locked(db, id);
      if (!move) continue;
      confirm_locked(db, *move);
      db.cached("DELETE FROM outbox WHERE destination = ?1 AND seq = ?2 AND state = 'pending'")
          .bind(1, kDestinationOdoo)
          .bind(2, move->seq.value)
          .run();
    }
    for (const auto& baseline : baselines) write_baseline_locked(db, baseline, read_at_ms);
    db.cached("UPDATE postings SET state = 'done', odoo_id = ?2, updated_at_ms = ?3 WHERE batch_id = ?1")
        .bind(1, batch_id)
        .bind(2, odoo_id)
        .bind(3, db.clock().now_ms())
        .run();
    append_audit_locked(db, "agent", "posted", std::string(batch_id),
                        std::to_string(ids.size()) + " moves, Odoo record " + std::to_string(odoo_id));
    transaction.commit();
  });
}

namespace {

using LineKey = std::tuple<std::string, std::string, std::string>;  // location, product key, lot

// Stock lines Odoo may hold a pending move of already: the moves of batches
// sent and not settled, and receipts still waiting for Odoo.
std::set<LineKey> lines_in_flight(Database& db) {
  std::vector<std::string> ids;
  auto& select = db.cached(
      "SELECT m.id FROM outbox o JOIN moves m USING (seq) WHERE o.destination = ?1 AND (m.kind = 'receipt' OR "
      "EXISTS (SELECT 1 FROM posting_moves pm JOIN postings p USING (batch_id) "
      "WHERE pm.seq = o.seq AND p.state = 'sent'))");
  select.bind(1, kDestinationOdoo);
  while (select.step()) ids.push_back(select.column_text(0));
  select.reset();
  std::set<LineKey> lines;
  for (const auto& id : ids) {
    const auto move = find_move_locked(db, id);
    if (!move) continue;
    for (const auto& effect : effects_of(db, *move))
      lines.insert({effect.location.str(), effect.product_key, effect.lot});
  }
  return lines;
}

}  // namespace

std::expected<Ledger::Rebased, LedgerError> Ledger::rebase_from_pull(const PulledStock& pulled) {
  return with_database(*database_, [&] {
    auto& db = *database_;
    WriteTransaction transaction(db);
    const auto in_flight = lines_in_flight(db);
    // Odoo's side: every quant read, and zero for each line held here at a
    // pulled location that Odoo no longer has (it deletes empty quants).
    std::map<LineKey, Baseline> odoo;
    for (const auto& quant : pulled.quants) odoo[{quant.location.str(), quant.product_key, quant.lot}] = quant;
    const std::set<std::string> locations = [&] {
      std::set<std::string> codes;
      for (const auto& code : pulled.locations) codes.insert(code.str());
      return codes;
    }();
    struct Held {
      std::string uom;
      std::int64_t baseline_micros = 0;
      std::int64_t read_at_ms = 0;
    };
    std::map<LineKey, Held> held;
    auto& lines = db.cached("SELECT location, product_key, lot, uom, baseline_micros, baseline_read_at_ms FROM stock");
    while (lines.step()) {
      if (!locations.contains(lines.column_text(0))) continue;
      held[{lines.column_text(0), lines.column_text(1), lines.column_text(2)}] =
          Held{lines.column_text(3), lines.column_int(4), lines.column_int(5)};
    }
    lines.reset();
    if (pulled.complete) {
      for (const auto& [key, line] : held) {
        if (odoo.contains(key) || line.baseline_micros == 0) continue;
        odoo[key] = Baseline{LocationCode(std::get<0>(key)), std::get<1>(key), std::get<2>(key),
                             UnitOfMeasure(line.uom), Quantity{}};
      }
    }
    Rebased result;
    for (const auto& [key, quant] : odoo) {
      const auto found = held.find(key);
      if (in_flight.contains(key)) {
        ++result.in_flight;
      } else if (found != held.end() && found->second.read_at_ms >= pulled.read_started_ms) {
        ++result.newer;
      } else if (found != held.end() && found->second.uom != quant.uom.str() &&
                 !convert_locked(db, Quantity::units(1), found->second.uom, quant.uom.str())) {
        ++result.unit_changed;
      } else if (found != held.end() && found->second.uom == quant.uom.str() &&
                 found->second.baseline_micros == quant.quantity.as_micros()) {
        ++result.unchanged;
      } else {
        write_baseline_locked(db, quant, pulled.read_started_ms);
        ++result.rebased;
      }
    }
    if (result.rebased > 0) {
      append_audit_locked(db, "agent", "rebased", "stock",
                          std::to_string(result.rebased) + " stock lines on Odoo's quants");
    }
    transaction.commit();
    return result;
  });
}

std::expected<std::int64_t, LedgerError> Ledger::journal_scan(std::string_view source, std::string_view raw) {
  return with_database(*database_, [&] {
    auto& db = *database_;
    db.cached("INSERT INTO scans(received_at_ms, source, raw) VALUES (?1, ?2, ?3)")
        .bind(1, db.clock().now_ms())
        .bind_text(2, source.substr(0, 64))
        .bind_text(3, raw.substr(0, 4096))
        .run();
    return db.connection().last_insert_rowid();
  });
}

std::expected<void, LedgerError> Ledger::note_scan_outcome(std::int64_t scan, std::string_view outcome) {
  return with_database(*database_, [&] {
    auto& db = *database_;
    const WithoutFsync light(db);  // the scan itself is durable already; its note may be lost
    db.cached("UPDATE scans SET outcome = ?2 WHERE id = ?1").bind(1, scan).bind_text(2, outcome.substr(0, 512)).run();
    if (db.connection().changes() == 0) refuse(Code::not_found, "no scan number " + std::to_string(scan));
  });
}

std::expected<std::vector<Ledger::JournaledScan>, LedgerError> Ledger::recent_scans(std::size_t count) const {
  return with_database(*database_, [&] {
    auto& select = database_->cached(
        "SELECT id, received_at_ms, source, raw, coalesce(outcome, '') FROM scans ORDER BY id DESC LIMIT ?1");
    select.bind(1, static_cast<std::int64_t>(count));
    std::vector<JournaledScan> found;
    while (select.step()) {
      found.push_back({select.column_int(0), select.column_int(1), select.column_text(2), select.column_text(3),
                       select.column_text(4)});
    }
    select.reset();
    return std::vector<JournaledScan>(found.rbegin(), found.rend());
  });
}

std::expected<std::int64_t, LedgerError> Ledger::prune_delivered(std::int64_t cutoff_ms) {
  return with_database(*database_, [&] {
    auto& db = *database_;
    WriteTransaction transaction(db);
    db.cached(
          "INSERT INTO meta(key, value) VALUES ('pruned_through_seq', ?1) "
          "ON CONFLICT DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))")
        .bind(1, std::to_string(db.last_seq))
        .run();
    db.cached(
          "DELETE FROM moves WHERE recorded_at_ms < ?1 "
          "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.seq = moves.seq) "
          "AND NOT EXISTS (SELECT 1 FROM moves r JOIN outbox o ON o.seq = r.seq WHERE r.reverses = moves.id)")
        .bind(1, cutoff_ms)
        .run();
    const std::int64_t removed = db.connection().changes();
    db.cached("DELETE FROM server_confirmed WHERE seq NOT IN (SELECT seq FROM moves)").run();
    if (removed > 0) {
      append_audit_locked(db, "agent", "prune", "moves recorded before " + std::to_string(cutoff_ms),
                          std::to_string(removed) + " delivered moves removed by retention");
    }
    transaction.commit();
    return removed;
  });
}

std::vector<std::string> Ledger::check_integrity() const {
  auto problems = with_database(*database_, [&] {
    sqlite::Statement check(database_->connection(), "PRAGMA quick_check");
    std::vector<std::string> found;
    while (check.step()) {
      if (auto line = check.column_text(0); line != "ok") found.push_back(std::move(line));
    }
    return found;
  });
  return problems ? *problems : std::vector<std::string>{problems.error().message};
}

Ledger::CommitStats Ledger::commit_stats() const {
  std::lock_guard lock(parts_->queue_mutex);
  return parts_->stats;
}

std::int64_t Ledger::checkpoints_completed() const {
  return database_->checkpoints_completed();
}

std::int64_t Ledger::checkpoints_attempted() const {
  return database_->checkpoints_attempted();
}

const std::vector<std::string>& Ledger::notices() const {
  return database_->notices;
}

int Ledger::schema_version() const {
  std::lock_guard lock(database_->mutex);
  return static_cast<int>(database_->connection().pragma_int("user_version"));
}

const LedgerOptions& Ledger::options() const {
  return database_->options();
}
Outbox& Ledger::outbox() {
  return parts_->outbox;
}
AuditLog& Ledger::audit() {
  return parts_->audit;
}
Catalogue& Ledger::catalogue() {
  return parts_->catalogue;
}

Postings& Ledger::postings() {
  return parts_->postings;
}

ClockCheck& Ledger::clock_check() {
  return database_->clock_check;
}

}  // namespace edgestock::storage
