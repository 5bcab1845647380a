// The reference store. Host layer.
#include "engine/host/stored_state.h"

#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::host {

LogIndex StoredState::first_index() const {
  return snapshot.has_value() ? snapshot->meta.last_index + 1 : 1;
}

LogIndex StoredState::last_index() const {
  if (!entries.empty()) return entries.back().index;
  return first_index() - 1;
}

void StoredState::apply(const PersistBatch& batch) {
  if (batch.snapshot.has_value()) {
    const raft::SnapshotMeta& meta = batch.snapshot->meta;
    QUORUM_ASSERT(!snapshot.has_value() || meta.last_index >= snapshot->meta.last_index,
                  "snapshot at {} older than the stored one", meta.last_index);
    // Keep the entries after the snapshot only if the log agrees with it at last_index;
    // otherwise the whole log is superseded.
    std::vector<raft::Entry> kept;
    bool agrees = false;
    for (const raft::Entry& entry : entries) {
      if (entry.index == meta.last_index && entry.term == meta.last_term) agrees = true;
      if (agrees && entry.index > meta.last_index) kept.push_back(entry);
    }
    entries = std::move(kept);
    if (batch.snapshot_replaces_log) entries.clear();
    snapshot = batch.snapshot;
  }
  if (!batch.entries.empty()) {
    const LogIndex from = batch.entries.front().index;
    QUORUM_ASSERT(from >= first_index(), "entries from {} before the log start {}", from,
                  first_index());
    QUORUM_ASSERT(from <= last_index() + 1, "entries from {} leave a gap after {}", from,
                  last_index());
    entries.resize(from - first_index());
    entries.insert(entries.end(), batch.entries.begin(), batch.entries.end());
  }
  if (batch.hard_state.has_value()) {
    QUORUM_ASSERT(batch.hard_state->current_term >= hard_state.current_term,
                  "persisted term goes back");
    hard_state = *batch.hard_state;
  }
  QUORUM_ASSERT(entries.empty() || entries.front().index == first_index());
}

}  // namespace quorum::host
