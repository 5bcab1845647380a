// The persist-before-send sequence: executes one raft::Ready exactly as engine/core/raft/ready.h
// orders it. Host layer: core + wire.
//
//   1. check the Ready (pair assertion with the core), report soft state and trace events;
//   2. send `messages` (they promise nothing about local durability);
//   3. persist snapshot + entries + hard state as one batch, synced if must_sync; on failure
//      stop here: nothing after this point may happen (fail-stop, never retry an fsync);
//   4. only then send `messages_after_persist` (votes and append acks promise durability);
//   5. restore the state machines from a received snapshot;
//   6. apply `committed_entries`, then note `read_states` (answered once applied).
// The caller calls Node::advance() if and only if this returns ok.
//
// This is the one Ready executor: execute_ready() writes the sequence once, over ReadyEffects.
// NodeHost executes through its ports (handle_ready, below); the in-memory core harness
// (engine/host/memory/core_cluster.h: the raft unit tests, the core scripts, the chaos tests,
// the core-step fuzzer, quorum-bench core) executes through a message queue, a MemoryStorage and
// a list of applied entries. The planted host bugs act here, so they act in both.
#pragma once

#include "engine/core/base/mutation.h"
#include "engine/core/base/status.h"
#include "engine/core/raft/ready.h"
#include "engine/host/apply_loop.h"
#include "engine/host/hooks.h"
#include "engine/host/ports/storage.h"
#include "engine/host/ports/transport.h"

namespace quorum::host {

// What executing a Ready does, one call per step, in the order execute_ready() makes them.
class ReadyEffects {
 public:
  virtual ~ReadyEffects() = default;
  virtual void role_changed(const raft::SoftState& state) = 0;
  virtual void traced(const raft::TraceEvent& event) = 0;
  virtual void send(const raft::Message& message) = 0;
  // A non-empty batch. A non-ok status stops the sequence (fail-stop).
  virtual Status persist(const PersistBatch& batch) = 0;
  // A snapshot received from a leader; its last index is above applied_index().
  virtual Status restore(const raft::Snapshot& snapshot) = 0;
  // Asserted by the implementation: entry.index == applied_index() + 1.
  virtual void apply(const raft::Entry& entry) = 0;
  virtual void read_confirmed(const raft::ReadState& read) = 0;
  virtual LogIndex applied_index() const = 0;
};

// Steps 1-6 for `ready`, whose persist batch is `batch` (built by make_persist_batch, or with the
// entries moved in: below, batch.entries is used, never ready.entries). Checks the Ready's
// contract first (asserts). Returns the persist or restore error.
Status execute_ready(const raft::Ready& ready, const PersistBatch& batch, ReadyEffects& effects,
                     Mutation mutation);

struct ReadyContext {
  Transport& transport;
  Storage& storage;
  ApplyLoop& apply_loop;
  const HostHooks& hooks;
  // Planted host bugs (kAckBeforePersist, kApplyBeforeCommit); inert unless compiled in.
  Mutation mutation = Mutation::kNone;
};

// The batch step 3 writes; nothing to write if it has no hard state, entries or snapshot.
PersistBatch make_persist_batch(const raft::Ready& ready);
bool batch_is_empty(const PersistBatch& batch);

// Executes `ready`. Returns the persist error if storage failed; the host must then fail-stop
// without calling advance().
Status handle_ready(const raft::Ready& ready, ReadyContext& context);
// The same, but moves ready.entries into the persist batch instead of copying them (the host's
// loop: the Ready is dropped right after). On return ready.entries is empty.
Status handle_ready_taking_entries(raft::Ready& ready, ReadyContext& context);

}  // namespace quorum::host
