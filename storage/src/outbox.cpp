#include "edgestock/storage/outbox.hpp"

#include <algorithm>

#include "audit_chain.hpp"
#include "database.hpp"
#include "move_rows.hpp"
#include "outbox_rows.hpp"

namespace edgestock::storage {
namespace {

using Code = LedgerError::Code;

[[noreturn]] void refuse_not_pending(std::string_view destination, Seq seq) {
  refuse(Code::not_found, "no pending " + std::string(destination) + " delivery for seq " + std::to_string(seq.value));
}

// Changes the state of one pending outbox row; refuses rows that are not pending.
void update_pending(Database& db, std::string_view destination, Seq seq, const char* sql, std::string_view text,
                    std::int64_t when_ms) {
  auto& update = db.cached(sql);
  update.bind(1, destination).bind(2, seq.value).bind_text(3, text).bind(4, when_ms);
  update.run();
  if (db.connection().changes() == 0) refuse_not_pending(destination, seq);
}

}  // namespace

std::expected<std::vector<OutboxItem>, LedgerError> Outbox::due(std::string_view destination, std::int64_t now_ms,
                                                                std::size_t limit, Seq after) const {
  return with_database(database_, [&] {
    auto& select = database_.cached(
        std::string("SELECT o.attempts, o.last_error, ") + kMoveColumns +
        " FROM outbox o JOIN moves USING (seq) WHERE o.destination = ?1 AND o.state = 'pending' "
        "AND (o.next_attempt_ms <= ?2 OR o.next_attempt_ms > ?5) AND o.seq > ?4 ORDER BY o.seq LIMIT ?3");
    select.bind(1, destination)
        .bind(2, now_ms)
        .bind(3, static_cast<std::int64_t>(limit))
        .bind(4, after.value)
        .bind(5, now_ms + kMaxRetryDelayMs);
    std::vector<OutboxItem> found;
    while (select.step()) {
      found.push_back(OutboxItem{read_move(select, 2), static_cast<int>(select.column_int(0)), select.column_text(1)});
    }
    select.reset();
    return found;
  });
}

std::expected<std::int64_t, LedgerError> Outbox::backlog(std::string_view destination) const {
  return with_database(database_, [&] {
    auto& select = database_.cached("SELECT count(*) FROM outbox WHERE destination = ?1 AND state = 'pending'");
    select.bind(1, destination);
    const auto n = select.step() ? select.column_int(0) : 0;
    select.reset();
    return n;
  });
}

std::expected<std::map<std::int64_t, std::string>, LedgerError> Outbox::states(std::string_view destination, Seq first,
                                                                               Seq last) const {
  return with_database(database_, [&] {
    auto& select = database_.cached("SELECT seq, state FROM outbox WHERE destination = ?1 AND seq BETWEEN ?2 AND ?3");
    select.bind(1, destination);
    select.bind(2, first.value);
    select.bind(3, last.value);
    std::map<std::int64_t, std::string> out;
    while (select.step()) out[select.column_int(0)] = select.column_text(1);
    select.reset();
    return out;
  });
}

std::expected<Outbox::Depth, LedgerError> Outbox::depth(std::string_view destination) const {
  return with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT count(*) FILTER (WHERE o.state = 'pending'), count(*) FILTER (WHERE o.state = 'exception'), "
        "coalesce(min(m.recorded_at_ms) FILTER (WHERE o.state = 'pending'), 0) "
        "FROM outbox o JOIN moves m ON m.seq = o.seq WHERE o.destination = ?1");
    select.bind(1, destination);
    Depth depth;
    if (select.step()) {
      depth.pending = select.column_int(0);
      depth.exceptions = select.column_int(1);
      depth.oldest_pending_ms = select.column_int(2);
    }
    select.reset();
    return depth;
  });
}

std::expected<void, LedgerError> Outbox::mark_sent(std::string_view destination, Seq seq) {
  return with_database(database_, [&] {
    auto& remove = database_.cached("DELETE FROM outbox WHERE destination = ?1 AND seq = ?2 AND state = 'pending'");
    remove.bind(1, destination).bind(2, seq.value).run();
    if (database_.connection().changes() == 0) refuse_not_pending(destination, seq);
  });
}

std::expected<std::int64_t, LedgerError> Outbox::mark_sent(std::string_view destination, std::span<const Seq> seqs) {
  return with_database(database_, [&] {
    // Losing this transaction costs only a resend, which consumers de-duplicate
    // by event id, so it commits without its own fsync: the WAL keeps commits
    // in order, and the next durable commit (a move) makes it durable too.
    const WithoutFsync light(database_);
    sqlite::Transaction transaction(database_.connection());
    // Acknowledgements come mostly in seq order: delete runs of consecutive
    // seqs with one statement each.
    std::vector<std::int64_t> sorted;
    sorted.reserve(seqs.size());
    for (const Seq seq : seqs) sorted.push_back(seq.value);
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::int64_t removed = 0;
    for (std::size_t first = 0; first < sorted.size();) {
      std::size_t last = first;
      while (last + 1 < sorted.size() && sorted[last + 1] == sorted[last] + 1) ++last;
      auto& remove =
          database_.cached("DELETE FROM outbox WHERE destination = ?1 AND seq BETWEEN ?2 AND ?3 AND state = 'pending'");
      remove.bind(1, destination).bind(2, sorted[first]).bind(3, sorted[last]).run();
      removed += database_.connection().changes();
      first = last + 1;
    }
    transaction.commit();
    return removed;
  });
}

std::expected<void, LedgerError> Outbox::mark_retry(std::string_view destination, Seq seq, std::string_view error,
                                                    std::int64_t retry_at_ms) {
  return with_database(database_, [&] {
    update_pending(database_, destination, seq,
                   "UPDATE outbox SET attempts = attempts + 1, last_error = ?3, next_attempt_ms = ?4 "
                   "WHERE destination = ?1 AND seq = ?2 AND state = 'pending'",
                   error, std::min(retry_at_ms, database_.clock().now_ms() + kMaxRetryDelayMs));
  });
}

void move_to_exceptions_locked(Database& db, std::string_view destination, Seq seq, std::string_view reason) {
  const auto now = db.clock().now_ms();
  update_pending(db, destination, seq,
                 "UPDATE outbox SET state = 'exception', attempts = attempts + 1, "
                 "last_error = ?3, done_at_ms = ?4 WHERE destination = ?1 AND seq = ?2 AND state = 'pending'",
                 reason, now);
  db.cached("INSERT INTO exceptions(destination, seq, reason, created_at_ms) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, destination)
      .bind(2, seq.value)
      .bind_text(3, reason)
      .bind(4, now)
      .run();
  append_audit_locked(db, "agent", "exception", std::string(destination) + " seq " + std::to_string(seq.value), reason);
}

std::expected<void, LedgerError> Outbox::mark_exception(std::string_view destination, Seq seq,
                                                        std::string_view reason) {
  return with_database(database_, [&] {
    WriteTransaction transaction(database_);
    move_to_exceptions_locked(database_, destination, seq, reason);
    transaction.commit();
  });
}

std::expected<std::vector<ExceptionItem>, LedgerError> Outbox::open_exceptions() const {
  return with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT e.id, e.destination, m.id, e.seq, e.reason, e.created_at_ms FROM exceptions e "
        "JOIN moves m USING (seq) WHERE e.resolved_at_ms IS NULL ORDER BY e.id");
    std::vector<ExceptionItem> found;
    while (select.step()) {
      found.push_back(ExceptionItem{select.column_int(0), select.column_text(1),
                                    MoveId::parse(select.column_text(2)).value_or(MoveId{}), Seq{select.column_int(3)},
                                    select.column_text(4), select.column_int(5)});
    }
    select.reset();
    return found;
  });
}

std::expected<void, LedgerError> Outbox::replay_exception(std::int64_t exception_id, std::string_view resolved_by) {
  if (resolved_by.empty()) {
    return std::unexpected(LedgerError{Code::invalid_move, "a replay must say who asked for it"});
  }
  return with_database(database_, [&] {
    auto& db = database_;
    auto& select = db.cached("SELECT destination, seq FROM exceptions WHERE id = ?1 AND resolved_at_ms IS NULL");
    select.bind(1, exception_id);
    if (!select.step()) {
      select.reset();
      refuse(Code::not_found, "no open exception number " + std::to_string(exception_id));
    }
    const std::string destination = select.column_text(0);
    const std::int64_t seq = select.column_int(1);
    select.reset();
    const auto now = db.clock().now_ms();
    WriteTransaction transaction(db);
    db.cached("UPDATE exceptions SET resolved_at_ms = ?2, resolved_by = ?3 WHERE id = ?1")
        .bind(1, exception_id)
        .bind(2, now)
        .bind_text(3, resolved_by)
        .run();
    db.cached(
          "UPDATE outbox SET state = 'pending', next_attempt_ms = ?3, done_at_ms = NULL "
          "WHERE destination = ?1 AND seq = ?2")
        .bind(1, destination)
        .bind(2, seq)
        .bind(3, now)
        .run();
    append_audit_locked(db, resolved_by, "replay", destination + " seq " + std::to_string(seq),
                        "exception " + std::to_string(exception_id) + " replayed");
    transaction.commit();
  });
}

std::expected<void, LedgerError> Outbox::resolve_exception(std::int64_t exception_id, std::string_view resolved_by,
                                                           std::string_view note) {
  if (resolved_by.empty()) {
    return std::unexpected(LedgerError{Code::invalid_move, "closing an exception must say who asked for it"});
  }
  return with_database(database_, [&] {
    auto& db = database_;
    WriteTransaction transaction(db);
    db.cached("UPDATE exceptions SET resolved_at_ms = ?2, resolved_by = ?3 WHERE id = ?1 AND resolved_at_ms IS NULL")
        .bind(1, exception_id)
        .bind(2, db.clock().now_ms())
        .bind_text(3, resolved_by)
        .run();
    if (db.connection().changes() == 0)
      refuse(Code::not_found, "no open exception number " + std::to_string(exception_id));
    append_audit_locked(db, resolved_by, "resolve", "exception " + std::to_string(exception_id), note);
    transaction.commit();
  });
}

}  // namespace edgestock::storage
