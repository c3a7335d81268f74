#pragma once
// Per-destination delivery queue of every move ("mqtt", "odoo"): a row is
// written in the same transaction as the move and deleted only once the
// destination acknowledged it (write first, delete after the send succeeded).

#include <cstdint>
#include <expected>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/storage/error.hpp"
#include "edgestock/storage/move.hpp"

namespace edgestock::storage {

class Database;

inline constexpr std::string_view kDestinationMqtt = "mqtt";
inline constexpr std::string_view kDestinationOdoo = "odoo";

struct OutboxItem {
  Move move;
  int attempts = 0;
  std::string last_error;
};

struct ExceptionItem {
  std::int64_t id = 0;
  std::string destination;
  MoveId move_id;
  Seq seq;
  std::string reason;
  std::int64_t created_at_ms = 0;
};

class Outbox {
 public:
  explicit Outbox(Database& database) : database_(database) {}

  // The longest a retry may be put off. A retry time further ahead than this
  // means the wall clock was stepped back since it was set: it is due now.
  static constexpr std::int64_t kMaxRetryDelayMs = 3'600'000;

  // Moves waiting for `destination` whose next attempt is due, in seq order,
  // from the first seq after `after`. New moves are due at once.
  // A storage failure is an error, never an empty queue.
  [[nodiscard]] std::expected<std::vector<OutboxItem>, LedgerError> due(std::string_view destination,
                                                                        std::int64_t now_ms, std::size_t limit,
                                                                        Seq after = Seq{0}) const;
  [[nodiscard]] std::expected<std::int64_t, LedgerError> backlog(std::string_view destination) const;
  // For health and metrics: what waits for a destination, since when.
  struct Depth {
    std::int64_t pending = 0;
    std::int64_t exceptions = 0;         // waiting for a person (exceptions list)
    std::int64_t oldest_pending_ms = 0;  // recorded_at of the oldest pending move; 0: none
  };
  [[nodiscard]] std::expected<Depth, LedgerError> depth(std::string_view destination) const;
  // The moves of seqs first..last still queued for `destination`: seq ->
  // "pending" or "exception" (a move of an enabled destination that is not
  // here was delivered). For `edgestock moves`.
  [[nodiscard]] std::expected<std::map<std::int64_t, std::string>, LedgerError> states(std::string_view destination,
                                                                                       Seq first, Seq last) const;

  // The destination acknowledged the move: it leaves the queue.
  std::expected<void, LedgerError> mark_sent(std::string_view destination, Seq seq);
  // Several acknowledgements in one transaction. Moves no longer waiting
  // (acknowledged before) are skipped: acknowledgements may come twice.
  // Returns how many left the queue.
  std::expected<std::int64_t, LedgerError> mark_sent(std::string_view destination, std::span<const Seq> seqs);
  // A transient failure: try again at `retry_at_ms` (at most kMaxRetryDelayMs ahead).
  std::expected<void, LedgerError> mark_retry(std::string_view destination, Seq seq, std::string_view error,
                                              std::int64_t retry_at_ms);
  // A permanent failure: the move leaves the queue for the exception queue.
  std::expected<void, LedgerError> mark_exception(std::string_view destination, Seq seq, std::string_view reason);

  [[nodiscard]] std::expected<std::vector<ExceptionItem>, LedgerError> open_exceptions() const;
  // Puts the move back in its destination's queue, due now.
  std::expected<void, LedgerError> replay_exception(std::int64_t exception_id, std::string_view resolved_by);
  // Closes an exception without sending the move (it was voided by a
  // reversal); `note` goes to the audit log.
  std::expected<void, LedgerError> resolve_exception(std::int64_t exception_id, std::string_view resolved_by,
                                                     std::string_view note);

 private:
  Database& database_;
};

}  // namespace edgestock::storage
