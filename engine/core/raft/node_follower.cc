// Non-leader handlers: the election timer, RequestVote/PreVote receiver, AppendEntries receiver,
// InstallSnapshot receiver and TimeoutNow. Core: std and fmt only.
#include <algorithm>

#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

void Node::Impl::tick_election() {
  QUORUM_ASSERT(role_ != Role::kLeader);
  ++election_elapsed_ticks_;
  if (election_elapsed_ticks_ < randomized_election_timeout_ticks_) return;
  note_unfit_election_timeout();
  // Fig. 2, followers: "If election timeout elapses without receiving AppendEntries RPC from
  // current leader or granting vote to candidate: convert to candidate" (through PreVote).
  if (!can_campaign() || now_ticks_ < no_campaign_until_ticks_) {
    reset_election_timer();
    return;
  }
  campaign(false);
}

void Node::Impl::heard_from_leader(NodeId leader) {
  QUORUM_ASSERT(role_ == Role::kFollower);
  QUORUM_ASSERT(leader != kNoNode);
  if (leader_id_ != leader) {
    leader_round_seen_ = 0;
    answer_sends_.clear();  // rounds are numbered per leader
  }
  leader_id_ = leader;
  election_elapsed_ticks_ = 0;
  leader_contact_elapsed_ticks_ = 0;
  no_campaign_until_ticks_ = 0;
  unfit_timeouts_without_leader_ = 0;  // a leader is heard: degraded campaigns wait again
  unfit_campaign_allowed_ = false;
}

void Node::Impl::on_vote_request(const Message& m, const VoteRequest& request) {
  QUORUM_ASSERT(m.term >= current_term_);
  QUORUM_ASSERT(request.pre_vote || m.term == current_term_);
  // Fig. 2, RequestVote receiver, rule 2: grant if votedFor is null or candidateId, and the
  // candidate's log is at least as up-to-date as the receiver's. A node that follows a leader
  // of this term has no vote to give. A pre-vote for a later term is answered as that term's vote
  // would be (thesis §9.6), without recording anything.
  bool can_vote = voted_for_ == m.from || (voted_for_ == kNoNode && leader_id_ == kNoNode) ||
                  (request.pre_vote && m.term > current_term_);
  if (mutation_on(config_.mutation, Mutation::kDoubleVote) && leader_id_ == kNoNode) {
    can_vote = true;  // planted bug (b): a second vote in the same term
  }
  const bool up_to_date = log_.is_up_to_date(request.last_log_index, request.last_log_term);
  if (can_vote && up_to_date) {
    if (!request.pre_vote) {
      voted_for_ = m.from;
      // Fig. 2, followers: granting a vote resets the election timer.
      election_elapsed_ticks_ = 0;
      trace(TraceKind::kVoteGranted, m.from);
    }
    send_at(m.from, m.term, VoteResponse{request.pre_vote, true});
    QUORUM_ASSERT(request.pre_vote || voted_for_ == m.from);
    return;
  }
  trace(request.pre_vote ? TraceKind::kPreVoteRefused : TraceKind::kVoteRefused, m.from);
  send(m.from, VoteResponse{request.pre_vote, false});
}

void Node::Impl::on_append_request(const Message& m, const AppendRequest& request) {
  QUORUM_ASSERT(role_ == Role::kFollower);
  QUORUM_ASSERT(m.term == current_term_);
  heard_from_leader(m.from);
  leader_round_seen_ = std::max(leader_round_seen_, request.round);
  on_session_confirmed(m.from, request.session_acked_round, request.leader_commit);
  if (request.prev_log_index < log_.snapshot_index()) {
    // Everything up to our commit index is committed, hence identical in the leader's log.
    send(m.from, AppendResponse{true, log_.commit_index(), 0, 0, 0, request.round});
    return;
  }
  // Fig. 2, AppendEntries receiver, rule 2: reply false if the log does not contain an entry at
  // prevLogIndex whose term matches prevLogTerm.
  bool matched = log_.matches(request.prev_log_index, request.prev_log_term);
  if (!matched && mutation_on(config_.mutation, Mutation::kAcceptMismatchedPrev) &&
      request.prev_log_index <= log_.last_index()) {
    matched = true;  // planted bug (f)
  }
  if (!matched) return reject_append(m, request);
  const LogIndex old_last = log_.last_index();
  const LogIndex truncated_from = log_.append_after_match(
      request.entries, mutation_on(config_.mutation, Mutation::kAcceptMismatchedPrev));
  if (truncated_from != 0) trace(TraceKind::kConflictTruncated, m.from, truncated_from);
  if (truncated_from != 0 || log_.last_index() != old_last) {
    on_entries_appended(request.entries, truncated_from);
  }
  // Fig. 2, AppendEntries receiver, rule 5: commitIndex = min(leaderCommit, last new entry).
  const LogIndex last_new = request.prev_log_index + request.entries.size();
  QUORUM_ASSERT(last_new <= log_.last_index());
  log_.commit_to(std::min(request.leader_commit, last_new));
  send(m.from, AppendResponse{true, last_new, 0, 0, 0, request.round});
}

void Node::Impl::reject_append(const Message& m, const AppendRequest& request) {
  // Fast back-off (§5.3, end): name the last index whose term is <= prev_log_term, so the leader
  // can skip a whole conflicting term (or the missing tail) in one round trip.
  const LogIndex hint_index = log_.find_conflict_by_term(
      std::min(request.prev_log_index, log_.last_index()), request.prev_log_term);
  const Term hint_term = log_.term_at(hint_index).value_or(0);
  QUORUM_ASSERT(hint_index <= request.prev_log_index);
  trace(TraceKind::kAppendRejected, m.from, request.prev_log_index);
  send(m.from,
       AppendResponse{false, 0, request.prev_log_index, hint_index, hint_term, request.round});
}

void Node::Impl::on_snapshot_request(const Message& m, const SnapshotRequest& request) {
  QUORUM_ASSERT(role_ == Role::kFollower);
  QUORUM_ASSERT(m.term == current_term_);
  heard_from_leader(m.from);
  leader_round_seen_ = std::max(leader_round_seen_, request.round);
  const SnapshotMeta& meta = request.snapshot.meta;
  QUORUM_ASSERT(meta.last_index > 0);
  if (meta.last_index <= log_.commit_index()) {
    send(m.from, AppendResponse{true, log_.commit_index(), 0, 0, 0, request.round});
    return;
  }
  if (log_.matches(meta.last_index, meta.last_term)) {
    // Raft §7: the snapshot describes a prefix of our log; keep the entries after it.
    log_.commit_to(meta.last_index);
    send(m.from, AppendResponse{true, meta.last_index, 0, 0, 0, request.round});
    return;
  }
  // Raft §7: discard the entire log and restore from the snapshot.
  log_.restore_snapshot(meta);
  membership_history_.clear();
  membership_history_.push_back({meta.last_index, meta.membership});
  apply_membership(meta.membership);
  snapshot_data_ = request.snapshot.data;
  snapshot_to_report_ = request.snapshot;
  snapshot_received_ = true;
  trace(TraceKind::kSnapshotInstalled, m.from, meta.last_index);
  send(m.from, AppendResponse{true, meta.last_index, 0, 0, 0, request.round});
  QUORUM_ASSERT(log_.last_index() == meta.last_index);
}

void Node::Impl::on_timeout_now(const Message& m, const TimeoutNow& timeout_now) {
  QUORUM_ASSERT(m.term == current_term_);
  QUORUM_ASSERT(role_ == Role::kFollower);
  // Thesis §3.10: the leader asks this node to campaign at once. It skips PreVote and marks its
  // vote requests so that voters bypass stickiness. Only the leader we follow may ask, and not
  // with a request older than a round it sent since (an aborted transfer; see has_lease). A node
  // that restarted has no leader yet and ignores it too.
  if (m.from != leader_id_ || timeout_now.round < leader_round_seen_) return;
  if (!can_campaign()) return;
  campaign_transfer_round_ = timeout_now.round;
  campaign(true);
}

}  // namespace quorum::raft
