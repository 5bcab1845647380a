// Membership changes (single-server, thesis §4.1; effective when appended) and log compaction.
// Core: std and fmt only.
#include <algorithm>

#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

bool Node::Impl::membership_change_pending() const {
  return membership_history_.back().index > log_.commit_index();
}

ProposeResult Node::Impl::propose_membership(const MembershipChange& change) {
  ProposeResult out;
  if (role_ != Role::kLeader) {
    trace(TraceKind::kProposalRefused, leader_id_);
    out.code = ProposeResult::Code::kNotLeader;
    out.leader_hint = leader_id_;
    return out;
  }
  out.leader_hint = config_.id;
  if (transfer_target_ != kNoNode) {
    out.code = ProposeResult::Code::kTransferInProgress;
    return out;
  }
  if (refuse_when_unfit(out)) return out;
  // Thesis §4.1: one change at a time; the next waits until the previous one commits. A leader
  // also waits for its first commit, so that no change of a predecessor is still in doubt.
  if (membership_change_pending() || !committed_in_current_term()) {
    out.code = ProposeResult::Code::kBusy;
    out.reason = "a membership change is pending";
    return out;
  }
  std::string reason;
  std::optional<Membership> next = apply_change(tracker_.membership(), change, &reason);
  if (!next) {
    out.code = ProposeResult::Code::kInvalid;
    out.reason = reason;
    return out;
  }
  const EntryId id = append_entry(EntryKind::kMembership, {}, std::move(*next));
  out.index = id.index;
  out.term = id.term;
  QUORUM_ASSERT(membership_change_pending());
  return out;
}

void Node::Impl::on_membership_appended(const Entry& entry) {
  QUORUM_ASSERT(entry.kind == EntryKind::kMembership);
  QUORUM_ASSERT(entry.index > membership_history_.back().index);
  membership_history_.push_back({entry.index, entry.membership});
  apply_membership(entry.membership);
  trace(TraceKind::kMembershipApplied, kNoNode, entry.index);
}

void Node::Impl::on_entries_appended(const std::vector<Entry>& entries, LogIndex truncated_from) {
  if (truncated_from != 0) {
    // Configurations introduced by truncated entries are undone (thesis §4.1: a server uses the
    // latest configuration in its log, committed or not).
    bool changed = false;
    while (membership_history_.size() > 1 && membership_history_.back().index >= truncated_from) {
      membership_history_.pop_back();
      changed = true;
    }
    if (changed) apply_membership(membership_history_.back().membership);
  }
  for (const Entry& e : entries) {
    if (e.kind != EntryKind::kMembership) continue;
    if (e.index <= membership_history_.back().index || e.index > log_.last_index()) continue;
    on_membership_appended(e);
  }
}

void Node::Impl::apply_membership(const Membership& membership) {
  tracker_.set_membership(membership, log_.last_index() + 1, now_ticks_);
  if (role_ != Role::kLeader) return;
  if (transfer_target_ != kNoNode && !tracker_.membership().is_voter(transfer_target_)) {
    abort_transfer();
  }
  on_round_acked();  // the majority may have changed
}

const Membership& Node::Impl::membership_at(LogIndex index) const {
  QUORUM_ASSERT(!membership_history_.empty());
  QUORUM_ASSERT(index >= membership_history_.front().index, "membership at {} before {}", index,
                membership_history_.front().index);
  const MembershipEpoch* found = &membership_history_.front();
  for (const MembershipEpoch& epoch : membership_history_) {
    if (epoch.index > index) break;
    found = &epoch;
  }
  return found->membership;
}

void Node::Impl::maybe_step_down_after_removal() {
  if (role_ != Role::kLeader || tracker_.self_is_voter()) return;
  if (membership_change_pending()) return;
  // Thesis §4.2.2: a leader removed from the configuration steps down once the change commits.
  // It invites the most up-to-date remaining voter to campaign at once.
  const NodeId successor = best_transfer_target();
  if (successor != kNoNode && tracker_.progress(successor)->match_index() == log_.last_index()) {
    send(successor, TimeoutNow{round_});
  }
  become_follower(current_term_, kNoNode);
}

SnapshotMeta Node::Impl::snapshot_meta() const {
  return {log_.snapshot_index(), log_.snapshot_term(), membership_at(log_.snapshot_index())};
}

void Node::Impl::compact(LogIndex index, std::string data) {
  QUORUM_ASSERT(index > log_.snapshot_index(), "compact {} not after snapshot {}", index,
                log_.snapshot_index());
  QUORUM_ASSERT(index <= log_.applying_index(), "compact {} beyond applied {}", index,
                log_.applying_index());
  log_.compact(index);
  // Keep the configuration in force at the new boundary as the history's base.
  while (membership_history_.size() > 1 && membership_history_[1].index <= index) {
    membership_history_.pop_front();
  }
  membership_history_.front().index = std::max(membership_history_.front().index, index);
  snapshot_data_ = std::move(data);
  snapshot_to_report_ = Snapshot{snapshot_meta(), snapshot_data_};
  snapshot_received_ = false;
  QUORUM_ASSERT(log_.snapshot_index() == index);
}

}  // namespace quorum::raft
