// The persist-before-send sequence. Host layer: core + wire.
//
// Why the order matters: a vote or an append acknowledgement is a promise ("I will remember this
// term / these entries after a crash"). If it leaves before the batch is durable, a crash can
// make this node forget what it promised: two leaders in one term, or a committed entry lost.
// The leader's own appends (in `messages`) may leave before its persist: it counts itself in a
// commit quorum only once the core sees the batch acknowledged (thesis §10.2.1).
#include "engine/host/ready_handler.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/core/base/assert.h"

namespace quorum::host {
namespace {

void send_all(Transport& transport, const std::vector<raft::Message>& messages) {
  for (const raft::Message& message : messages) {
    QUORUM_ASSERT(message.to != kNoNode);
    QUORUM_ASSERT(message.from != message.to);
    transport.send(message);
  }
}

// Planted bug kApplyBeforeCommit: applies entries as soon as they are persisted, before they
// are known to be committed. A later leader may overwrite them: state machines diverge.
void apply_uncommitted(const std::vector<raft::Entry>& entries, ApplyLoop& apply_loop) {
  for (const raft::Entry& entry : entries) {
    if (entry.index == apply_loop.applied_index() + 1) apply_loop.apply(entry);
  }
}

Status restore_received_snapshot(const raft::Ready& ready, ReadyContext& context) {
  if (!ready.snapshot.has_value() || !ready.snapshot_received) return Status::ok();
  const LogIndex last_index = ready.snapshot->meta.last_index;
  QUORUM_ASSERT(kMutationsCompiled || last_index > context.apply_loop.applied_index(),
                "snapshot at {} does not move past applied {}", last_index,
                context.apply_loop.applied_index());
  return context.apply_loop.restore(*ready.snapshot);
}

void apply_committed(const raft::Ready& ready, ReadyContext& context) {
  const bool skip_applied = mutation_on(context.mutation, Mutation::kApplyBeforeCommit);
  for (const raft::Entry& entry : ready.committed_entries) {
    if (skip_applied && entry.index <= context.apply_loop.applied_index()) continue;
    context.apply_loop.apply(entry);
  }
  for (const raft::ReadState& read : ready.read_states) {
    context.apply_loop.reads().confirm(read.request_id, read.index);
  }
  // A read confirmed at an index already applied is answered now.
  context.apply_loop.reads().on_applied(context.apply_loop.applied_index());
}

}  // namespace

PersistBatch make_persist_batch(const raft::Ready& ready) {
  PersistBatch batch;
  batch.hard_state = ready.hard_state;
  batch.entries = ready.entries;
  batch.snapshot = ready.snapshot;
  batch.snapshot_replaces_log = ready.snapshot.has_value() && ready.snapshot_received;
  batch.sync = ready.must_sync;
  return batch;
}

bool batch_is_empty(const PersistBatch& batch) {
  return !batch.hard_state.has_value() && batch.entries.empty() && !batch.snapshot.has_value();
}

namespace {

void check_ready(const raft::Ready& ready) {
  const std::string broken = ready.check();
  QUORUM_ASSERT(broken.empty(), "Ready {} breaks the contract: {}", ready.seq, broken);
}

// Steps 1-6 for a checked `ready` whose persist batch is `batch` (ready.entries may have been
// moved into it: use batch.entries, never ready.entries, below).
Status execute_ready(const raft::Ready& ready, const PersistBatch& batch, ReadyContext& context) {
  if (ready.soft_state.has_value()) {
    if (ready.soft_state->role != raft::Role::kLeader) {
      context.apply_loop.reads().fail_requested(ready.soft_state->leader_id);
    }
    context.hooks.role_changed(*ready.soft_state);
  }
  for (const raft::TraceEvent& event : ready.trace_events) {
    context.hooks.traced(event);
    if (event.kind == raft::TraceKind::kConflictTruncated) {
      context.apply_loop.proposals().on_truncated(event.index);
    }
  }

  send_all(context.transport, ready.messages);
  const bool ack_early = mutation_on(context.mutation, Mutation::kAckBeforePersist);
  if (ack_early) send_all(context.transport, ready.messages_after_persist);

  QUORUM_ASSERT(!batch_is_empty(batch) || !ready.must_sync, "must_sync with nothing to persist");
  if (!batch_is_empty(batch)) {
    Status persisted = context.storage.persist(batch);
    if (!persisted.is_ok()) return persisted;
    context.hooks.persisted(batch);
  }

  // The batch is durable (or was empty): the promises may leave now.
  if (!ack_early) send_all(context.transport, ready.messages_after_persist);
  if (mutation_on(context.mutation, Mutation::kApplyBeforeCommit)) {
    apply_uncommitted(batch.entries, context.apply_loop);
  }

  Status restored = restore_received_snapshot(ready, context);
  if (!restored.is_ok()) return restored;
  apply_committed(ready, context);
  return Status::ok();
}

}  // namespace

Status handle_ready(const raft::Ready& ready, ReadyContext& context) {
  check_ready(ready);
  return execute_ready(ready, make_persist_batch(ready), context);
}

Status handle_ready_taking_entries(raft::Ready& ready, ReadyContext& context) {
  check_ready(ready);
  PersistBatch batch;
  batch.hard_state = ready.hard_state;
  batch.entries = std::move(ready.entries);
  batch.snapshot = ready.snapshot;
  batch.snapshot_replaces_log = ready.snapshot.has_value() && ready.snapshot_received;
  batch.sync = ready.must_sync;
  return execute_ready(ready, batch, context);
}

}  // namespace quorum::host
