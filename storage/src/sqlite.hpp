#pragma once
// Thin RAII layer over the SQLite C API, private to storage/. Every handle is
// owned by a unique_ptr with a deleter; failures throw SqliteError, which the
// public API turns into a LedgerError at its boundary.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "edgestock/storage/error.hpp"

namespace edgestock::storage::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  [[nodiscard]] int code() const { return code_; }
  [[nodiscard]] int primary_code() const { return code_ & 0xff; }

 private:
  int code_;
};

// Maps an SQLite failure to what a person can act on.
LedgerError to_ledger_error(const SqliteError& error);

struct ConnectionCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};

class Connection {
 public:
  // Opens read-write, creating the file when `create` is set. Does not read
  // or write the file yet.
  // With `read_only`, any write fails with SQLITE_READONLY.
  Connection(const std::string& path, bool create, bool read_only = false);
  [[nodiscard]] sqlite3* get() const { return db_.get(); }
  void exec(const char* sql);
  [[nodiscard]] std::int64_t pragma_int(const char* pragma);
  [[nodiscard]] std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(get()); }
  [[nodiscard]] int changes() const { return sqlite3_changes(get()); }
  [[noreturn]] void fail(int code, std::string_view doing) const;

 private:
  std::unique_ptr<sqlite3, ConnectionCloser> db_;
};

class Statement {
 public:
  Statement(Connection& connection, std::string_view sql);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);  // empty text binds NULL
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind_text(int index, std::string_view text);  // empty text binds ''
  Statement& bind_null(int index);
  // Steps once; true when a row is available.
  bool step();
  void run();  // step to completion, then reset
  void reset();
  [[nodiscard]] std::int64_t column_int(int index) const;
  [[nodiscard]] std::optional<std::int64_t> column_optional_int(int index) const;
  [[nodiscard]] std::string column_text(int index) const;  // NULL reads as ""
  [[nodiscard]] bool column_is_null(int index) const;

 private:
  Connection& connection_;
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
};

// Rolls back unless committed. Never throws from its destructor.
class Transaction {
 public:
  explicit Transaction(Connection& connection);  // BEGIN IMMEDIATE
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace edgestock::storage::sqlite
