#include "database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

#include "audit_chain.hpp"
#include "edgestock/storage/outbox.hpp"
#include "schema.hpp"

namespace edgestock::storage {
namespace {

using Code = LedgerError::Code;

// How large the WAL may grow when it could not restart (a reader held it):
// SQLite cuts it back to this when it next restarts.
constexpr std::int64_t kWalLimitBytes = std::int64_t{64} << 20;

// A new ledger is created readable by the service user only; SQLite gives its
// -wal and -shm files the same mode.
void create_private_file(const std::filesystem::path& path) {
  std::error_code ignored;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ignored);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    refuse(Code::read_only,
           "cannot create the ledger " + path.string() + ": " + std::generic_category().message(errno));
  }
  ::close(fd);
}

// Refuses anything that is not an SQLite file before SQLite touches it.
void check_file_header(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(Code::read_only, "cannot read the ledger " + path.string());
  std::array<char, 16> header{};
  in.read(header.data(), header.size());
  if (in.gcount() == 0) return;  // empty: a new ledger
  static constexpr char kMagic[] = "SQLite format 3";
  if (in.gcount() < 16 || std::memcmp(header.data(), kMagic, sizeof kMagic) != 0) {
    refuse(Code::not_edgestock, path.string() +
                                    " is not an edgestock ledger (not an SQLite database); "
                                    "it was left untouched");
  }
}

// The file is SQLite; make sure it is ours, not newer than us, and for this
// terminal. Reads only.
void check_ownership(sqlite::Connection& connection, const LedgerOptions& options) {
  const std::string name = options.path.string();
  const auto application_id = connection.pragma_int("application_id");
  const auto version = connection.pragma_int("user_version");
  sqlite::Statement tables(connection, "SELECT count(*) FROM sqlite_schema");
  const auto table_count = tables.step() ? tables.column_int(0) : 0;
  if (application_id == 0 && version == 0 && table_count == 0) return;  // empty database
  if (application_id != schema::kApplicationId) {
    refuse(Code::not_edgestock, name +
                                    " is an SQLite database of some other program, not an edgestock ledger; "
                                    "it was left untouched");
  }
  if (version > schema::latest_version()) {
    refuse(Code::newer_schema, name + " has ledger schema version " + std::to_string(version) +
                                   ", newer than this edgestock understands (" +
                                   std::to_string(schema::latest_version()) +
                                   "); upgrade edgestock. The file was left untouched");
  }
  sqlite::Statement owner(connection, "SELECT value FROM meta WHERE key = 'terminal'");
  if (owner.step() && owner.column_text(0) != options.terminal.str()) {
    refuse(Code::wrong_terminal, name + " belongs to terminal '" + owner.column_text(0) + "', not '" +
                                     options.terminal.str() + "'; it was left untouched");
  }
}

void open_read_only(sqlite::Connection& db, const LedgerOptions& options) {
  const auto version = db.pragma_int("user_version");
  if (version == 0) {
    refuse(Code::not_found, options.path.string() +
                                " was never completely created (the agent stopped while creating it); it holds no "
                                "moves. Start the agent once to finish it");
  }
  if (version != schema::latest_version()) {
    refuse(Code::newer_schema, options.path.string() + " has ledger schema version " + std::to_string(version) +
                                   " and this edgestock reads only version " +
                                   std::to_string(schema::latest_version()) +
                                   "; start the agent of the same version once to migrate it");
  }
}

// Zero-fills the WAL past its end up to `bytes`, once, so that commits write
// into space the file already has. Best effort: a file system short of space
// keeps it for moves, and a failed write is undone (the WAL only ever gains
// zeros past its last frame, which SQLite reads as the end of the log).
// Returns what the IT desk should hear of it ("" when all went as planned).
std::string reserve_wal(const std::filesystem::path& wal, std::int64_t bytes) {
  if (bytes <= 0) return {};
  const int fd = ::open(wal.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  struct statvfs fs {};
  std::string notice;
  const bool wanted = ::fstat(fd, &st) == 0 && st.st_size < bytes;
  const auto free_bytes = ::fstatvfs(fd, &fs) == 0
                              ? static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize)
                              : std::int64_t{-1};
  if (wanted && free_bytes < 4 * bytes) {
    notice = "the WAL reserve of " + std::to_string(bytes >> 20) + " MiB was skipped: the file system has " +
             std::to_string(std::max<std::int64_t>(free_bytes, 0) >> 20) +
             " MiB free (it needs four times the reserve). Recording works; commits cost more until there is room";
  }
  if (wanted && free_bytes >= 4 * bytes) {
    static const std::vector<char> kZeros(std::size_t{1} << 20, 0);
    bool written = true;
    for (std::int64_t at = st.st_size; written && at < bytes;) {
      const auto chunk = static_cast<std::size_t>(std::min<std::int64_t>(bytes - at, std::ssize(kZeros)));
      const auto done = ::pwrite(fd, kZeros.data(), chunk, at);
      written = done > 0;
      at += done;
    }
    if (!written || ::fsync(fd) != 0) {
      (void)::ftruncate(fd, st.st_size);
      notice = "the WAL reserve could not be written (" + std::generic_category().message(errno) +
               "); recording works without it";
    }
  }
  ::close(fd);
  return notice;
}

// Checkpoint thresholds for a WAL of `reserve` bytes: a burst may fill three
// quarters of it before a checkpoint runs without waiting for a pause.
CheckpointLimits checkpoint_limits(std::int64_t reserve, std::int64_t page_size) {
  CheckpointLimits limits;
  const auto frames = reserve * 3 / 4 / (page_size + 24);
  limits.busy_frames = static_cast<int>(std::clamp<std::int64_t>(frames, 1000, 1'000'000));
  return limits;
}

}  // namespace

WriterLock::WriterLock(const std::filesystem::path& ledger) {
  const std::string path = ledger.string() + ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    const int error = errno;
    struct stat lock_st {};
    if (error == EACCES && ::stat(path.c_str(), &lock_st) == 0 && lock_st.st_uid != ::geteuid()) {
      refuse(Code::read_only,
             "the lock file " + path + " belongs to another user (uid " + std::to_string(lock_st.st_uid) +
                 "), as when an edgestock command was run as root; give it back: chown --reference=" + ledger.string() +
                 " " + path);
    }
    refuse(Code::read_only, "the ledger's folder cannot be written (the lock file " + path + ": " +
                                std::generic_category().message(error) +
                                "); check permissions and that the file system is not read-only");
  }
  // Run as root (edgestock pull by hand) on the service's ledger: the lock
  // file goes to the ledger's owner, or the service could not open it again.
  struct stat ledger_st {};
  if (::geteuid() == 0 && ::stat(ledger.c_str(), &ledger_st) == 0 && ledger_st.st_uid != 0) {
    (void)::fchown(fd_, ledger_st.st_uid, ledger_st.st_gid);
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    refuse(Code::in_use, "the ledger " + ledger.string() +
                             " is open for writing in another process (is the edgestock agent running?); "
                             "status commands read it without writing");
  }
}

WriterLock::~WriterLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Database::Database(const LedgerOptions& options, const Clock& clock) : options_(options), clock_(clock) {
  if (options.terminal.empty() || options.site.empty()) {
    refuse(Code::invalid_move, "the ledger needs a terminal id and a site id");
  }
  for (const auto& destination : options.destinations) {
    if (destination != kDestinationMqtt && destination != kDestinationOdoo) {
      refuse(Code::invalid_move, "unknown delivery destination '" + destination + "' (mqtt or odoo)");
    }
  }
  std::error_code status_error;
  const bool exists = std::filesystem::exists(options.path, status_error);
  if (status_error) {
    // EACCES on a folder on the way, an I/O error: say so, never throw.
    refuse(Code::read_only, "cannot look at the ledger " + options.path.string() + ": " + status_error.message() +
                                "; check permissions");
  }
  if (exists) {
    check_file_header(options.path);
  } else if (options.read_only) {
    refuse(Code::not_found, "there is no ledger at " + options.path.string() +
                                " yet: the agent creates it when it first starts (check ledger.path)");
  } else {
    create_private_file(options.path);
  }
  connection_ = std::make_unique<sqlite::Connection>(options.path.string(), false, options.read_only);
  auto& db = *connection_;
  try {
    check_ownership(db, options);
  } catch (const sqlite::SqliteError& error) {
    if (error.primary_code() == SQLITE_NOTADB || error.primary_code() == SQLITE_CORRUPT) {
      refuse(Code::corrupt, options.path.string() +
                                " is damaged and cannot be read as a ledger; it was left "
                                "untouched. Restore it from backup or move it aside. (" +
                                error.what() + ")");
    }
    throw;
  }
  if (!options.read_only) writer_lock_ = WriterLock(options.path);

  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
  if (options.read_only) {
    open_read_only(db, options);
    load_heads();
    return;
  }
  // Small pages: a move dirties about six pages, each written to the WAL and
  // checksummed at every commit; 1 KiB pages make that a quarter of the work.
  // Takes effect only when the file is created.
  db.exec("PRAGMA page_size = 1024");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(options.durability == Durability::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  if (options.max_bytes > 0) {
    const auto page_size = db.pragma_int("page_size");
    const std::string cap =
        "PRAGMA max_page_count = " + std::to_string(std::max<std::int64_t>(1, options.max_bytes / page_size));
    db.exec(cap.c_str());
  }

  schema::migrate(db, schema::latest_version());

  // The WAL file is kept when the ledger closes, and with it the space
  // reserved for it (see ~Database).
  int persist = 1;
  sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  const std::string limit =
      "PRAGMA journal_size_limit = " + std::to_string(std::max(kWalLimitBytes, 2 * options.wal_reserve_bytes));
  db.exec(limit.c_str());
  if (auto notice = reserve_wal(options.path.string() + "-wal", options.wal_reserve_bytes); !notice.empty()) {
    notices.push_back(std::move(notice));
  }
  checkpointer_ = std::make_unique<Checkpointer>(
      db, mutex, options.path.string(), checkpoint_limits(options.wal_reserve_bytes, db.pragma_int("page_size")));

  auto& meta = cached("INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)");
  meta.bind(1, std::string_view("terminal")).bind(2, options.terminal.str()).run();
  meta.bind(1, std::string_view("site")).bind(2, options.site.str()).run();

  load_heads();
  settle_unresolved();
}

void note_unresolved(const Database& db, const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  const std::string path = db.options().path.string() + ".unresolved";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::string lines;
  for (const auto& id : ids) lines += id + "\n";
  (void)::write(fd, lines.data(), lines.size());
  (void)::fsync(fd);
  ::close(fd);
}

void Database::settle_unresolved() {
  const std::string path = options_.path.string() + ".unresolved";
  std::ifstream in(path);
  if (!in) return;
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line) && ids.size() < 100'000;) {
    if (!line.empty()) ids.push_back(line);
  }
  WriteTransaction transaction(*this);
  for (const auto& id : ids) {
    auto& find = cached("SELECT seq FROM moves WHERE id = ?1");
    find.bind(1, id);
    const bool found = find.step();
    const auto seq = found ? find.column_int(0) : 0;
    find.reset();
    const std::string verdict =
        found ? "move " + id + " (seq " + std::to_string(seq) +
                    "), reported as of unknown outcome after a disk error, IS in the ledger: it was recorded; do "
                    "not scan it again"
              : "move " + id +
                    ", reported as of unknown outcome after a disk error, is NOT in the ledger: it was not "
                    "recorded; scan it again";
    notices.push_back(verdict);
    append_audit_locked(*this, "agent", "settle", id, verdict);
  }
  transaction.commit();
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

Database::~Database() {
  if (options_.read_only || !connection_) return;
  checkpointer_.reset();
  // Copy the whole WAL into the database, then write one small row so that
  // the WAL starts over from its beginning: the next open then reads a log of
  // one commit instead of the whole reserve. SQLite's own close copies that
  // commit and, with no size limit, leaves the file, reserve and all.
  sqlite3* db = connection_->get();
  if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr) == SQLITE_OK) {
    sqlite3_exec(db, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
    try {
      auto& closing = cached("INSERT OR REPLACE INTO meta(key, value) VALUES ('closed', 'yes'), ('audit_anchor', ?1)");
      closing.bind(1, std::to_string(audit_head.number) + ":" + audit_head.hash).run();
    } catch (const sqlite::SqliteError&) {
      // Only the anchor is lost: the next clean close writes it again.
    }
  }
  sqlite3_exec(db, "PRAGMA journal_size_limit = -1", nullptr, nullptr, nullptr);
  statements_.clear();
}

void Database::load_heads() {
  auto& seq = cached(
      "SELECT max(coalesce((SELECT max(seq) FROM moves), 0), "
      "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_through_seq'), 0))");
  last_seq = seq.step() ? seq.column_int(0) : 0;
  seq.reset();
  auto& head = cached("SELECT number, hash FROM audit ORDER BY number DESC LIMIT 1");
  if (head.step()) audit_head = {head.column_int(0), head.column_text(1)};
  head.reset();
  auto& anchor = cached("SELECT value FROM meta WHERE key = 'audit_anchor'");
  if (anchor.step()) {
    const std::string text = anchor.column_text(0);
    // A tampered anchor ("x:...", a number past 64 bits) is kept as entry
    // -1, which verify() reports as a broken log.
    if (const auto colon = text.find(':'); colon != std::string::npos) {
      std::int64_t number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + colon, number);
      const bool whole = error == std::errc{} && end == text.data() + colon && number >= 0;
      audit_anchor = {whole ? number : -1, text.substr(colon + 1)};
    } else {
      audit_anchor = {-1, text};
    }
  }
  anchor.reset();
}

sqlite::Statement& Database::cached(std::string_view sql) {
  auto found = statements_.find(std::string(sql));
  if (found == statements_.end()) {
    found = statements_.emplace(std::string(sql), std::make_unique<sqlite::Statement>(*connection_, sql)).first;
  } else {
    found->second->reset();
  }
  return *found->second;
}

}  // namespace edgestock::storage
