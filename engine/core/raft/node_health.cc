// Database backend health as an input of the core (Galera issue; DESIGN invariant 8: a
// controller whose Galera node is not Primary+Synced does not lead while a fit controller could).
// The host pushes the health; everything that follows from it is decided here, deterministically.
// Core: std and fmt only.
//
// Rules:
//  * An unfit node does not campaign while a leader might still be heard: no pre-vote, no
//    election, and a TimeoutNow is ignored. A pre-candidate or candidate that turns unfit gives
//    up at once.
//  * Degraded mode, election side: an unfit voter that saw kUnfitTimeoutsBeforeCampaign (2)
//    election timeouts in a row without hearing a leader may campaign (trace kUnfitCampaign).
//    A fit node campaigns after one timeout, so where a fit node can win it is elected first;
//    when the cmon database lost quorum everywhere the controllers still elect a leader.
//  * Every AppendResponse carries the sender's fitness; the leader never picks a peer that said
//    it is unfit as a transfer target (explicit "best node", priority transfer, forced step-down
//    hand-over).
//  * A leader that is unfit hands leadership to the best voter that said in this term that it
//    is fit (catching it up first); if that transfer ends without a new leader it steps down.
//    While no voter said so in this term (every answer says unfit, or none came), it stays
//    leader: degraded mode. A fit answer later starts the hand-over at once. So an unfit leader
//    leads at most one transfer timeout + 1 tick after a fit voter answered it.
//  * Degraded mode, mutation side: an unfit leader refuses every proposal, commands and
//    membership changes alike (ProposeResult::kDegraded): the controllers are read-only while
//    their database is not Primary, and nothing is acknowledged that the database could not
//    have seen. Reads are served. Entries committed before stay committed (Raft): nothing
//    acknowledged is lost.
#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

void Node::Impl::set_backend_healthy(bool healthy) {
  if (healthy == backend_healthy_) return;
  backend_healthy_ = healthy;
  unfit_timeouts_without_leader_ = 0;
  unfit_campaign_allowed_ = false;
  trace(healthy ? TraceKind::kBackendFit : TraceKind::kBackendUnfit);
  if (healthy) return;
  if (role_ == Role::kPreCandidate || role_ == Role::kCandidate) {
    become_follower(current_term_, kNoNode);
  } else if (role_ == Role::kLeader) {
    maybe_leave_for_backend();
  }
  QUORUM_ASSERT(!can_campaign());
}

void Node::Impl::note_unfit_election_timeout() {
  if (backend_healthy_ || unfit_campaign_allowed_) return;
  if (++unfit_timeouts_without_leader_ < kUnfitTimeoutsBeforeCampaign) return;
  unfit_campaign_allowed_ = true;
  trace(TraceKind::kUnfitCampaign);
}

void Node::Impl::note_peer_backend(NodeId peer, Term term, const AppendResponse& response) {
  if (response.backend_unfit) {
    backend_unfit_peers_.insert(peer);
    backend_fit_peers_.erase(peer);
  } else {
    backend_unfit_peers_.erase(peer);
    if (role_ == Role::kLeader && term == current_term_) backend_fit_peers_.insert(peer);
  }
}

bool Node::Impl::refuse_when_unfit(ProposeResult& out) {
  if (backend_healthy_) return false;
  trace(TraceKind::kProposalRefused, config_.id);
  out.code = ProposeResult::Code::kDegraded;
  out.reason = "degraded mode: this leader's database backend is not Primary/Synced; the "
               "controllers are read-only until it is";
  return true;
}

void Node::Impl::maybe_leave_for_backend() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  if (backend_healthy_ || transfer_target_ != kNoNode) return;
  if (mutation_on(config_.mutation, Mutation::kLeaderIgnoresUnhealthyBackend)) return;  // (m)
  const NodeId target = fit_transfer_target();
  if (target == kNoNode) return;  // degraded mode: no voter said in this term that it is fit
  if (backend_transfer_term_ != current_term_) {
    backend_transfer_term_ = current_term_;
    start_transfer(target);
    return;
  }
  // The transfer we started aborted although a fit voter answered: we stop leading (step_down
  // hands over to a caught-up fit voter if there is one), and a fit node is elected.
  step_down();
  QUORUM_ASSERT(role_ == Role::kFollower);
}

}  // namespace quorum::raft
