// MemoryStorage: an in-memory Storage port that remembers what was synced. Test support
// (library quorum_host_memory): unit tests, the in-process cluster test, core scripts.
//
// Like leveldb's fault-injection Env: every persist() is visible to load() at once, but only
// batches written with sync=true (and everything written before them) survive crash(). Failure
// injection makes persist() return an error, as a full or broken disk would.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "engine/core/base/status.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"
#include "engine/host/ports/storage.h"
#include "engine/host/stored_state.h"

namespace quorum::host {

class MemoryStorage : public Storage {
 public:
  Result<LoadedState> load() override;
  Status persist(const PersistBatch& batch) override;

  // Power loss: everything not covered by a synced batch is gone.
  void crash();
  // The next persist() calls fail with `status` after `ok_persists` more successful ones
  // (all of them, until clear_failure()). Nothing of a failed batch is stored.
  void fail_after(std::uint64_t ok_persists, Status status);
  void clear_failure();

  // What load() would return now, and what would survive a crash now.
  const StoredState& current() const { return current_; }
  const StoredState& durable() const { return durable_; }
  std::uint64_t persist_count() const { return persist_count_; }
  std::uint64_t sync_count() const { return sync_count_; }

 private:
  StoredState current_;
  StoredState durable_;
  // Batches applied to current_ but not yet to durable_, in order.
  std::deque<PersistBatch> unsynced_;
  std::optional<Status> failure_;
  std::uint64_t ok_persists_before_failure_ = 0;
  std::uint64_t persist_count_ = 0;
  std::uint64_t sync_count_ = 0;
};

}  // namespace quorum::host
