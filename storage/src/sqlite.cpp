#include "sqlite.hpp"

namespace edgestock::storage::sqlite {

LedgerError to_ledger_error(const SqliteError& error) {
  using Code = LedgerError::Code;
  switch (error.primary_code()) {
    case SQLITE_FULL:
      return {Code::disk_full,
              "the ledger cannot grow: the disk (or the configured size cap) is full; "
              "free space, then retry. Nothing was recorded. (" +
                  std::string(error.what()) + ")"};
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return {Code::read_only,
              "the ledger file or its folder cannot be written; check permissions and the "
              "mount. Nothing was recorded. (" +
                  std::string(error.what()) + ")"};
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return {Code::corrupt, "the ledger file is damaged or not a database (" + std::string(error.what()) + ")"};
    default:
      return {Code::io, "ledger storage failed: " + std::string(error.what())};
  }
}

Connection::Connection(const std::string& path, bool create, bool read_only) {
  sqlite3* raw = nullptr;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) fail(rc, "opening " + path);
  sqlite3_extended_result_codes(raw, 1);
}

void Connection::fail(int code, std::string_view doing) const {
  std::string text(doing);
  text += ": ";
  text += db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(code);
  throw SqliteError(code, text);
}

void Connection::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(get(), sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw SqliteError(rc, text);
  }
}

std::int64_t Connection::pragma_int(const char* pragma) {
  Statement stmt(*this, std::string("PRAGMA ") + pragma);
  return stmt.step() ? stmt.column_int(0) : 0;
}

Statement::Statement(Connection& connection, std::string_view sql) : connection_(connection) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(connection.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) connection.fail(rc, "preparing statement");
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) connection_.fail(rc, "binding");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  return text.empty() ? bind_null(index) : bind_text(index, text);
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_text(int index, std::string_view text) {
  const int rc = sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) connection_.fail(rc, "binding");
  return *this;
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK) connection_.fail(rc, "binding");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_.get());
  connection_.fail(rc, "ledger statement");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_int(index);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index))};
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (open_ && !sqlite3_get_autocommit(connection_.get())) {
    sqlite3_exec(connection_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  open_ = false;
}

}  // namespace edgestock::storage::sqlite
