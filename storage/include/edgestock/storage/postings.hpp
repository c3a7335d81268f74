#pragma once
// Postings to Odoo as the ledger keeps them. A batch is fixed here (its id,
// its origin, what it posts, the moves it carries) before it is first sent,
// so that after a crash or a lost answer the agent asks Odoo for exactly that
// origin and never creates it twice. States:
//   fixed   planned, never sent
//   sent    sent at least once: its outcome may be unknown, search before resending
//   done    Odoo booked it (Ledger::settle_posting)
//   split   a permanent error in a batch of several: its moves are planned again one by one
//   failed  a permanent error: its moves went to the exception queue

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgestock/storage/error.hpp"
#include "edgestock/storage/ids.hpp"

namespace edgestock::storage {

class Database;

struct NewPostingBatch {
  std::string batch_id;
  std::string origin;
  std::string plan;  // what to post, as the sync side wrote it (JSON); kept as is
  std::vector<Seq> seqs;
  std::int64_t expected = 0;  // the Odoo transfer it receives into or confirms, if any
};

struct PostingBatch {
  std::string batch_id;
  std::string origin;
  std::string state;
  std::string plan;
  std::int64_t odoo_id = 0;  // the picking or scrap, once known
  int attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::string last_error;
  std::int64_t created_at_ms = 0;
  std::vector<Seq> seqs;
};

class Postings {
 public:
  explicit Postings(Database& database) : database_(database) {}

  // Fixes batches, each with its moves, in one transaction. A batch whose id
  // is already known is skipped (fixing is idempotent). Returns how many were new.
  std::expected<std::int64_t, LedgerError> fix(std::span<const NewPostingBatch> batches);
  // Batches fixed or sent, oldest first, due at `now_ms` (a retry time more
  // than an hour ahead means the clock stepped back: due now).
  [[nodiscard]] std::expected<std::vector<PostingBatch>, LedgerError> open(std::int64_t now_ms) const;
  [[nodiscard]] std::expected<PostingBatch, LedgerError> batch(std::string_view batch_id) const;
  // Moves in a batch that is fixed, sent or done: the planner leaves them alone.
  [[nodiscard]] std::expected<std::vector<Seq>, LedgerError> batched(std::span<const Seq> seqs) const;
  // The expected transfers a batch fixed, sent or done receives into or
  // confirms: each is received once (what is short becomes Odoo's backorder,
  // a new transfer).
  [[nodiscard]] std::expected<std::vector<std::int64_t>, LedgerError> expected_taken() const;
  // Every move in a batch Odoo booked, in seq order.
  [[nodiscard]] std::expected<std::vector<Seq>, LedgerError> posted() const;
  // Moves Odoo booked by an expected transfer (received into it, or confirming
  // one done at dispatch), each with that transfer: Odoo has them under its
  // own origin, not EDGE:<move id>.
  [[nodiscard]] std::expected<std::vector<std::pair<Seq, std::int64_t>>, LedgerError> received_into() const;
  // Moves that were in a batch split after a permanent error: planned alone from then on.
  [[nodiscard]] std::expected<std::vector<Seq>, LedgerError> split_before(std::span<const Seq> seqs) const;

  // About to send: from now on the outcome may be unknown.
  std::expected<void, LedgerError> mark_sent(std::string_view batch_id, std::int64_t odoo_id = 0);
  std::expected<void, LedgerError> mark_retry(std::string_view batch_id, std::string_view error,
                                              std::int64_t retry_at_ms);
  // A permanent error in a batch of several moves: they are planned again one by one.
  std::expected<void, LedgerError> mark_split(std::string_view batch_id, std::string_view reason);
  // A permanent error: the batch's moves leave the Odoo queue for the exception queue with `reason`.
  std::expected<void, LedgerError> mark_failed(std::string_view batch_id, std::string_view reason);

 private:
  Database& database_;
};

}  // namespace edgestock::storage
