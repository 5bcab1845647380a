// Membership changes and learners (issue 2 item 8, thesis §4.1-§4.2).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;
using Kind = MembershipChange::Kind;

NodeId follower_of(Cluster& c, NodeId l, NodeId skip = kNoNode) {
  for (NodeId id : c.ids()) {
    if (id != l && id != skip) return id;
  }
  return kNoNode;
}

TEST(NodeMembership, AddedVoterReceivesTheLogAndCountsInQuorums) {
  Cluster c(3);
  const NodeId l = c.elect();
  ASSERT_EQ(c.node(l).propose("before").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  c.add_node(4, Membership{});
  ProposeResult r = c.node(l).propose_membership({Kind::kAddVoter, 4, 1});
  ASSERT_EQ(r.code, ProposeResult::Code::kAccepted);
  c.tick(3);
  EXPECT_TRUE(c.node(4).membership().is_voter(4));
  EXPECT_EQ(c.node(l).membership().voter_count(), 4u);
  ASSERT_EQ(c.applied(4).size(), 1u);
  // With 4 voters a majority is 3: the leader and one follower are no longer enough.
  c.isolate(4);
  c.isolate(follower_of(c, l, 4));
  ASSERT_EQ(c.node(l).propose("after").code, ProposeResult::Code::kAccepted);
  const LogIndex commit = c.node(l).commit_index();
  c.tick(3);
  EXPECT_EQ(c.node(l).commit_index(), commit);
}

TEST(NodeMembership, OnlyOneUncommittedChangeAtATime) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  c.isolate(l);
  ASSERT_EQ(c.node(l).propose_membership({Kind::kAddLearner, 4, 1}).code,
            ProposeResult::Code::kAccepted);
  ProposeResult r = c.node(l).propose_membership({Kind::kAddLearner, 5, 1});
  EXPECT_EQ(r.code, ProposeResult::Code::kBusy);
  EXPECT_FALSE(r.reason.empty());
}

TEST(NodeMembership, InvalidChangeIsRefusedWithReason) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  ProposeResult r = c.node(l).propose_membership({Kind::kAddVoter, l, 1});
  EXPECT_EQ(r.code, ProposeResult::Code::kInvalid);
  EXPECT_NE(r.reason.find("already"), std::string::npos);
  r = c.node(l).propose_membership({Kind::kPromoteLearner, 2, 1});
  EXPECT_EQ(r.code, ProposeResult::Code::kInvalid);
}

TEST(NodeMembership, FollowerRefusesMembershipProposal) {
  Cluster c(3);
  const NodeId l = c.elect();
  ProposeResult r = c.node(follower_of(c, l)).propose_membership({Kind::kAddLearner, 4, 1});
  EXPECT_EQ(r.code, ProposeResult::Code::kNotLeader);
  EXPECT_EQ(r.leader_hint, l);
}

TEST(NodeMembership, ChangeTakesEffectWhenAppendedNotWhenCommitted) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  const NodeId f = follower_of(c, l);
  // The follower receives the entry, but acknowledgements are lost: nothing commits.
  c.set_drop([](const Message& m) { return std::holds_alternative<AppendResponse>(m.body); });
  ASSERT_EQ(c.node(l).propose_membership({Kind::kAddLearner, 4, 1}).code,
            ProposeResult::Code::kAccepted);
  c.stabilize();
  EXPECT_TRUE(c.node(f).membership().is_learner(4));
  EXPECT_LT(c.node(f).commit_index(), c.node(f).last_index());
}

TEST(NodeMembership, LearnerReplicatesButNeverVotesNorCampaigns) {
  Membership m = testing::voters({1, 2, 3});
  m.members.push_back({4, MemberRole::kLearner, 1});
  Cluster c(m, {}, 1);
  const NodeId l = c.elect();
  ASSERT_NE(l, NodeId{4});
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  EXPECT_EQ(c.applied(4).size(), 1u);
  // The learner is not in the quorum: leader + learner cannot commit.
  c.isolate(follower_of(c, l, 4));
  c.isolate(follower_of(c, l, follower_of(c, l, 4)));
  c.heal();
  for (NodeId id : c.ids()) {
    if (id != l && id != 4) c.isolate(id);
  }
  ASSERT_EQ(c.node(l).propose("y").code, ProposeResult::Code::kAccepted);
  const LogIndex commit = c.node(l).commit_index();
  c.tick(3);
  EXPECT_EQ(c.node(l).commit_index(), commit);
  // Alone, the learner never campaigns.
  c.heal();
  c.isolate(4);
  const Term t = c.node(4).term();
  c.tick_node(4, 100);
  EXPECT_EQ(c.node(4).role(), Role::kFollower);
  EXPECT_EQ(c.node(4).term(), t);
}

TEST(NodeMembership, PromotedLearnerBecomesVoter) {
  Membership m = testing::voters({1, 2, 3});
  m.members.push_back({4, MemberRole::kLearner, 1});
  Cluster c(m, {}, 1);
  const NodeId l = c.elect();
  c.stabilize();
  ASSERT_EQ(c.node(l).propose_membership({Kind::kPromoteLearner, 4, 1}).code,
            ProposeResult::Code::kAccepted);
  c.tick(2);
  for (NodeId id : c.ids()) EXPECT_TRUE(c.node(id).membership().is_voter(4));
}

TEST(NodeMembership, RemovedFollowerIsIgnored) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  const NodeId gone = follower_of(c, l);
  const NodeId stays = follower_of(c, l, gone);
  ASSERT_EQ(c.node(l).propose_membership({Kind::kRemove, gone, 1}).code,
            ProposeResult::Code::kAccepted);
  c.tick(2);
  EXPECT_EQ(c.node(l).membership().find(gone), nullptr);
  ASSERT_EQ(c.node(stays).membership().find(gone), nullptr);
  const Term t = c.node(l).term();
  // The leader stops replicating to the removed node at once (it may never learn of its
  // removal). A forced vote request does not depose it (the leader refuses a campaign it did
  // not invite), and PreVote keeps the removed node's own term.
  c.node(l).step(testing::msg(gone, l, t + 5, VoteRequest{false, 100, t, true}));
  EXPECT_EQ(c.node(l).term(), t);

  // An append from the removed node with a higher term would depose the live leader that
  // `stays` follows: it is ignored (no answer, no new term, same leader).
  c.node(stays).step(testing::msg(gone, stays, t + 5, AppendRequest{0, 0, {}, 0, 1}));
  Ready r = testing::drain(c.node(stays));
  EXPECT_TRUE(testing::all_messages(r).empty());
  EXPECT_EQ(c.node(stays).term(), t);
  EXPECT_EQ(c.node(stays).leader_id(), l);

  // Vote requests from the removed node are answered like any other once no leader is heard
  // (thesis §4.2.3; NodeStickiness.NonMemberVoteRequestsAreAnsweredOnlyWhenNoLeaderIsHeard):
  // ignoring them deadlocked groups whose voters lagged behind a promotion (swarm seeds 1056,
  // 1104). What keeps the group safe is that the removed node's log lacks its removal, so a
  // majority that applied it refuses it as not up to date, and it never leads again.
  c.crash(l);
  c.tick_node(stays, c.node(stays).internals().config_.election_timeout_ticks);
  c.restart(l);
  c.tick(100);
  EXPECT_NE(c.leader(), kNoNode);
  EXPECT_NE(c.leader(), gone);
  // It may have campaigned while no leader was heard (its term may have moved), but it does not
  // lead: its log lacks its own removal.
  EXPECT_NE(c.node(gone).role(), Role::kLeader);
}

TEST(NodeMembership, RemovedLeaderStepsDownAfterTheChangeCommits) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  ASSERT_EQ(c.node(l).propose_membership({Kind::kRemove, l, 1}).code,
            ProposeResult::Code::kAccepted);
  EXPECT_EQ(c.node(l).role(), Role::kLeader);  // still leads while the change is uncommitted
  c.stabilize();
  EXPECT_NE(c.node(l).role(), Role::kLeader);
  const NodeId l2 = c.elect(100);
  ASSERT_NE(l2, kNoNode);
  EXPECT_NE(l2, l);
  ASSERT_EQ(c.node(l2).propose("z").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  EXPECT_EQ(c.node(l2).commit_index(), c.node(l2).last_index());
}

TEST(NodeMembership, TruncatedChangeIsUndone) {
  // A follower that appended an uncommitted configuration from a deposed leader reverts it when
  // the new leader overwrites the entry.
  PersistedState s;
  s.hard_state.current_term = 1;
  s.entries = {testing::entry(1, 1)};
  auto n = testing::quiet_voter(1, testing::voters({1, 2, 3}), {}, s);
  Entry change{1, 2, EntryKind::kMembership, {}, testing::voters({1, 2, 3, 4})};
  n->step(testing::msg(2, 1, 1, AppendRequest{1, 1, {change}, 1, 1}));
  testing::drain(*n);
  EXPECT_TRUE(n->membership().is_voter(4));
  n->step(testing::msg(3, 1, 2, AppendRequest{1, 1, {testing::entry(2, 2)}, 1, 1}));
  Ready r = testing::drain(*n);
  EXPECT_FALSE(n->membership().is_voter(4));
  EXPECT_EQ(n->membership().voter_count(), 3u);
  ASSERT_FALSE(r.trace_events.empty());
  EXPECT_EQ(r.trace_events[0].kind, TraceKind::kConflictTruncated);
}

}  // namespace
}  // namespace quorum::raft
