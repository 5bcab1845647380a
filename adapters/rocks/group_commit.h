// GroupCommitter: many concurrent writers share one RocksDB write and one fsync. Adapter layer.
//
// Leader/follower protocol (no thread of its own): a caller enqueues its batch and waits; when
// no write is in flight, the oldest waiting caller becomes the leader, takes every queued batch
// (up to group_batches_max), merges them in queue order into one WriteBatch, writes it once
// (synced if any member asked for sync) and wakes the whole group with the common outcome.
// Batches that arrive while a sync is in flight therefore ride on the next sync together.
//
// In quorumd the host persists through AsioExecutor::run_blocking() (a worker thread), so the io
// thread keeps reading proposals and messages while a sync is in flight; they reach the next
// Ready and share its sync. Several writers (tests, benchmarks, more than one storage user)
// are merged here.
//
// Fail-stop: after a failed write every later commit() returns that first error at once; an
// fsync is never retried (STYLE.md 6.5).
//
// Thread safety: commit() may be called from any number of threads. Lifetime: the DB (or the
// write function) outlives the committer.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "engine/core/base/status.h"

namespace quorum::adapters::rocks {

// Maps a RocksDB error to our codes: NoSpace -> kNoSpace, Corruption -> kCorruption, anything
// else -> kIoError. `context` says what was done ("rocksdb write").
Status to_status(const rocksdb::Status& status, std::string_view context);

struct GroupCommitStats {
  std::uint64_t batches_total = 0;  // commit() calls that reached a write
  std::uint64_t writes_total = 0;   // DB writes issued (one per group)
  std::uint64_t syncs_total = 0;    // of which synced
  std::uint64_t group_batches_max = 0;
};

class GroupCommitter {
 public:
  // Performs one write; the default is db->Write(WriteOptions{.sync = sync}, batch).
  using WriteFn = std::function<rocksdb::Status(rocksdb::WriteBatch* batch, bool sync)>;
  // Observes every group write: batches merged, synced or not, wall time in microseconds
  // (quorumd's fsync latency histogram). Called by the leader thread, outside the lock.
  using WriteObserver = std::function<void(std::size_t batches, bool sync, std::uint64_t us)>;

  static constexpr std::size_t kGroupBatchesMax = 1024;

  explicit GroupCommitter(rocksdb::DB* db);
  explicit GroupCommitter(WriteFn write);
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Writes `batch` atomically (merged with concurrent batches) and returns once it is written,
  // and durable if `sync`. Non-ok: nothing in the batch may be assumed durable, and the
  // committer refuses every later write.
  Status commit(rocksdb::WriteBatch* batch, bool sync);

  void set_observer(WriteObserver observer);
  GroupCommitStats stats() const;
  // Callers queued behind an in-flight write (tests use it to build a group on purpose).
  std::size_t queued() const;
  // Non-ok once a write failed.
  Status failure() const;

 private:
  // One per commit() call, on its stack. Each has its own condition variable so that finishing
  // a group wakes exactly its members and the next leader (no thundering herd at 64 writers).
  struct Waiter {
    rocksdb::WriteBatch* batch = nullptr;
    bool sync = false;
    bool done = false;
    Status status;
    std::condition_variable cv;
  };

  Status lead_group(std::unique_lock<std::mutex>& lock);
  // With the lock held: completes `group` with `status` and wakes the next leader.
  void finish_group(const std::vector<Waiter*>& group, const Status& status);

  WriteFn write_;
  WriteObserver observer_;
  mutable std::mutex mu_;
  // Invariant: waiters in arrival order, none done; the front one leads when !writing_.
  std::deque<Waiter*> queue_;
  bool writing_ = false;
  Status failure_;
  GroupCommitStats stats_;
};

}  // namespace quorum::adapters::rocks
