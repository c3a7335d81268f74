#pragma once
// What every part of the ledger shares: the one SQLite connection, the lock
// that guards it, and the state that moves with each commit (the last seq and
// the head of the audit chain). Private to storage/.

#include <exception>
#include <expected>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checkpointer.hpp"
#include "edgestock/storage/ledger.hpp"
#include "sqlite.hpp"

namespace edgestock::storage {

// Thrown inside storage/ when a request breaks a rule; caught at the public API.
struct LedgerFailure : std::exception {
  explicit LedgerFailure(LedgerError e) : error(std::move(e)) {}
  [[nodiscard]] const char* what() const noexcept override { return error.message.c_str(); }
  LedgerError error;
};

// A failure the ledger has no rule for (no memory, no randomness for an id, a
// clock that throws): what was under way rolled back, nothing was written.
inline LedgerError unexpected_failure(const std::exception& error) {
  return LedgerError{LedgerError::Code::io,
                     std::string("the ledger failed unexpectedly (") + error.what() + "); nothing was recorded"};
}

[[noreturn]] inline void refuse(LedgerError::Code code, std::string message) {
  throw LedgerFailure(LedgerError{code, std::move(message)});
}

// One writing process per ledger: an flock on "<ledger>.lock", held while open.
class WriterLock {
 public:
  WriterLock() = default;
  explicit WriterLock(const std::filesystem::path& ledger);
  ~WriterLock();
  WriterLock(WriterLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  WriterLock& operator=(WriterLock&& other) noexcept;

 private:
  int fd_ = -1;
};

struct ChainHead {
  std::int64_t number = 0;
  std::string hash;
};

class Database {
 public:
  // Opens, checks and migrates the file; throws LedgerFailure or SqliteError.
  Database(const LedgerOptions& options, const Clock& clock);
  // Leaves the WAL short and its reserved space in place for the next open.
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A prepared statement for `sql`, reset and ready to bind. Callers hold `mutex`.
  sqlite::Statement& cached(std::string_view sql);
  // Reads the last seq and the head of the audit chain.
  void load_heads();
  // Says of every move left unresolved by a failed commit whether it is in
  // the ledger (a notice and an audit entry each), then forgets the list.
  void settle_unresolved();

  sqlite::Connection& connection() { return *connection_; }
  [[nodiscard]] std::int64_t checkpoints_completed() const { return checkpointer_ ? checkpointer_->completed() : 0; }
  [[nodiscard]] std::int64_t checkpoints_attempted() const { return checkpointer_ ? checkpointer_->attempted() : 0; }
  [[nodiscard]] const LedgerOptions& options() const { return options_; }
  [[nodiscard]] const Clock& clock() const { return clock_; }
  // Thread-safe on its own (not guarded by `mutex`).
  ClockCheck clock_check;

  std::mutex mutex;  // guards everything below and the connection
  std::int64_t last_seq = 0;
  ChainHead audit_head;
  // The head of the audit chain written at the last clean close: entries cut
  // off the end of the chain while the ledger was closed show against it.
  ChainHead audit_anchor;
  // What opening found worth telling the IT desk (a skipped WAL reserve).
  std::vector<std::string> notices;

 private:
  LedgerOptions options_;
  const Clock& clock_;
  WriterLock writer_lock_;
  std::unique_ptr<sqlite::Connection> connection_;
  std::unique_ptr<Checkpointer> checkpointer_;  // after connection_: stops before it closes
  std::unordered_map<std::string, std::unique_ptr<sqlite::Statement>> statements_;
};

// One write transaction of the ledger: BEGIN IMMEDIATE, and unless commit()
// is reached, a rollback that also restores the state kept beside the
// connection (the last seq, the head of the audit chain). Callers hold `mutex`.
class WriteTransaction {
 public:
  explicit WriteTransaction(Database& database)
      : database_(database),
        seq_before_(database.last_seq),
        head_before_(database.audit_head),
        transaction_(database.connection()) {}
  ~WriteTransaction() {
    if (committed_) return;
    database_.last_seq = seq_before_;
    database_.audit_head = std::move(head_before_);
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit() {
    transaction_.commit();
    committed_ = true;
  }

 private:
  Database& database_;
  std::int64_t seq_before_;
  ChainHead head_before_;
  sqlite::Transaction transaction_;
  bool committed_ = false;
};

// For bookkeeping whose loss costs only a repeat (delivery marks, scan
// outcomes): while it lives, commits skip their own fsync. The WAL keeps
// commits in order, so the next durable commit makes these durable too.
class WithoutFsync {
 public:
  explicit WithoutFsync(Database& database)
      : connection_(database.connection()), was_full_(database.options().durability == Durability::full) {
    if (was_full_) connection_.exec("PRAGMA synchronous = NORMAL");
  }
  ~WithoutFsync() {
    if (was_full_) sqlite3_exec(connection_.get(), "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
  }
  WithoutFsync(const WithoutFsync&) = delete;
  WithoutFsync& operator=(const WithoutFsync&) = delete;

 private:
  sqlite::Connection& connection_;
  bool was_full_;
};

// Moves whose commit ended in an I/O error: their ids go to
// "<ledger>.unresolved" (best effort: the disk is failing), and the next open
// says of each whether it is in the ledger (see Database::settle_unresolved).
void note_unresolved(const Database& db, const std::vector<std::string>& ids);

// Runs `work` with the connection locked, turning internal failures into a
// LedgerError for the public API.
template <typename Work>
auto with_database(Database& database, Work&& work) -> std::expected<decltype(work()), LedgerError> {
  try {
    std::lock_guard lock(database.mutex);
    if constexpr (std::is_void_v<decltype(work())>) {
      work();
      return {};
    } else {
      return work();
    }
  } catch (const LedgerFailure& failure) {
    return std::unexpected(failure.error);
  } catch (const sqlite::SqliteError& error) {
    return std::unexpected(sqlite::to_ledger_error(error));
  } catch (const std::exception& error) {
    return std::unexpected(unexpected_failure(error));
  }
}

}  // namespace edgestock::storage
