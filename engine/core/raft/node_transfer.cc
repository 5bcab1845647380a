// Leadership transfer (thesis §3.10), forced step-down and leader priority. Core: std and fmt only.
#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

std::uint32_t Node::Impl::priority_of(NodeId id) const {
  const Member* m = tracker_.membership().find(id);
  return m == nullptr ? 0 : m->priority;
}

RequestResult Node::Impl::transfer_leadership(NodeId target) {
  if (role_ != Role::kLeader) return RequestResult::kNotLeader;
  if (transfer_target_ != kNoNode) return RequestResult::kTransferInProgress;
  if (target == config_.id) return RequestResult::kAlreadyLeader;
  if (target == kNoNode) {
    target = best_transfer_target();
    if (target == kNoNode) return RequestResult::kNoCandidate;
  } else if (!tracker_.membership().is_voter(target) || priority_of(target) == 0) {
    return RequestResult::kNoSuchVoter;  // priority 0 is never a transfer target
  }
  start_transfer(target);
  return RequestResult::kOk;
}

NodeId Node::Impl::best_transfer_target(bool only_reported_fit) const {
  NodeId best = kNoNode;
  LogIndex best_match = 0;
  std::uint32_t best_priority = 0;
  for (const auto& [peer, pr] : tracker_.progress_map()) {
    const std::uint32_t priority = priority_of(peer);
    if (!tracker_.membership().is_voter(peer) || priority == 0) continue;
    // Never hand leadership to an unfit controller.
    if (only_reported_fit ? !backend_fit_peers_.contains(peer) : peer_backend_unfit(peer)) continue;
    const bool better = best == kNoNode || pr.match_index() > best_match ||
                        (pr.match_index() == best_match && priority > best_priority);
    if (better) {  // progress_map is ordered by id, so equal candidates keep the lowest id
      best = peer;
      best_match = pr.match_index();
      best_priority = priority;
    }
  }
  return best;
}

void Node::Impl::start_transfer(NodeId target) {
  QUORUM_ASSERT(role_ == Role::kLeader);
  QUORUM_ASSERT(transfer_target_ == kNoNode);
  QUORUM_ASSERT(target != config_.id);
  Progress* pr = tracker_.progress(target);
  QUORUM_ASSERT(pr != nullptr);
  transfer_target_ = target;
  transfer_elapsed_ticks_ = 0;
  trace(TraceKind::kTransferStarted, target);
  update_lease_trace();  // the lease ends as the transfer starts
  // Catch the target up first; TimeoutNow follows once it matches our last entry. A lagging
  // target is probed from its match at once (its pipeline may have lost messages).
  if (pr->match_index() == log_.last_index()) {
    send_timeout_now(target);
  } else {
    if (pr->state() == ProgressState::kReplicate) pr->become_probe(now_ticks_);
    if (!maybe_send_append(target, true)) send_heartbeat(target, *pr);
    send_append_while_possible(target);
  }
}

void Node::Impl::send_timeout_now(NodeId target) {
  QUORUM_ASSERT(role_ == Role::kLeader);
  QUORUM_ASSERT(transfer_target_ == target);
  send(target, TimeoutNow{round_});
  // The lease ends now; only rounds after this one can renew it (see lease_floor_round_).
  lease_valid_until_ticks_ = 0;
  lease_floor_round_ = round_ + 1;
  timeout_now_target_ = target;
  timeout_now_round_ = round_;
  update_lease_trace();
  QUORUM_ASSERT(!has_lease());
}

void Node::Impl::tick_transfer() {
  QUORUM_ASSERT(transfer_target_ != kNoNode);
  ++transfer_elapsed_ticks_;
  const Ticks timeout = config_.transfer_timeout_ticks == 0 ? config_.election_timeout_ticks
                                                            : config_.transfer_timeout_ticks;
  if (transfer_elapsed_ticks_ >= timeout) abort_transfer();
}

void Node::Impl::abort_transfer() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  QUORUM_ASSERT(transfer_target_ != kNoNode);
  trace(TraceKind::kTransferAborted, transfer_target_);
  transfer_target_ = kNoNode;  // proposals resume
  transfer_elapsed_ticks_ = 0;
  update_lease_trace();
}

RequestResult Node::Impl::step_down() {
  if (role_ != Role::kLeader) return RequestResult::kNotLeader;
  // Hand leadership to a caught-up voter at once when there is one (it campaigns through
  // TimeoutNow); otherwise the others elect someone once their stickiness runs out.
  const NodeId successor = best_transfer_target();
  const bool hand_over =
      successor != kNoNode && tracker_.progress(successor)->match_index() == log_.last_index();
  if (hand_over) send(successor, TimeoutNow{round_});
  trace(TraceKind::kForcedStepDown, hand_over ? successor : kNoNode);
  become_follower(current_term_, kNoNode);
  // The former leader does not campaign for two election timeouts (longer than any follower's
  // randomized timeout) unless it hears from a new leader first, so leadership does not come
  // straight back to it.
  no_campaign_until_ticks_ = now_ticks_ + 2 * config_.election_timeout_ticks;
  QUORUM_ASSERT(role_ == Role::kFollower);
  QUORUM_ASSERT(election_elapsed_ticks_ == 0);
  return RequestResult::kOk;
}

void Node::Impl::maybe_transfer_to_priority() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  if (transfer_target_ != kNoNode) return;
  // A caught-up voter of strictly higher priority gets leadership (checked once per election
  // timeout, not on every message). "Caught up": it holds everything committed.
  const std::uint32_t mine = priority_of(config_.id);
  NodeId best = kNoNode;
  std::uint32_t best_priority = mine;
  for (const auto& [peer, pr] : tracker_.progress_map()) {
    const std::uint32_t priority = priority_of(peer);
    if (!tracker_.membership().is_voter(peer) || priority <= best_priority) continue;
    if (pr.match_index() < log_.commit_index() || peer_backend_unfit(peer)) continue;
    best = peer;
    best_priority = priority;
  }
  if (best != kNoNode) start_transfer(best);
}

}  // namespace quorum::raft
