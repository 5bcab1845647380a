// Applying committed entries. Host layer: core + wire.
#include "engine/host/apply_loop.h"

#include "engine/core/base/assert.h"

namespace quorum::host {

void ApplyLoop::apply(const raft::Entry& entry) {
  QUORUM_ASSERT(entry.index == applied_index_ + 1, "apply index {} after {}", entry.index,
                applied_index_);
  QUORUM_ASSERT(entry.term > 0);
  AppResult result;  // std::monostate unless the entry carries a command
  switch (entry.kind) {
    case raft::EntryKind::kCommand:
      result = router_.apply(entry);
      break;
    case raft::EntryKind::kNoop:
    case raft::EntryKind::kMembership:
      // The core acts on membership when the entry is appended; nothing to apply here.
      break;
  }
  applied_index_ = entry.index;
  hooks_.applied(entry);
  proposals_.on_applied(entry.index, entry.term, result);
  reads_.on_applied(applied_index_);
  QUORUM_ASSERT(applied_index_ == entry.index, "a reply re-entered the apply loop");
}

Status ApplyLoop::restore(const raft::Snapshot& snapshot) {
  const LogIndex last_index = snapshot.meta.last_index;
  QUORUM_ASSERT(last_index > 0);
  Status restored = router_.restore(last_index, snapshot.data);
  if (!restored.is_ok()) return restored;
  QUORUM_ASSERT(router_.state().config.applied_index() == last_index);
  QUORUM_ASSERT(router_.state().ownership.applied_index() == last_index);
  applied_index_ = last_index;
  proposals_.on_snapshot_restored(last_index);
  reads_.on_applied(applied_index_);
  return Status::ok();
}

}  // namespace quorum::host
