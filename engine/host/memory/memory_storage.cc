// In-memory storage with synced/unsynced tracking. Test support.
#include "engine/host/memory/memory_storage.h"

#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::host {

Result<LoadedState> MemoryStorage::load() {
  LoadedState loaded;
  loaded.persisted.hard_state = current_.hard_state;
  loaded.persisted.entries = current_.entries;
  if (current_.snapshot.has_value()) {
    loaded.persisted.snapshot = current_.snapshot->meta;
    loaded.snapshot = current_.snapshot;
  }
  return loaded;
}

Status MemoryStorage::persist(const PersistBatch& batch) {
  if (failure_.has_value()) {
    if (ok_persists_before_failure_ == 0) return *failure_;
    --ok_persists_before_failure_;
  }
  current_.apply(batch);
  ++persist_count_;
  unsynced_.push_back(batch);
  if (batch.sync) {
    // A sync makes every earlier write durable too (fsync of a write-ahead log).
    for (const PersistBatch& pending : unsynced_) durable_.apply(pending);
    unsynced_.clear();
    ++sync_count_;
  }
  return Status::ok();
}

void MemoryStorage::crash() {
  unsynced_.clear();
  current_ = durable_;
}

void MemoryStorage::fail_after(std::uint64_t ok_persists, Status status) {
  QUORUM_ASSERT(!status.is_ok());
  failure_ = std::move(status);
  ok_persists_before_failure_ = ok_persists;
}

void MemoryStorage::clear_failure() {
  failure_.reset();
  ok_persists_before_failure_ = 0;
}

}  // namespace quorum::host
