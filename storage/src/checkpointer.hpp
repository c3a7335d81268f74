#pragma once
// Moves WAL pages into the database file on a thread of its own, in the quiet
// moments between commits, so that no record() pays for a checkpoint. The
// writing connection reports the WAL's size after each commit
// (sqlite3_wal_hook). Once the WAL holds `quiet_frames` frames not yet copied,
// this thread waits for a pause of `quiet_period` without commits, then runs a
// PASSIVE checkpoint on its own connection (it never blocks writers) and
// finishes with a short RESTART under the writer lock, so that the next commit
// writes the WAL from its start again and the file never grows. A burst that
// fills the WAL to `busy_frames` gets its checkpoint at once; past twice that,
// the writer checkpoints itself, as SQLite's auto-checkpoint would.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sqlite.hpp"

namespace edgestock::storage {

struct CheckpointLimits {
  int quiet_frames = 256;                      // worth a checkpoint in the next pause
  int busy_frames = 4096;                      // a checkpoint at once, pause or not
  std::chrono::milliseconds quiet_period{50};  // no commit for this long is a pause
};

class Checkpointer {
 public:
  // Takes over the writer's WAL hook (and so SQLite's auto-checkpoint).
  // `writer_lock` is the lock every write of the ledger holds.
  Checkpointer(sqlite::Connection& writer, std::mutex& writer_lock, const std::string& path, CheckpointLimits limits);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  [[nodiscard]] std::int64_t completed() const { return completed_.load(); }
  // Checkpoints tried, done or not (a reader holding an old snapshot makes
  // the RESTART give up at once, to be tried again in the next pause).
  [[nodiscard]] std::int64_t attempted() const { return attempted_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  // Waits for a pause in the commits (or a full WAL); false when stopping.
  bool wait_for_pause(std::unique_lock<std::mutex>& lock);
  // Raises `flag` and wakes the thread, unless the flag is already up.
  void ask(std::atomic<bool>& flag);
  void checkpoint();
  void run();

  sqlite3* writer_;
  std::mutex& writer_lock_;
  sqlite::Connection own_;
  CheckpointLimits limits_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // Set under mutex_ (read without it by the writer, to skip asking twice).
  std::atomic<bool> wanted_{false};  // past quiet_frames: checkpoint in the next pause
  std::atomic<bool> busy_{false};    // past busy_frames: checkpoint now
  bool stopping_ = false;
  std::atomic<std::int64_t> completed_{0};
  std::atomic<std::int64_t> attempted_{0};
  std::atomic<int> wal_frames_{0};          // frames in the WAL after the last commit
  std::atomic<int> backfilled_{0};          // WAL frames already copied by the last checkpoint
  std::atomic<Clock::rep> last_commit_{0};  // steady-clock ticks of the last commit
  std::thread thread_;
};

}  // namespace edgestock::storage
