#include "edgestock/storage/postings.hpp"

#include <algorithm>

#include "audit_chain.hpp"
#include "database.hpp"
#include "edgestock/storage/outbox.hpp"
#include "outbox_rows.hpp"

namespace edgestock::storage {
namespace {

using Code = LedgerError::Code;

constexpr const char* kBatchColumns =
    "batch_id, origin, state, plan, coalesce(odoo_id, 0), attempts, next_attempt_ms, coalesce(last_error, ''), "
    "created_at_ms";

PostingBatch read_batch(Database& db, sqlite::Statement& row) {
  PostingBatch b{row.column_text(0), row.column_text(1),
                 row.column_text(2), row.column_text(3),
                 row.column_int(4),  static_cast<int>(row.column_int(5)),
                 row.column_int(6),  row.column_text(7),
                 row.column_int(8),  {}};
  auto& moves = db.cached("SELECT seq FROM posting_moves WHERE batch_id = ?1 ORDER BY seq");
  moves.bind(1, b.batch_id);
  while (moves.step()) b.seqs.push_back(Seq{moves.column_int(0)});
  moves.reset();
  return b;
}

// Changes an open batch; refuses one that is not open.
void update_open(Database& db, std::string_view batch_id, const char* sql, std::string_view text, std::int64_t number) {
  auto& update = db.cached(sql);
  update.bind(1, batch_id).bind_text(2, text).bind(3, number).bind(4, db.clock().now_ms());
  update.run();
  if (db.connection().changes() == 0) {
    refuse(Code::not_found, "no open posting batch " + std::string(batch_id));
  }
}

}  // namespace

std::expected<std::int64_t, LedgerError> Postings::fix(std::span<const NewPostingBatch> batches) {
  return with_database(database_, [&] {
    WriteTransaction transaction(database_);
    const auto now = database_.clock().now_ms();
    std::int64_t fixed = 0;
    for (const auto& b : batches) {
      if (b.batch_id.empty() || b.origin.empty() || b.seqs.empty()) {
        refuse(Code::invalid_move, "a posting batch needs an id, an origin and moves; nothing was fixed");
      }
      database_
          .cached(
              "INSERT OR IGNORE INTO postings(batch_id, origin, state, plan, created_at_ms, updated_at_ms, expected) "
              "VALUES (?1, ?2, 'fixed', ?3, ?4, ?4, ?5)")
          .bind(1, b.batch_id)
          .bind(2, b.origin)
          .bind_text(3, b.plan)
          .bind(4, now)
          .bind(5, b.expected)
          .run();
      if (database_.connection().changes() == 0) continue;
      ++fixed;
      for (const auto seq : b.seqs) {
        database_.cached("INSERT INTO posting_moves(seq, batch_id) VALUES (?1, ?2)")
            .bind(1, seq.value)
            .bind(2, b.batch_id)
            .run();
      }
    }
    transaction.commit();
    return fixed;
  });
}

std::expected<std::vector<std::int64_t>, LedgerError> Postings::expected_taken() const {
  return with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT DISTINCT expected FROM postings WHERE expected != 0 AND state IN ('fixed', 'sent', 'done') "
        "ORDER BY expected");
    std::vector<std::int64_t> taken;
    while (select.step()) taken.push_back(select.column_int(0));
    select.reset();
    return taken;
  });
}

std::expected<std::vector<PostingBatch>, LedgerError> Postings::open(std::int64_t now_ms) const {
  return with_database(database_, [&] {
    auto& select = database_.cached(std::string("SELECT ") + kBatchColumns +
                                    " FROM postings WHERE state IN ('fixed', 'sent') AND (next_attempt_ms <= ?1 OR "
                                    "next_attempt_ms > ?2) ORDER BY created_at_ms, rowid");
    select.bind(1, now_ms).bind(2, now_ms + Outbox::kMaxRetryDelayMs);
    std::vector<PostingBatch> found;
    std::vector<std::string> ids;
    while (select.step()) ids.push_back(select.column_text(0));
    select.reset();
    for (const auto& id : ids) {
      auto& one = database_.cached(std::string("SELECT ") + kBatchColumns + " FROM postings WHERE batch_id = ?1");
      one.bind(1, id);
      if (one.step()) {
        auto batch = read_batch(database_, one);
        one.reset();
        found.push_back(std::move(batch));
      } else {
        one.reset();
      }
    }
    return found;
  });
}

std::expected<PostingBatch, LedgerError> Postings::batch(std::string_view batch_id) const {
  return with_database(database_, [&] {
    auto& one = database_.cached(std::string("SELECT ") + kBatchColumns + " FROM postings WHERE batch_id = ?1");
    one.bind(1, batch_id);
    if (!one.step()) {
      one.reset();
      refuse(Code::not_found, "no posting batch " + std::string(batch_id));
    }
    auto found = read_batch(database_, one);
    one.reset();
    return found;
  });
}

namespace {
std::vector<Seq> in_state(Database& db, std::span<const Seq> seqs, const char* states) {
  std::vector<Seq> found;
  auto& select = db.cached(std::string("SELECT 1 FROM posting_moves m JOIN postings p USING (batch_id) WHERE m.seq = "
                                       "?1 AND p.state IN (") +
                           states + ") LIMIT 1");
  for (const auto seq : seqs) {
    select.bind(1, seq.value);
    if (select.step()) found.push_back(seq);
    select.reset();
  }
  return found;
}
}  // namespace

std::expected<std::vector<Seq>, LedgerError> Postings::batched(std::span<const Seq> seqs) const {
  return with_database(database_, [&] { return in_state(database_, seqs, "'fixed', 'sent', 'done'"); });
}

std::expected<std::vector<Seq>, LedgerError> Postings::posted() const {
  return with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT m.seq FROM posting_moves m JOIN postings p USING (batch_id) WHERE p.state = 'done' ORDER BY m.seq");
    std::vector<Seq> found;
    while (select.step()) found.push_back(Seq{select.column_int(0)});
    select.reset();
    return found;
  });
}

std::expected<std::vector<std::pair<Seq, std::int64_t>>, LedgerError> Postings::received_into() const {
  return with_database(database_, [&] {
    auto& select = database_.cached(
        "SELECT m.seq, p.expected FROM posting_moves m JOIN postings p USING (batch_id) "
        "WHERE p.state = 'done' AND p.expected != 0 ORDER BY m.seq");
    std::vector<std::pair<Seq, std::int64_t>> found;
    while (select.step()) found.emplace_back(Seq{select.column_int(0)}, select.column_int(1));
    select.reset();
    return found;
  });
}

std::expected<std::vector<Seq>, LedgerError> Postings::split_before(std::span<const Seq> seqs) const {
  return with_database(database_, [&] { return in_state(database_, seqs, "'split'"); });
}

std::expected<void, LedgerError> Postings::mark_sent(std::string_view batch_id, std::int64_t odoo_id) {
  return with_database(database_, [&] {
    update_open(database_, batch_id,
                "UPDATE postings SET state = 'sent', attempts = attempts + 1, odoo_id = coalesce(nullif(?3, 0), "
                "odoo_id), updated_at_ms = ?4, last_error = coalesce(nullif(?2, ''), last_error) "
                "WHERE batch_id = ?1 AND state IN ('fixed', 'sent')",
                "", odoo_id);
  });
}

std::expected<void, LedgerError> Postings::mark_retry(std::string_view batch_id, std::string_view error,
                                                      std::int64_t retry_at_ms) {
  return with_database(database_, [&] {
    const auto capped = std::min(retry_at_ms, database_.clock().now_ms() + Outbox::kMaxRetryDelayMs);
    update_open(database_, batch_id,
                "UPDATE postings SET last_error = ?2, next_attempt_ms = ?3, updated_at_ms = ?4 "
                "WHERE batch_id = ?1 AND state IN ('fixed', 'sent')",
                error, capped);
  });
}

std::expected<void, LedgerError> Postings::mark_split(std::string_view batch_id, std::string_view reason) {
  return with_database(database_, [&] {
    WriteTransaction transaction(database_);
    update_open(database_, batch_id,
                "UPDATE postings SET state = 'split', last_error = ?2, updated_at_ms = ?4 "
                "WHERE batch_id = ?1 AND state IN ('fixed', 'sent')",
                reason, 0);
    append_audit_locked(database_, "agent", "posting split", std::string(batch_id), reason);
    transaction.commit();
  });
}

std::expected<void, LedgerError> Postings::mark_failed(std::string_view batch_id, std::string_view reason) {
  return with_database(database_, [&] {
    WriteTransaction transaction(database_);
    update_open(database_, batch_id,
                "UPDATE postings SET state = 'failed', last_error = ?2, updated_at_ms = ?4 "
                "WHERE batch_id = ?1 AND state IN ('fixed', 'sent')",
                reason, 0);
    auto& select = database_.cached(
        "SELECT m.seq FROM posting_moves m JOIN outbox o ON o.seq = m.seq AND o.destination = ?2 "
        "AND o.state = 'pending' WHERE m.batch_id = ?1 ORDER BY m.seq");
    select.bind(1, batch_id).bind(2, kDestinationOdoo);
    std::vector<Seq> seqs;
    while (select.step()) seqs.push_back(Seq{select.column_int(0)});
    select.reset();
    for (const auto seq : seqs) move_to_exceptions_locked(database_, kDestinationOdoo, seq, reason);
    transaction.commit();
  });
}

}  // namespace edgestock::storage
