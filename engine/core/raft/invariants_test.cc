#include "engine/core/raft/invariants.h"

#include <gtest/gtest.h>

namespace quorum::raft {
namespace {

NodeObservation leader_of_term(Term term) {
  NodeObservation o;
  o.id = 3;
  o.term = term;
  o.voted_for = 3;
  o.role = Role::kLeader;
  o.leader_id = 3;
  o.now_ticks = 100;
  return o;
}

TEST(NodeTransition, LeaderNeverBecomesCandidateInItsOwnTerm) {
  NodeObservation after = leader_of_term(2);
  after.role = Role::kCandidate;
  after.leader_id = kNoNode;
  EXPECT_NE(check_node_transition(leader_of_term(2), after), "");
  after.term = 3;  // a new term: fine
  EXPECT_EQ(check_node_transition(leader_of_term(2), after), "");
}

TEST(NodeTransition, SteppedDownLeaderMayStartAPreVoteInTheSameTerm) {
  // Several steps between two observations: CheckQuorum step-down, then a pre-vote (no term
  // bump). The sim observes once per wake, and a paused host catches up on ticks in one poll.
  NodeObservation after = leader_of_term(2);
  after.role = Role::kPreCandidate;
  after.leader_id = kNoNode;
  after.now_ticks = 113;
  EXPECT_EQ(check_node_transition(leader_of_term(2), after), "");
}

TEST(NodeTransition, TermAndCommitNeverGoBack) {
  NodeObservation after = leader_of_term(1);
  EXPECT_NE(check_node_transition(leader_of_term(2), after), "");
  NodeObservation before = leader_of_term(2);
  before.commit_index = 5;
  EXPECT_NE(check_node_transition(before, leader_of_term(2)), "");
}

}  // namespace
}  // namespace quorum::raft
