// Ready: everything one round of core work asks the host to do, in one value.
//
// The host handles a Ready in this order, and only this order (engine/host/ready_handler.cc):
//   1. send `messages` (they promise nothing about local durability);
//   2. persist `snapshot`, `entries` (replacing any log suffix from entries.front().index) and
//      `hard_state` as one atomic batch, synced if `must_sync`;
//   3. only then send `messages_after_persist` (votes, append acks: they promise durability);
//   4. if `snapshot` is set and `snapshot_received`, restore the state machines from it;
//   5. apply `committed_entries` in order; answer `read_states` once applied >= their index;
//   6. call Node::advance(ReadyAck{seq}).
// Calling Node::ready() twice without advance() in between is a programmer error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/raft/entry.h"
#include "engine/core/raft/message.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"
#include "engine/core/raft/trace.h"

namespace quorum::raft {

// A linearizable read (ReadIndex, thesis §6.4) is confirmed: the caller may answer request_id
// once the state machine has applied `index`.
struct ReadState {
  std::uint64_t request_id = 0;
  LogIndex index = 0;
  friend bool operator==(const ReadState&, const ReadState&) = default;
};

struct Ready {
  std::uint64_t seq = 0;  // echoed in ReadyAck
  std::optional<SoftState> soft_state;
  std::optional<HardState> hard_state;
  std::vector<Entry> entries;
  std::optional<Snapshot> snapshot;
  bool snapshot_received = false;  // true: from the leader, restore the state machines
  std::vector<Entry> committed_entries;
  std::vector<Message> messages;
  std::vector<Message> messages_after_persist;
  std::vector<ReadState> read_states;
  std::vector<TraceEvent> trace_events;
  bool must_sync = false;  // hard_state, entries or snapshot changed in a way promised to others

  // Pair assertion for the host: the structural rules above hold (entries consecutive, committed
  // entries consecutive, messages addressed, committed entries within the known log ...).
  // Empty string if they do.
  std::string check() const;
  bool empty() const;
};

struct ReadyAck {
  std::uint64_t seq = 0;
};

}  // namespace quorum::raft
