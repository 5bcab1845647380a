// Database backend health as an input of the core (Galera issue; DESIGN invariant 8: a
// controller whose Galera node is not Primary+Synced does not lead). The host pushes the health;
// everything that follows from it is decided here, deterministically. Core: std and fmt only.
//
// Rules:
//  * An unfit node never campaigns (can_campaign() is false): no pre-vote, no election, and a
//    TimeoutNow is ignored. A pre-candidate or candidate that turns unfit gives up at once.
//  * Every AppendResponse carries the sender's fitness; the leader never picks an unfit peer as a
//    transfer target (explicit "best node", priority transfer, forced step-down hand-over).
//  * A leader that turns unfit hands leadership to the best fit voter (catching it up first);
//    when there is none, or that transfer ends without a new leader, it steps down. So an unfit
//    leader stops leading within transfer_timeout_ticks (default: one election timeout) + 1 tick.
#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

void Node::Impl::set_backend_healthy(bool healthy) {
  if (healthy == backend_healthy_) return;
  backend_healthy_ = healthy;
  trace(healthy ? TraceKind::kBackendFit : TraceKind::kBackendUnfit);
  if (healthy) return;
  if (role_ == Role::kPreCandidate || role_ == Role::kCandidate) {
    become_follower(current_term_, kNoNode);
  } else if (role_ == Role::kLeader) {
    maybe_leave_for_backend();
  }
  QUORUM_ASSERT(!can_campaign());
}

void Node::Impl::note_peer_backend(NodeId peer, const AppendResponse& response) {
  if (response.backend_unfit) {
    backend_unfit_peers_.insert(peer);
  } else {
    backend_unfit_peers_.erase(peer);
  }
}

void Node::Impl::maybe_leave_for_backend() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  if (backend_healthy_ || transfer_target_ != kNoNode) return;
  if (mutation_on(config_.mutation, Mutation::kLeaderIgnoresUnhealthyBackend)) return;  // (m)
  if (backend_transfer_term_ != current_term_) {
    const NodeId target = best_transfer_target();
    if (target != kNoNode) {
      backend_transfer_term_ = current_term_;
      start_transfer(target);
      return;
    }
  }
  // No fit voter, or the transfer we started aborted: nobody fit takes over from us, so we stop
  // leading (step_down hands over to a caught-up fit voter if one appeared meanwhile).
  step_down();
  QUORUM_ASSERT(role_ == Role::kFollower);
}

}  // namespace quorum::raft
