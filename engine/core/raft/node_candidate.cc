// PreVote (thesis §9.6) and elections (Raft §5.2). Core: std and fmt only.
#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

void Node::Impl::campaign(bool leadership_transfer) {
  QUORUM_ASSERT(role_ != Role::kLeader);
  QUORUM_ASSERT(can_campaign());
  const bool pre_vote = config_.pre_vote && !leadership_transfer &&
                        !mutation_on(config_.mutation, Mutation::kNoPreVote);
  if (pre_vote) {
    become_pre_candidate();
  } else {
    become_candidate(leadership_transfer);
  }
  broadcast_vote_request(pre_vote, leadership_transfer);
  on_vote_result();  // a single-voter group wins at once
}

void Node::Impl::broadcast_vote_request(bool pre_vote, bool leadership_transfer) {
  // A pre-vote asks about the term the node would campaign in, without having moved to it.
  const Term term = pre_vote ? current_term_ + 1 : current_term_;
  const VoteRequest request{pre_vote, log_.last_index(), log_.last_term(), leadership_transfer,
                            leadership_transfer ? campaign_transfer_round_ : 0};
  for (NodeId voter : tracker_.voters()) {
    if (voter == config_.id) continue;
    send_at(voter, term, request);
  }
}

void Node::Impl::on_vote_response(const Message& m, const VoteResponse& response) {
  QUORUM_ASSERT(role_ == Role::kPreCandidate || role_ == Role::kCandidate);
  const bool expecting_pre_vote = role_ == Role::kPreCandidate;
  if (response.pre_vote != expecting_pre_vote) return;  // left over from another phase
  if (expecting_pre_vote) {
    // Grants carry the term we asked about; refusals carry the voter's term, which after term
    // settlement is ours.
    const Term expected = response.granted ? current_term_ + 1 : current_term_;
    if (m.term != expected) return;
  } else if (m.term != current_term_) {
    return;
  }
  tracker_.record_vote(m.from, response.granted);
  on_vote_result();
}

void Node::Impl::on_vote_result() {
  switch (tracker_.tally()) {
    case VoteResult::kPending:
      return;
    case VoteResult::kWon:
      if (role_ == Role::kPreCandidate) {
        become_candidate(false);
        broadcast_vote_request(false, false);
        on_vote_result();
      } else {
        become_leader();
      }
      return;
    case VoteResult::kLost:
      // Stay in this term as a follower and wait for a leader or the next timeout.
      become_follower(current_term_, kNoNode);
      return;
  }
  QUORUM_UNREACHABLE();
}

}  // namespace quorum::raft
