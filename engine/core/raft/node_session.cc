// Controller sessions on the Raft messages (session.h, docs/ownership.md "How renewals travel"):
// every AppendResponse is a keepalive, every AppendRequest confirms the newest one the leader
// received while it held its lease. No message and no log entry is added for sessions, so their
// cost per controller does not depend on how many clusters it owns. Core: std and fmt only.
#include <algorithm>

#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

void Node::Impl::stamp_session(NodeId to, Term term, MessageBody& body) {
  if (auto* request = std::get_if<AppendRequest>(&body)) {
    if (role_ != Role::kLeader) return;
    const Progress* pr = tracker_.progress(to);
    if (pr != nullptr) request->session_acked_round = pr->session_confirmed_round;
    return;
  }
  auto* answer = std::get_if<AppendResponse>(&body);
  if (answer == nullptr) return;
  // Capped by the host while a local guard holds a cluster this node released (node.h).
  answer->applied_index = std::min(log_.applied_index(), applied_report_cap_);
  answer->session_start_index = session_.start_index();
  answer->session_generation = session_.generation();
  // Only answers to the current leader of this term can be confirmed; each round keeps the tick
  // of its *first* answer (any later answer to it left later, so the earliest is the safe anchor).
  if (role_ != Role::kFollower || to != leader_id_ || term != current_term_) return;
  if (answer->round == 0) return;
  if (!answer_sends_.empty() && answer_sends_.back().round >= answer->round) return;
  answer_sends_.push_back({answer->round, now_ticks_});
  if (answer_sends_.size() > kAnswerSendsMax) answer_sends_.pop_front();
}

void Node::Impl::on_session_confirmed(NodeId leader, std::uint64_t acked_round,
                                      LogIndex leader_commit) {
  QUORUM_ASSERT(role_ == Role::kFollower && leader == leader_id_);
  if (acked_round == 0) return;
  const auto it = std::find_if(answer_sends_.begin(), answer_sends_.end(),
                               [&](const RoundStart& r) { return r.round == acked_round; });
  // Evicted, or answered before a restart / under another leader: nothing to anchor on.
  if (it == answer_sends_.end()) return;
  // The generation's start must cover every entry committed so far, not only what this node
  // knows: a restarted node's own commit index can be far behind, and a grant it replays from
  // its log may have been superseded (a takeover committed while it was down). The confirming
  // leader has committed an entry of its term, so its commit index covers them all.
  session_.renew(it->send_ticks, now_ticks_, std::max(log_.commit_index(), leader_commit));
}

void Node::Impl::on_session_keepalive(NodeId peer, const AppendResponse& response) {
  QUORUM_ASSERT(role_ == Role::kLeader);
  Progress* pr = tracker_.progress(peer);
  if (pr == nullptr) return;  // removed while the answer travelled
  PeerSession& s = pr->session;
  s.heard = true;
  s.last_keepalive_ticks = now_ticks_;
  // Answers may arrive reordered; each reported value only grows at its sender.
  s.applied_index = std::max(s.applied_index, response.applied_index);
  s.session_start_index = std::max(s.session_start_index, response.session_start_index);
  s.session_generation = std::max(s.session_generation, response.session_generation);
  // Confirm only what arrived while no other leader can exist (the lease's guarantee): a leader
  // that may have been deposed must not extend anyone's session.
  // And only once an entry of its term is committed: its commit index (which the confirmation
  // carries as leader_commit) then covers every entry any earlier leader committed.
  if (has_lease() && committed_in_current_term() && response.round <= round_) {
    pr->session_confirmed_round = std::max(pr->session_confirmed_round, response.round);
  }
}

void Node::Impl::send_commit_notifications() {
  QUORUM_ASSERT(role_ == Role::kLeader && prompt_session_hops());
  // A heartbeat's prev is the follower's known match and rule 5 caps its commit there: a
  // follower learns something only if min(match, commit) is past what it was sent. At most one
  // message per follower per Ready, however often the commit index moved since the last one.
  for (auto& [peer, pr] : tracker_.progress_map()) {
    if (pr.state() != ProgressState::kReplicate) continue;
    if (std::min(pr.match_index(), log_.commit_index()) <= pr.commit_sent_index) continue;
    send_heartbeat(peer, pr);
  }
}

void Node::Impl::report_applied() {
  if (!prompt_session_hops() || role_ != Role::kFollower || leader_id_ == kNoNode) return;
  // Success at our commit index: committed entries are in the leader's log (leader
  // completeness), so the match it claims is true; stamp_session adds the applied index. Round
  // 0: the report answers no heartbeat round, so it neither acks a lease round, nor frees an
  // append window slot, nor is confirmed as a keepalive (leader_round_seen_ would also read
  // "everything seen" after a restart until a leader is heard).
  send(leader_id_, AppendResponse{true, log_.commit_index(), 0, 0, 0, 0});
}

}  // namespace quorum::raft
