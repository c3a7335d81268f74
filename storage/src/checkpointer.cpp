#include "checkpointer.hpp"

#include <algorithm>

namespace edgestock::storage {

Checkpointer::Checkpointer(sqlite::Connection& writer, std::mutex& writer_lock, const std::string& path,
                           CheckpointLimits limits)
    : writer_(writer.get()), writer_lock_(writer_lock), own_(path, false), limits_(limits) {
  // No waiting: the RESTART below runs under the writer lock, and a reader
  // holding an old snapshot (`edgestock stock`, a backup) would make it wait
  // out any busy timeout while every scan waits for that lock. Busy means
  // "not now": the next pause tries again.
  sqlite3_busy_timeout(own_.get(), 0);
  // A connection learns that the file is in WAL mode only once it has read it;
  // until then a checkpoint on it silently does nothing.
  (void)own_.pragma_int("schema_version");
  thread_ = std::thread([this] { run(); });
  sqlite3_wal_hook(writer.get(), &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  checkpointer->last_commit_ = Clock::now().time_since_epoch().count();
  checkpointer->wal_frames_ = wal_pages;
  // The WAL restarted from its beginning after a complete checkpoint.
  if (wal_pages < checkpointer->backfilled_.load()) checkpointer->backfilled_ = 0;
  const auto& limits = checkpointer->limits_;
  if (wal_pages >= 2 * limits.busy_frames) {
    // The background thread cannot keep up (a long burst, a slow disk): let
    // the writer checkpoint itself to bound the WAL.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (wal_pages >= limits.busy_frames) {
    checkpointer->ask(checkpointer->busy_);
  } else if (wal_pages - checkpointer->backfilled_.load() >= limits.quiet_frames) {
    checkpointer->ask(checkpointer->wanted_);
  }
  return SQLITE_OK;
}

void Checkpointer::ask(std::atomic<bool>& flag) {
  // Once per checkpoint, not once per commit: waking a thread is a system
  // call, and every commit after the threshold would otherwise pay for one.
  if (flag.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(mutex_);  // so that the waiter cannot miss it
    flag = true;
  }
  wake_.notify_one();
}

bool Checkpointer::wait_for_pause(std::unique_lock<std::mutex>& lock) {
  for (;;) {
    if (stopping_) return false;
    if (busy_ || wal_frames_.load() >= limits_.busy_frames) return true;
    const auto last = Clock::time_point(Clock::duration(last_commit_.load()));
    const auto pause_ends = last + limits_.quiet_period;
    if (Clock::now() >= pause_ends) return true;
    wake_.wait_until(lock, pause_ends, [this] { return stopping_ || busy_; });
  }
}

void Checkpointer::checkpoint() {
  // First PASSIVE, which copies the bulk of the WAL without blocking anybody;
  // then, holding the writer lock so that no commit races it, RESTART, which
  // copies the few frames committed meanwhile and lets the next commit write
  // the WAL from its start again. A failure costs nothing but WAL size: the
  // next commit asks again.
  sqlite3_wal_checkpoint_v2(own_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  int log_frames = 0;
  int copied_frames = 0;
  int rc = SQLITE_OK;
  {
    std::lock_guard writers_held_off(writer_lock_);
    rc = sqlite3_wal_checkpoint_v2(own_.get(), nullptr, SQLITE_CHECKPOINT_RESTART, &log_frames, &copied_frames);
  }
  ++attempted_;
  if (rc == SQLITE_OK) {
    backfilled_ = std::max(0, copied_frames);
    ++completed_;
  }
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return wanted_ || busy_ || stopping_; });
    if (!wait_for_pause(lock)) return;
    lock.unlock();
    checkpoint();
    lock.lock();
    // Commits made meanwhile ask again only if still past a threshold.
    wanted_ = false;
    busy_ = false;
  }
}

}  // namespace edgestock::storage
