// The assignment policy: a pure function from the replicated state and the leader's view of
// which controllers are alive to the commands that move the pool towards a balanced, sticky,
// site-aware assignment. The leader's driver (engine/host) proposes the commands; each is a
// compare-and-set, so a decision made on a stale state is refused by the state machine.
// Core: std and fmt only. Deterministic: the same input gives the same commands.
//
// Rules (issue 8 section 4), with M the clusters to place and W the weights of the receivers:
//  * A receiver is a controller that is alive, stable, active role, auto-recovery on and in
//    state kActive. Only receivers get new clusters. Standby, auto-recovery-off, joining,
//    draining and not-alive controllers get nothing.
//  * An owner that is alive and kActive keeps its clusters (sticky); if it is not stable
//    (restarted or flapping) it keeps them and takes no part in balancing.
//  * Balance: each receiver ends within [floor(M*w/W), ceil(M*w/W)] unless site affinity or
//    pins make that impossible. For equal weights max - min <= 1.
//  * Unowned clusters, clusters of a not-alive owner and hand-overs whose target is no longer a
//    receiver get an Assign (never rate-limited: availability first). Hand-overs whose target is
//    a receiver are completed by an Assign to that target.
//  * An unfit controller (PolicyInput::unfit) is not a receiver; the clusters of an alive unfit
//    owner are handed over with Release{to}, all in one plan (not rate-limited: it does not act
//    on them, so they wait unserved), before any other Release.
//  * Clusters of a draining owner, of an owner above its share, clusters wanted by a receiver
//    below its share, site moves and pin moves are handed over with Release{to}; at most
//    moves_max such Releases per plan (no rebalance storms). The Assign follows next round.
//  * Site affinity: a cluster tagged site=S goes only to receivers tagged site=S while there is
//    one; otherwise anywhere.
//  * Pinned clusters go to, and stay with, their pinned owner while it is alive and kActive.
//  * A join moves at most ceil(M/(N+1)) + 1 clusters, all to the new controller; a leave moves
//    exactly the leaver's clusters (equal weights, no sites or pins; property-tested).
// Complexity: O(M log N + P*N) for P clusters to place, N controllers.
#pragma once

#include <cstddef>
#include <set>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/state_machine.h"

namespace quorum::ownership {

struct PolicyInput {
  const StateMachine& state;
  std::set<NodeId> alive;   // the leader's lease view: controllers whose lease it may trust
  std::set<NodeId> stable;  // alive for at least the stable time: may receive load
  std::size_t moves_max;    // Releases (hand-overs) allowed in this plan
  // Controllers whose database backend is unfit (docs/ownership.md, rule 8): never receivers;
  // an alive one's clusters are handed over (Release) at once, outside moves_max.
  std::set<NodeId> unfit = {};
};

// Assigns first (cluster id order), then the Releases of unfit owners (all of them), then the
// others (at most moves_max) in priority order: drain hand-overs, pin moves, site moves,
// rebalancing.
std::vector<Command> plan(const PolicyInput& input);

}  // namespace quorum::ownership
