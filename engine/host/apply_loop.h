// ApplyLoop: applies committed entries in order, then tells whoever waits for them: the on_apply
// hooks, the pending proposals and the pending reads. Host layer: core + wire.
#pragma once

#include <string>

#include "engine/core/base/status.h"
#include "engine/core/base/types.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"
#include "engine/host/apply_router.h"
#include "engine/host/hooks.h"
#include "engine/host/proposals.h"

namespace quorum::host {

class ApplyLoop {
 public:
  // `hooks` must outlive the loop.
  explicit ApplyLoop(const HostHooks& hooks) : hooks_(hooks) {}
  ApplyLoop(const ApplyLoop&) = delete;
  ApplyLoop& operator=(const ApplyLoop&) = delete;

  // Applies one entry. Order: state machines, on_apply hooks, proposal replies, read replies
  // (a client told "ok" can observe its write in state()).
  // Asserts: entry.index == applied_index() + 1 (no gap, no repeat).
  void apply(const raft::Entry& entry);
  // Installs a snapshot: the state machines jump to snapshot.meta.last_index. Proposals it
  // covers are answered kUnknown. The caller checks that it is ahead of applied_index().
  Status restore(const raft::Snapshot& snapshot);
  // Encoded state of every state machine at applied_index() (for Node::compact).
  std::string snapshot_data() const { return router_.snapshot_data(applied_index_); }

  // Invariant: never decreases; equals the last applied entry's index or restored snapshot's.
  LogIndex applied_index() const { return applied_index_; }
  const AppState& state() const { return router_.state(); }
  void set_mutation(Mutation mutation) { router_.set_mutation(mutation); }  // planted bug (l)
  Proposals& proposals() { return proposals_; }
  PendingReads& reads() { return reads_; }

 private:
  const HostHooks& hooks_;
  ApplyRouter router_;
  Proposals proposals_;
  PendingReads reads_;
  LogIndex applied_index_ = 0;
};

}  // namespace quorum::host
