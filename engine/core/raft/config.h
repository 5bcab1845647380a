#pragma once

#include <cstdint>
#include <string>

#include "engine/core/base/mutation.h"
#include "engine/core/base/types.h"
#include "engine/core/raft/session.h"

namespace quorum::raft {

struct RaftConfig {
  NodeId id = kNoNode;
  // T: a follower that hears nothing from a leader for a randomised timeout in [T, 2T) ticks
  // campaigns; a leader that hears from no majority within T steps down (CheckQuorum).
  Ticks election_timeout_ticks = 10;
  // H: the leader sends heartbeats every H ticks. Invariant: H < T.
  Ticks heartbeat_interval_ticks = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  // Flow control: appends in flight per follower, and a soft bound on one append's entry bytes.
  std::uint32_t inflight_messages_max = 256;
  std::uint64_t message_bytes_max = 1 << 20;
  // ρ, in parts per million: bound on the ratio of any two clocks' rates, fast / slow <= 1 + ρ
  // (not merely their difference: at 20 % two clocks at ±10 % differ by 2.2 % more). The lease is
  // shortened so that it ends before any follower's election timeout can have run out (item 4).
  std::uint32_t clock_drift_ppm_max = 200'000;
  // A leadership transfer that has not completed after this many ticks is aborted.
  // 0 means "election_timeout_ticks".
  Ticks transfer_timeout_ticks = 0;
  // Bytes of uncommitted proposals the leader accepts before refusing more (back-pressure).
  std::uint64_t uncommitted_bytes_max = 64 << 20;
  // Controller sessions (engine/core/raft/session.h, docs/ownership.md): L, the ownership lease,
  // and δ, the bound on one message's delay, in ticks; ρ is clock_drift_ppm_max. 0: no sessions
  // (no controller may act on a managed cluster).
  Ticks session_lease_ticks = 0;
  Ticks session_delay_ticks = 0;
  // Planted bug for the simulator's self-test; ignored unless QUORUM_MUTATIONS is compiled in.
  Mutation mutation = Mutation::kNone;

  // Empty string if valid, otherwise why not ("heartbeat_interval_ticks (10) must be less than
  // election_timeout_ticks (10)").
  std::string validate() const;
  SessionParams session_params() const {
    return {session_lease_ticks, session_delay_ticks, clock_drift_ppm_max, mutation};
  }
};

}  // namespace quorum::raft
