#pragma once

#include <optional>
#include <vector>

#include "engine/core/base/result.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"

namespace quorum::host {

// One atomic write: a reader after a crash or a reopen finds all of it or none of it. Applied
// in this order (engine/host/stored_state.h is the reference; tests/storage/ checks every port):
//  1. snapshot: becomes the stored snapshot (never older than the stored one); every entry with
//     index <= snapshot->meta.last_index is dropped. Without snapshot_replaces_log the entries
//     after it survive; the caller guarantees that such a snapshot is a prefix of the stored log
//     (the log holds (last_index, last_term)) or lies beyond its end: a compaction.
//  2. entries (consecutive): replace the log suffix starting at entries.front().index, which is
//     after the snapshot and at most last index + 1; stored entries after the batch's are gone.
//  3. hard_state replaces the stored one (its term never goes back).
// A batch that breaks these preconditions is a caller bug (a port may assert).
struct PersistBatch {
  std::optional<raft::HardState> hard_state;
  std::vector<raft::Entry> entries;
  std::optional<raft::Snapshot> snapshot;
  // The snapshot was received from a leader and conflicts with our log (Raft §7): the core
  // discarded its whole log, so the port must drop the stored entries AFTER the snapshot too.
  // Otherwise a restart finds entries of older terms after a newer snapshot.
  bool snapshot_replaces_log = false;
  // Durable before persist() returns. An unsynced batch may be lost by a power loss, but never
  // after a later synced one (a sync makes every earlier batch durable), and never in part.
  bool sync = false;
};

struct LoadedState {
  raft::PersistedState persisted;        // bootstrap membership left empty: the host fills it
  std::optional<raft::Snapshot> snapshot;  // with its data
};

// The node's durable state: hard state, log, snapshot. Every record carries a checksum; load()
// reports corruption with the record's key and never repairs silently.
class Storage {
 public:
  virtual ~Storage() = default;
  // Called when the node starts, before its first persist(): what the store holds (for a fresh
  // store: the default hard state, no snapshot, no entries).
  virtual Result<LoadedState> load() = 0;
  // May suspend the calling task (simulated disk latency, or a group-commit wait). A non-ok
  // status means nothing in the batch may be assumed durable: the host fail-stops.
  virtual Status persist(const PersistBatch& batch) = 0;
};

}  // namespace quorum::host
