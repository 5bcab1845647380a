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

void send_all(ReadyEffects& effects, const std::vector<raft::Message>& messages) {
  for (const raft::Message& message : messages) {
    QUORUM_ASSERT(message.to != kNoNode);
    QUORUM_ASSERT(message.from != message.to);
    effects.send(message);
  }
}

// Planted bug kApplyBeforeCommit: applies entries as soon as they are persisted, before they
// are known to be committed. A later leader may overwrite them: state machines diverge.
void apply_uncommitted(const std::vector<raft::Entry>& entries, ReadyEffects& effects) {
  for (const raft::Entry& entry : entries) {
    if (entry.index == effects.applied_index() + 1) effects.apply(entry);
  }
}

Status restore_received_snapshot(const raft::Ready& ready, ReadyEffects& effects) {
  if (!ready.snapshot.has_value() || !ready.snapshot_received) return Status::ok();
  const LogIndex last_index = ready.snapshot->meta.last_index;
  QUORUM_ASSERT(kMutationsCompiled || last_index > effects.applied_index(),
                "snapshot at {} does not move past applied {}", last_index,
                effects.applied_index());
  return effects.restore(*ready.snapshot);
}

void apply_committed(const raft::Ready& ready, ReadyEffects& effects, Mutation mutation) {
  const bool skip_applied = mutation_on(mutation, Mutation::kApplyBeforeCommit);
  for (const raft::Entry& entry : ready.committed_entries) {
    if (skip_applied && entry.index <= effects.applied_index()) continue;
    effects.apply(entry);
  }
  for (const raft::ReadState& read : ready.read_states) effects.read_confirmed(read);
}

void check_ready(const raft::Ready& ready) {
  const std::string broken = ready.check();
  QUORUM_ASSERT(broken.empty(), "Ready {} breaks the contract: {}", ready.seq, broken);
}

// NodeHost's effects: its ports, its apply loop (state machines, proposals, reads) and hooks.
class HostEffects final : public ReadyEffects {
 public:
  explicit HostEffects(ReadyContext& context) : c_(context) {}

  void role_changed(const raft::SoftState& state) override {
    if (state.role != raft::Role::kLeader) c_.apply_loop.reads().fail_requested(state.leader_id);
    c_.hooks.role_changed(state);
  }
  void traced(const raft::TraceEvent& event) override {
    c_.hooks.traced(event);
    if (event.kind == raft::TraceKind::kConflictTruncated) {
      c_.apply_loop.proposals().on_truncated(event.index);
    }
  }
  void send(const raft::Message& message) override { c_.transport.send(message); }
  Status persist(const PersistBatch& batch) override {
    Status persisted = c_.storage.persist(batch);
    if (persisted.is_ok()) c_.hooks.persisted(batch);
    return persisted;
  }
  Status restore(const raft::Snapshot& snapshot) override {
    return c_.apply_loop.restore(snapshot);
  }
  void apply(const raft::Entry& entry) override { c_.apply_loop.apply(entry); }
  void read_confirmed(const raft::ReadState& read) override {
    c_.apply_loop.reads().confirm(read.request_id, read.index);
    // A read confirmed at an index already applied is answered now.
    c_.apply_loop.reads().on_applied(c_.apply_loop.applied_index());
  }
  LogIndex applied_index() const override { return c_.apply_loop.applied_index(); }

 private:
  ReadyContext& c_;
};

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

// Steps 1-6 of a checked `ready` (see the header).
Status run_steps(const raft::Ready& ready, const PersistBatch& batch, ReadyEffects& effects,
                 Mutation mutation) {
  if (ready.soft_state.has_value()) effects.role_changed(*ready.soft_state);
  for (const raft::TraceEvent& event : ready.trace_events) effects.traced(event);

  send_all(effects, ready.messages);
  const bool ack_early = mutation_on(mutation, Mutation::kAckBeforePersist);
  if (ack_early) send_all(effects, ready.messages_after_persist);

  QUORUM_ASSERT(!batch_is_empty(batch) || !ready.must_sync, "must_sync with nothing to persist");
  if (!batch_is_empty(batch)) {
    Status persisted = effects.persist(batch);
    if (!persisted.is_ok()) return persisted;
  }

  // The batch is durable (or was empty): the promises may leave now.
  if (!ack_early) send_all(effects, ready.messages_after_persist);
  if (mutation_on(mutation, Mutation::kApplyBeforeCommit)) {
    apply_uncommitted(batch.entries, effects);
  }

  Status restored = restore_received_snapshot(ready, effects);
  if (!restored.is_ok()) return restored;
  apply_committed(ready, effects, mutation);
  return Status::ok();
}

}  // namespace

Status execute_ready(const raft::Ready& ready, const PersistBatch& batch, ReadyEffects& effects,
                     Mutation mutation) {
  check_ready(ready);
  return run_steps(ready, batch, effects, mutation);
}

Status handle_ready(const raft::Ready& ready, ReadyContext& context) {
  HostEffects effects(context);
  return execute_ready(ready, make_persist_batch(ready), effects, context.mutation);
}

Status handle_ready_taking_entries(raft::Ready& ready, ReadyContext& context) {
  check_ready(ready);  // before the entries move out
  PersistBatch batch;
  batch.hard_state = ready.hard_state;
  batch.entries = std::move(ready.entries);
  batch.snapshot = ready.snapshot;
  batch.snapshot_replaces_log = ready.snapshot.has_value() && ready.snapshot_received;
  batch.sync = ready.must_sync;
  HostEffects effects(context);
  return run_steps(ready, batch, effects, context.mutation);
}

}  // namespace quorum::host
