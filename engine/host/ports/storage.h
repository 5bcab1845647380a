#pragma once

#include <optional>
#include <vector>

#include "engine/core/base/result.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"

namespace quorum::host {

// One atomic write. Entries replace the log suffix starting at entries.front().index. A snapshot
// makes every entry with index <= snapshot->meta.last_index obsolete (the port may delete them).
struct PersistBatch {
  std::optional<raft::HardState> hard_state;
  std::vector<raft::Entry> entries;
  std::optional<raft::Snapshot> snapshot;
  // The snapshot was received from a leader and conflicts with our log (Raft §7): the core
  // discarded its whole log, so the port must drop the stored entries AFTER the snapshot too.
  // Otherwise a restart finds entries of older terms after a newer snapshot.
  bool snapshot_replaces_log = false;
  bool sync = false;  // durable before persist() returns
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
  virtual Result<LoadedState> load() = 0;
  // May suspend the calling task (simulated disk latency, or a group-commit wait). A non-ok
  // status means nothing in the batch may be assumed durable: the host fail-stops.
  virtual Status persist(const PersistBatch& batch) = 0;
};

}  // namespace quorum::host
