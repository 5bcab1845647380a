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
#pragma once

#include "engine/core/base/mutation.h"
#include "engine/core/base/status.h"
#include "engine/core/raft/ready.h"
#include "engine/host/apply_loop.h"
#include "engine/host/hooks.h"
#include "engine/host/ports/storage.h"
#include "engine/host/ports/transport.h"

namespace quorum::host {

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
