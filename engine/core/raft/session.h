// Controller sessions: the one lease per controller that covers every managed cluster it owns
// (docs/ownership.md, "Leases"). Renewals ride on the Raft heartbeat answers every member already
// sends, so their cost does not grow with the number of clusters. Core: std only.
//
// Notation (docs/ownership.md): L = lease_ticks, δ = delay_ticks, ρ = drift_ppm / 10^6.
//  * Owner:    a controller stops acting at  t + L(1−ρ) − δ  by its own clock, where t is when it
//              sent the newest keepalive whose receipt a lease-holding leader has confirmed.
//  * Assigner: the leader grants nothing held by a controller before  t' + L(1+ρ) + δ  by its
//              own clock, where t' is when it received the newest keepalive from that controller,
//  * and, as a new leader, nothing before  e + L(1+ρ) + δ,  e being when it took office.
// Time here is ticks of the node's own clock; one tick of margin is added on each side because a
// tick count lags the clock it counts by less than one tick (owner: t is recorded up to one tick
// early, "now" up to one tick late; assigner: t' and e up to one tick early).
#pragma once

#include <cstdint>

#include "engine/core/base/mutation.h"
#include "engine/core/base/types.h"

namespace quorum::raft {

struct SessionParams {
  Ticks lease_ticks = 0;  // L; 0: sessions are off (no controller may act on anything)
  Ticks delay_ticks = 0;  // δ: bound on one message's delay
  std::uint32_t drift_ppm = 0;  // ρ in parts per million
  Mutation mutation = Mutation::kNone;  // planted bugs (i), (j); see base/mutation.h

  bool enabled() const { return lease_ticks > 0; }
};

// L(1−ρ) − δ − 1 ticks: how long after its anchor an owner may act. 0 if that is not positive
// (the configuration is refused by RaftConfig::validate for enabled sessions).
Ticks owner_lease_ticks(const SessionParams& params);
// L(1+ρ) + δ + 1 ticks: how long after the newest receipt (or taking office) a leader waits.
Ticks assigner_wait_ticks(const SessionParams& params);

// The owner side of a session, kept by the Raft node of every controller. Volatile: a restarted
// controller starts without a session (it cannot know what was confirmed before the crash).
//
// Generations: a session that lapsed (its end passed before a renewal was processed) is never
// extended: the renewal starts a new generation, and the clusters granted before it started
// (epoch <= start_index) are no longer the controller's to act on until they are granted again.
// Without this, a controller whose lease ran out (so that the leader may have decided a
// takeover, still uncommitted) would resume acting on a cluster the log is about to give away.
//
// Invariants: valid_until_ticks == anchor_ticks + owner_lease_ticks(params) once renewed;
// generation only grows; start_index only grows.
class Session {
 public:
  explicit Session(SessionParams params = {}) : params_(params) {}

  // A keepalive sent at `anchor_ticks` (own clock) was confirmed by a lease-holding leader, seen
  // at `now_ticks`; `commit_index` is this node's commit index now (every entry this node may
  // have applied so far is at or below it).
  void renew(Ticks anchor_ticks, Ticks now_ticks, LogIndex commit_index);
  // True while the session may be relied on at `now_ticks` (the node's clock reading *now*,
  // which may be ahead of the ticks fed to the core).
  bool valid_at(Ticks now_ticks) const {
    return generation_ > 0 && now_ticks < valid_until_ticks_;
  }

  const SessionParams& params() const { return params_; }
  Ticks anchor_ticks() const { return anchor_ticks_; }
  Ticks valid_until_ticks() const { return valid_until_ticks_; }
  // 0 before the first renewal.
  std::uint64_t generation() const { return generation_; }
  // Commit index when the current generation started: a grant at or below it predates it.
  LogIndex start_index() const { return start_index_; }

 private:
  SessionParams params_;
  Ticks anchor_ticks_ = 0;
  Ticks valid_until_ticks_ = 0;
  std::uint64_t generation_ = 0;
  LogIndex start_index_ = 0;
};

// What a leader knows of one member's session (engine/core/raft/tracker keeps one per peer).
struct PeerSession {
  bool heard = false;                  // a keepalive of this term arrived
  Ticks last_keepalive_ticks = 0;      // t': receipt of the newest one (leader's clock)
  LogIndex applied_index = 0;          // the peer's applied index it reported
  LogIndex session_start_index = 0;    // the peer's Session::start_index() it reported
  std::uint64_t session_generation = 0;  // the peer's Session::generation() it reported
};

}  // namespace quorum::raft
