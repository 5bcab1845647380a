// StoredState: the reference store. What a node's Storage holds (hard state, snapshot, log) and
// the one definition of how a PersistBatch changes it (engine/host/ports/storage.h's contract).
// MemoryStorage keeps two of them (written and synced); the simulator's disk keeps its durable
// state in one; RocksStorage is checked against the same contract by
// tests/storage/storage_contract_test.cc. Host layer: core + the port's types only.
#pragma once

#include <optional>
#include <vector>

#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"
#include "engine/host/ports/storage.h"

namespace quorum::host {

// The whole durable state of a node, as the port stores it.
struct StoredState {
  raft::HardState hard_state;
  std::optional<raft::Snapshot> snapshot;
  // Invariant: consecutive; the first index is snapshot->meta.last_index + 1 (or 1).
  std::vector<raft::Entry> entries;

  // Applies one batch (the contract of engine/host/ports/storage.h): snapshot first (drops the
  // entries it covers; with snapshot_replaces_log every entry after it too; without, asserts
  // that the snapshot is a prefix of the log or lies beyond it), then entries (replace the
  // suffix from entries.front().index), then the hard state. Asserts the batch fits the log (no
  // gap, nothing before the log start, the term never goes back).
  void apply(const PersistBatch& batch);
  LogIndex first_index() const;
  // The term at `index` if the store holds it (an entry, or the snapshot's last entry).
  std::optional<Term> term_at(LogIndex index) const;
  LogIndex last_index() const;
};

}  // namespace quorum::host
