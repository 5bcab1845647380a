// The reference store. Host layer.
#include "engine/host/stored_state.h"

#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::host {

LogIndex StoredState::first_index() const {
  return snapshot.has_value() ? snapshot->meta.last_index + 1 : 1;
}

std::optional<Term> StoredState::term_at(LogIndex index) const {
  if (snapshot.has_value() && index == snapshot->meta.last_index) return snapshot->meta.last_term;
  if (index < first_index() || index > last_index()) return std::nullopt;
  return entries[index - first_index()].term;
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
    if (batch.snapshot_replaces_log) {
      // A received snapshot that conflicts with the log: the core discarded all of it.
      entries.clear();
    } else {
      // A compaction (or a snapshot the log agrees with): the port's precondition is that it
      // describes a prefix of the stored log or lies beyond its end, so the entries after it
      // continue it and survive. A snapshot that contradicts the log without the flag would
      // leave older-term entries after a newer snapshot (a log no restart may load): refused.
      const std::optional<Term> held = term_at(meta.last_index);
      QUORUM_ASSERT(!held.has_value() || *held == meta.last_term,
                    "snapshot ({}, term {}) contradicts the stored log (term {} there) and does "
                    "not replace it",
                    meta.last_index, meta.last_term, held.value_or(0));
      std::vector<raft::Entry> kept;
      for (raft::Entry& entry : entries) {
        if (entry.index > meta.last_index) kept.push_back(std::move(entry));
      }
      entries = std::move(kept);
    }
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
