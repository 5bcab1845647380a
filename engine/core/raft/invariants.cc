// Invariant checkers for one Raft node. Core: std and fmt only.
#include "engine/core/raft/invariants.h"

#include <fmt/format.h>

#include "engine/core/raft/node_impl.h"

namespace quorum::raft {
namespace {

std::string check_leader_state(const Node::Impl& n) {
  if (n.voted_for_ != n.config_.id) return fmt::format("leader voted for {}", n.voted_for_);
  if (n.leader_id_ != n.config_.id) return fmt::format("leader names {} as leader", n.leader_id_);
  if (!n.tracker_.has_progress()) return "leader without progress";
  if (n.tracker_.progress(n.config_.id) != nullptr) return "leader tracks itself";
  for (const auto& [peer, pr] : n.tracker_.progress_map()) {
    if (pr.match_index() >= pr.next_index()) {
      return fmt::format("peer {}: match {} >= next {}", peer, pr.match_index(), pr.next_index());
    }
    if (pr.match_index() > n.log_.last_index()) {
      return fmt::format("peer {}: match {} beyond last {}", peer, pr.match_index(),
                         n.log_.last_index());
    }
    if (n.tracker_.membership().find(peer) == nullptr) {
      return fmt::format("progress for non-member {}", peer);
    }
  }
  if (n.lease_valid_until_ticks_ > n.now_ticks_ + n.lease_duration_ticks_) {
    return fmt::format("lease until {} is longer than {} from now {}", n.lease_valid_until_ticks_,
                       n.lease_duration_ticks_, n.now_ticks_);
  }
  if (n.transfer_target_ == n.config_.id) return "transfer to self";
  if (n.log_.last_term() != n.current_term_) {
    return fmt::format("leader's last entry has term {} in term {}", n.log_.last_term(),
                       n.current_term_);
  }
  return {};
}

std::string check_non_leader_state(const Node::Impl& n) {
  if (n.tracker_.has_progress()) return "progress while not leading";
  if (n.transfer_target_ != kNoNode) return "transfer while not leading";
  if (!n.pending_reads_.empty()) return "pending reads while not leading";
  if (n.has_lease()) return "lease while not leading";
  if (n.role_ == Role::kCandidate && n.voted_for_ != n.config_.id) {
    return fmt::format("candidate voted for {}", n.voted_for_);
  }
  if (n.leader_id_ == n.config_.id) return "non-leader names itself leader";
  return {};
}

}  // namespace

NodeObservation observe(const Node& node) {
  const Node::Impl& n = node.internals();
  return NodeObservation{n.config_.id,
                         n.current_term_,
                         n.voted_for_,
                         n.role_,
                         n.leader_id_,
                         n.log_.commit_index(),
                         n.log_.applied_index(),
                         n.log_.last_index(),
                         n.log_.snapshot_index(),
                         n.now_ticks_,
                         n.has_lease()};
}

std::string check_node_state(const Node& node) {
  const Node::Impl& n = node.internals();
  if (std::string why = n.log_.check(); !why.empty()) return "log: " + why;
  if (n.log_.last_term() > n.current_term_) {
    return fmt::format("last log term {} beyond current term {}", n.log_.last_term(),
                       n.current_term_);
  }
  if (n.current_term_ == 0 && n.voted_for_ != kNoNode) return "vote in term 0";
  if (n.membership_history_.empty()) return "empty membership history";
  for (std::size_t i = 1; i < n.membership_history_.size(); ++i) {
    if (n.membership_history_[i].index <= n.membership_history_[i - 1].index) {
      return "membership history out of order";
    }
  }
  if (n.membership_history_.back().membership != n.tracker_.membership()) {
    return "tracker membership differs from the latest configuration in the log";
  }
  if (n.membership_history_.back().index > n.log_.last_index()) {
    return "configuration beyond the log";
  }
  if (n.reported_hard_.current_term > n.current_term_) return "reported term ahead";
  if (n.randomized_election_timeout_ticks_ < n.config_.election_timeout_ticks ||
      n.randomized_election_timeout_ticks_ >= 2 * n.config_.election_timeout_ticks) {
    return fmt::format("randomized timeout {} outside [T, 2T)",
                       n.randomized_election_timeout_ticks_);
  }
  return n.role_ == Role::kLeader ? check_leader_state(n) : check_non_leader_state(n);
}

std::string check_node_transition(const NodeObservation& before, const NodeObservation& after) {
  if (before.id != after.id) return "observations of different nodes";
  if (after.term < before.term) {
    return fmt::format("node {}: term went back {} -> {}", after.id, before.term, after.term);
  }
  if (after.term == before.term && before.voted_for != kNoNode &&
      after.voted_for != before.voted_for) {
    return fmt::format("node {}: vote changed in term {}: {} -> {}", after.id, after.term,
                       before.voted_for, after.voted_for);
  }
  if (after.commit_index < before.commit_index) {
    return fmt::format("node {}: commit went back {} -> {}", after.id, before.commit_index,
                       after.commit_index);
  }
  if (after.applied_index < before.applied_index) {
    return fmt::format("node {}: applied went back {} -> {}", after.id, before.applied_index,
                       after.applied_index);
  }
  if (after.now_ticks < before.now_ticks) return fmt::format("node {}: time went back", after.id);
  // A candidate always starts a new term, so a leader is never a candidate in its own term. A
  // pre-candidate in the same term is legitimate: the leader stepped down (CheckQuorum) and
  // later started a pre-vote, which does not bump the term; two observations may be several
  // steps apart (a host catching up on missed ticks feeds them in one poll).
  if (after.term == before.term && before.role == Role::kLeader &&
      after.role == Role::kCandidate) {
    return fmt::format("node {}: leader became {} in its term", after.id, role_name(after.role));
  }
  if (after.term == before.term && before.leader_id != kNoNode && after.leader_id != kNoNode &&
      before.leader_id != after.leader_id) {
    return fmt::format("node {}: two leaders in term {}: {} and {}", after.id, after.term,
                       before.leader_id, after.leader_id);
  }
  return {};
}

}  // namespace quorum::raft
