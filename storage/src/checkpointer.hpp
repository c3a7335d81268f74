#pragma once
// Moves WAL pages into the database file on a thread of its own, so that no
// record() pays for a checkpoint. The writing connection reports the WAL's
// size after each commit (sqlite3_wal_hook); past a threshold this thread runs
// a PASSIVE checkpoint on its own connection, which never blocks writers, then
// finishes with a short RESTART under the writer lock so the WAL is reused.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sqlite.hpp"

namespace edgestock::storage {

class Checkpointer {
 public:
  // Takes over the writer's WAL hook (and so SQLite's auto-checkpoint).
  // `writer_lock` is the lock every write of the ledger holds.
  Checkpointer(sqlite::Connection& writer, std::mutex& writer_lock, const std::string& path, int threshold_pages);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  [[nodiscard]] std::int64_t completed() const { return completed_.load(); }

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();

  sqlite3* writer_;
  std::mutex& writer_lock_;
  sqlite::Connection own_;
  int threshold_pages_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::atomic<std::int64_t> completed_{0};
  std::atomic<int> backfilled_{0};  // WAL frames already copied by the last checkpoint
  std::thread thread_;
};

}  // namespace edgestock::storage
