// Leadership transfer, forced step-down and priority (issue 2 item 7, thesis §3.10).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

NodeId other_than(Cluster& c, NodeId a, NodeId b = kNoNode) {
  for (NodeId id : c.ids()) {
    if (id != a && id != b) return id;
  }
  return kNoNode;
}

TEST(NodeTransfer, TransfersToNamedNode) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId target = other_than(c, l);
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  c.stabilize();
  EXPECT_EQ(c.leader(), target);
  EXPECT_EQ(c.node(l).role(), Role::kFollower);
  EXPECT_EQ(c.count_traces(target, TraceKind::kTransferCompleted), 1u);
  EXPECT_EQ(c.count_traces(l, TraceKind::kTransferStarted), 1u);
}

TEST(NodeTransfer, TransferToBestPicksMostUpToDateVoter) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId lagging = other_than(c, l);
  const NodeId best = other_than(c, l, lagging);
  c.isolate(lagging);
  c.tick(2);  // not enough for CheckQuorum
  c.heal();
  c.cut(l, lagging);
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  ASSERT_EQ(c.node(l).transfer_leadership(kNoNode), RequestResult::kOk);
  c.stabilize();
  EXPECT_EQ(c.leader(), best);
}

TEST(NodeTransfer, TieOnMatchGoesToHigherPriorityThenLowerId) {
  // Node 1 leads with the top priority (so no priority transfer moves it); every other voter is
  // caught up (a tie on match). Nodes 3 and 4 share the highest priority among them: the higher
  // priority beats node 2's lower id, and among 3 and 4 the lower id wins. Whatever the seed
  // elects first, leadership is moved to node 1 before the transfer under test.
  Membership m = testing::voters({1, 2, 3, 4});
  m.members[0].priority = 9;  // node 1
  m.members[2].priority = 5;  // node 3
  m.members[3].priority = 5;  // node 4
  Cluster c(m, {}, 3);
  const NodeId first = c.elect();
  ASSERT_NE(first, kNoNode);
  if (first != 1) {
    ASSERT_EQ(c.node(first).transfer_leadership(1), RequestResult::kOk);
    c.stabilize();
  }
  ASSERT_EQ(c.leader(), NodeId{1});
  c.tick(2);
  for (NodeId id : {2, 3, 4}) {
    ASSERT_EQ(c.node(id).last_index(), c.node(1).last_index()) << "node " << id << " lags";
  }
  ASSERT_EQ(c.node(1).transfer_leadership(kNoNode), RequestResult::kOk);
  c.stabilize();
  EXPECT_EQ(c.leader(), NodeId{3});
}

TEST(NodeTransfer, ProposalsArePausedDuringTransfer) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId target = other_than(c, l);
  c.cut(l, target);  // the target cannot catch up, the transfer stays pending
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  EXPECT_TRUE(c.node(l).transfer_in_progress());
  EXPECT_EQ(c.node(l).propose("y").code, ProposeResult::Code::kTransferInProgress);
  EXPECT_EQ(c.node(l).transfer_leadership(target), RequestResult::kTransferInProgress);
}

TEST(NodeTransfer, TransferAbortsAfterTimeoutAndProposalsResume) {
  Cluster c(3, [](RaftConfig& cfg) { cfg.transfer_timeout_ticks = 4; });
  const NodeId l = c.elect();
  const NodeId target = other_than(c, l);
  c.cut(l, target);
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  c.tick(4);
  EXPECT_FALSE(c.node(l).transfer_in_progress());
  EXPECT_EQ(c.count_traces(l, TraceKind::kTransferAborted), 1u);
  EXPECT_EQ(c.node(l).role(), Role::kLeader);
  EXPECT_EQ(c.node(l).propose("y").code, ProposeResult::Code::kAccepted);
}

TEST(NodeTransfer, LeaseRenewsAfterAbortOnceAMajorityAcksALaterRound) {
  Cluster c(3, [](RaftConfig& cfg) { cfg.transfer_timeout_ticks = 4; });
  const NodeId l = c.elect();
  c.tick(2);
  const NodeId target = other_than(c, l);
  c.isolate(target);  // caught up, but TimeoutNow will be lost
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  EXPECT_FALSE(c.node(l).has_lease());
  c.tick(4);
  ASSERT_FALSE(c.node(l).transfer_in_progress());
  c.tick(2);
  EXPECT_TRUE(c.node(l).has_lease());
  // The delayed TimeoutNow is ignored now that the target saw a later round.
  c.heal();
  c.tick(2);
  const Term t = c.node(l).term();
  c.node(target).step(testing::msg(l, target, t, TimeoutNow{0}));
  EXPECT_EQ(c.node(target).role(), Role::kFollower);
  EXPECT_EQ(c.leader(), l);
}

TEST(NodeTransfer, LeaderRefusesAStaleTransferCampaignAfterAbort) {
  Cluster c(3, [](RaftConfig& cfg) { cfg.transfer_timeout_ticks = 4; });
  const NodeId l = c.elect();
  c.tick(2);
  const NodeId target = other_than(c, l);
  c.isolate(target);
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  const std::uint64_t stale_round = c.node(l).internals().timeout_now_round_;
  c.tick(6);
  ASSERT_FALSE(c.node(l).transfer_in_progress());
  ASSERT_TRUE(c.node(l).has_lease());
  const Term t = c.node(l).term();
  c.node(l).step(testing::msg(target, l, t + 1, VoteRequest{false, 100, t, true, stale_round}));
  EXPECT_EQ(c.node(l).role(), Role::kLeader);
  EXPECT_EQ(c.node(l).term(), t);
  EXPECT_TRUE(c.node(l).has_lease());
}

TEST(NodeTransfer, RoundsAreFrozenWhileTimeoutNowIsOut) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(2);
  const NodeId target = other_than(c, l);
  c.isolate(target);
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  const std::uint64_t round = c.node(l).internals().round_;
  std::size_t timeout_nows = 0;
  c.set_observer([&](const Message& m) { timeout_nows += std::holds_alternative<TimeoutNow>(m.body); });
  c.heal();
  c.cut(l, target);
  c.tick(3);
  EXPECT_EQ(c.node(l).internals().round_, round);
  EXPECT_EQ(c.node(l).read_index(9).code, ReadResult::Code::kNoLeaseYet);
  c.heal();
  c.tick(1);  // the repeated TimeoutNow gets through
  EXPECT_EQ(c.leader(), target);
}

TEST(NodeTransfer, LaggingTargetIsCaughtUpAtOnce) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(2);
  const NodeId target = other_than(c, l);
  c.isolate(target);
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.tick(1);
  c.heal();
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  c.stabilize();  // no tick needed
  EXPECT_EQ(c.leader(), target);
}

TEST(NodeTransfer, LeaseEndsWhenTransferStarts) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(2);
  ASSERT_TRUE(c.node(l).has_lease());
  const NodeId target = other_than(c, l);
  c.cut(l, target);
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  EXPECT_FALSE(c.node(l).has_lease());
}

TEST(NodeTransfer, RequestsAreValidated) {
  Membership m = testing::voters({1, 2, 3});
  m.members.push_back({4, MemberRole::kLearner, 1});
  m.members[2].priority = 0;
  Cluster c(m, {}, 1);
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  const NodeId f = l == 1 ? 2 : 1;
  EXPECT_EQ(c.node(f).transfer_leadership(l), RequestResult::kNotLeader);
  EXPECT_EQ(c.node(l).transfer_leadership(l), RequestResult::kAlreadyLeader);
  EXPECT_EQ(c.node(l).transfer_leadership(4), RequestResult::kNoSuchVoter);  // learner
  EXPECT_EQ(c.node(l).transfer_leadership(9), RequestResult::kNoSuchVoter);
  if (l != 3) {
    EXPECT_EQ(c.node(l).transfer_leadership(3), RequestResult::kNoSuchVoter);  // priority 0
  }
}

TEST(NodeTransfer, NoCandidateInSingleNodeGroup) {
  Cluster c(1);
  c.elect();
  EXPECT_EQ(c.node(1).transfer_leadership(kNoNode), RequestResult::kNoCandidate);
}

TEST(NodeStepDown, LeaderHandsOverToCaughtUpVoter) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(2);
  const Term t = c.node(l).term();
  ASSERT_EQ(c.node(l).step_down(), RequestResult::kOk);
  EXPECT_EQ(c.node(l).role(), Role::kFollower);
  c.stabilize();
  EXPECT_EQ(c.count_traces(l, TraceKind::kForcedStepDown), 1u);
  const NodeId l2 = c.leader();
  ASSERT_NE(l2, kNoNode);
  EXPECT_NE(l2, l);
  EXPECT_EQ(c.node(l2).term(), t + 1);
}

TEST(NodeStepDown, FormerLeaderDoesNotCampaignForTwoTimeouts) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(2);
  c.isolate(l);  // nobody to hand over to
  ASSERT_EQ(c.node(l).step_down(), RequestResult::kOk);
  for (int i = 0; i < 20; ++i) {
    c.tick_node(l);
    EXPECT_EQ(c.node(l).role(), Role::kFollower);
  }
  c.tick_node(l, 20);
  EXPECT_NE(c.node(l).role(), Role::kFollower);  // then it may campaign again
}

TEST(NodeStepDown, OthersElectANewLeaderWhenNoVoterIsCaughtUp) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(2);
  for (NodeId id : c.ids()) {
    if (id != l) c.cut(l, id);
  }
  ASSERT_EQ(c.node(l).propose("unreplicated").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  ASSERT_EQ(c.node(l).step_down(), RequestResult::kOk);
  c.heal();
  c.tick(40);
  const NodeId l2 = c.leader();
  ASSERT_NE(l2, kNoNode);
  EXPECT_NE(l2, l);
}

TEST(NodeStepDown, FollowerCannotStepDown) {
  Cluster c(3);
  const NodeId l = c.elect();
  EXPECT_EQ(c.node(other_than(c, l)).step_down(), RequestResult::kNotLeader);
}

TEST(NodePriority, LeaderTransfersToCaughtUpHigherPriorityVoter) {
  Membership m = testing::voters({1, 2, 3});
  m.members[1].priority = 9;  // node 2
  Cluster c(m, {}, 5);
  c.elect();
  c.tick(40);
  EXPECT_EQ(c.leader(), NodeId{2});
}

TEST(NodePriority, PriorityZeroNeverCampaigns) {
  Membership m = testing::voters({1, 2, 3});
  m.members[0].priority = 0;
  m.members[1].priority = 0;
  Cluster c(m, {}, 5);
  EXPECT_EQ(c.elect(), NodeId{3});
  c.crash(3);
  c.tick(200);
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  EXPECT_EQ(c.node(2).role(), Role::kFollower);
  EXPECT_EQ(c.node(1).term(), c.node(2).term());
}

TEST(NodePriority, EqualPrioritiesDoNotTransfer) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(50);
  EXPECT_EQ(c.leader(), l);
  EXPECT_EQ(c.count_traces(l, TraceKind::kTransferStarted), 0u);
}

}  // namespace
}  // namespace quorum::raft
