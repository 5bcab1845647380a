// Backend health as a core input (Galera issue, DESIGN invariant 8): an unfit node does not
// campaign, a leader that turns unfit hands leadership to a fit voter or steps down.
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

std::size_t campaigns_of(Cluster& c, NodeId id) {
  return c.count_traces(id, TraceKind::kPreVoteStarted) +
         c.count_traces(id, TraceKind::kElectionStarted);
}

TEST(NodeHealth, OnlyTheFitNodeIsElectedAndUnfitNodesNeverCampaign) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Cluster c(3, {}, seed);
    c.node(1).set_backend_healthy(false);
    c.node(2).set_backend_healthy(false);
    EXPECT_EQ(c.elect(), NodeId{3}) << "seed " << seed;
    c.tick(50);
    EXPECT_EQ(c.leader(), NodeId{3});
    EXPECT_EQ(campaigns_of(c, 1), 0u);
    EXPECT_EQ(campaigns_of(c, 2), 0u);
  }
}

TEST(NodeHealth, EveryBackendUnfitAnUnfitLeaderIsElectedAfterTwoTimeoutsAndIsReadOnly) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Cluster c(3, {}, seed);
    for (NodeId id : c.ids()) c.node(id).set_backend_healthy(false);
    // Nobody campaigns within the first two election timeouts (a fit node would have won by
    // then), but a leader is elected after them: degraded mode keeps electing.
    c.tick(2 * 10 - 1);
    for (NodeId id : c.ids()) EXPECT_EQ(campaigns_of(c, id), 0u) << "seed " << seed;
    const NodeId l = c.elect();
    ASSERT_NE(l, kNoNode) << "seed " << seed;
    EXPECT_EQ(c.count_traces(l, TraceKind::kUnfitCampaign), 1u);
    c.tick(30);
    EXPECT_EQ(c.leader(), l) << "a degraded leader keeps leading (no fit voter to hand to)";
    // Read-only: commands and membership changes are refused, reads are served.
    const ProposeResult refused = c.node(l).propose("x");
    EXPECT_EQ(refused.code, ProposeResult::Code::kDegraded);
    EXPECT_NE(refused.reason.find("degraded mode"), std::string::npos) << refused.reason;
    EXPECT_EQ(c.node(l).propose_membership({MembershipChange::Kind::kAddLearner, 4, 1}).code,
              ProposeResult::Code::kDegraded);
    EXPECT_EQ(c.node(l).read_index(7).code, ReadResult::Code::kPending);
  }
}

TEST(NodeHealth, WhenABackendRecoversInDegradedModeLeadershipMovesToItAndWritesResume) {
  Cluster c(3);
  const NodeId first = c.elect();
  ASSERT_EQ(c.node(first).propose("acknowledged").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  const LogIndex committed = c.node(first).commit_index();
  for (NodeId id : c.ids()) c.node(id).set_backend_healthy(false);
  c.tick(60);
  const NodeId degraded = c.leader();
  ASSERT_NE(degraded, kNoNode);
  const NodeId fit = other_than(c, degraded);
  c.node(fit).set_backend_healthy(true);
  c.tick(20);  // a heartbeat answer says fit; the hand-over takes at most a transfer timeout
  EXPECT_EQ(c.leader(), fit);
  EXPECT_EQ(c.node(fit).propose("after").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  for (NodeId id : c.ids()) EXPECT_GE(c.node(id).commit_index(), committed + 1) << "node " << id;
}

TEST(NodeHealth, ALeaderThatTurnsUnfitHandsLeadershipToAFitVoter) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Cluster c(3, {}, seed);
    const NodeId l = c.elect();
    ASSERT_NE(l, kNoNode);
    ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
    c.stabilize();
    c.node(l).set_backend_healthy(false);
    c.stabilize();
    const NodeId next = c.leader();
    EXPECT_NE(next, kNoNode) << "seed " << seed;
    EXPECT_NE(next, l);
    EXPECT_EQ(c.node(l).role(), Role::kFollower);
    EXPECT_EQ(c.count_traces(l, TraceKind::kTransferStarted), 1u);
    EXPECT_EQ(c.count_traces(next, TraceKind::kTransferCompleted), 1u);
    c.tick(50);
    EXPECT_EQ(c.leader(), next) << "leadership must not come back to the unfit node";
  }
}

TEST(NodeHealth, TheLeaderNeverHandsLeadershipToAPeerThatReportedItselfUnfit) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Cluster c(3, {}, seed);
    const NodeId l = c.elect();
    const NodeId unfit = other_than(c, l);
    const NodeId fit = other_than(c, l, unfit);
    c.node(unfit).set_backend_healthy(false);
    c.tick(2);  // a heartbeat round: the leader hears the peer's AppendResponse
    EXPECT_TRUE(c.impl(l).peer_backend_unfit(unfit));
    EXPECT_FALSE(c.impl(l).peer_backend_unfit(fit));
    c.node(l).set_backend_healthy(false);
    c.stabilize();
    EXPECT_EQ(c.leader(), fit) << "seed " << seed;
    // Nor does an explicit "best node" transfer or a forced step-down pick it.
    ASSERT_EQ(c.node(fit).transfer_leadership(kNoNode), RequestResult::kNoCandidate);
  }
}

TEST(NodeHealth, AnUnfitLeaderWithNoFitVoterStaysLeaderDegradedAndHandsOverOnceOneIsFit) {
  Cluster c(3);
  const NodeId l = c.elect();
  for (NodeId id : c.ids()) {
    if (id != l) c.node(id).set_backend_healthy(false);
  }
  c.tick(2);
  c.node(l).set_backend_healthy(false);
  c.tick(100);
  EXPECT_EQ(c.leader(), l) << "degraded mode: the leader stays";
  EXPECT_EQ(c.count_traces(l, TraceKind::kForcedStepDown), 0u);
  EXPECT_EQ(c.count_traces(l, TraceKind::kTransferStarted), 0u);
  EXPECT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kDegraded);
  const NodeId recovered = other_than(c, l);
  c.node(recovered).set_backend_healthy(true);
  c.tick(2);  // its next AppendResponse says fit: the transfer starts
  EXPECT_EQ(c.count_traces(l, TraceKind::kTransferStarted), 1u);
  c.tick(10);  // within one transfer timeout (one election timeout)
  EXPECT_EQ(c.leader(), recovered);
}

TEST(NodeHealth, AnUnfitLeaderWhoseTransferFailsStepsDownWithinTheTransferTimeout) {
  constexpr Ticks kTransferTimeout = 4;
  Cluster c(3, [](RaftConfig& cfg) { cfg.transfer_timeout_ticks = kTransferTimeout; });
  const NodeId l = c.elect();
  // The target cannot be reached after the leader picked it: the transfer aborts.
  c.set_drop([](const Message& m) { return std::holds_alternative<TimeoutNow>(m.body); });
  c.node(l).set_backend_healthy(false);
  c.stabilize();
  ASSERT_EQ(c.node(l).role(), Role::kLeader);
  ASSERT_TRUE(c.node(l).transfer_in_progress());
  c.tick(kTransferTimeout + 1);
  EXPECT_NE(c.node(l).role(), Role::kLeader);
  EXPECT_EQ(c.count_traces(l, TraceKind::kTransferAborted), 1u);
  EXPECT_EQ(c.count_traces(l, TraceKind::kForcedStepDown), 1u);
  c.set_drop({});
  const NodeId next = c.elect();
  EXPECT_NE(next, kNoNode);
  EXPECT_NE(next, l);
}

TEST(NodeHealth, AnUnfitTargetIgnoresTimeoutNow) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId target = other_than(c, l);
  c.node(target).set_backend_healthy(false);
  ASSERT_EQ(c.node(l).transfer_leadership(target), RequestResult::kOk);
  c.tick(30);  // the transfer times out (one election timeout)
  EXPECT_EQ(c.leader(), l);
  EXPECT_EQ(c.count_traces(target, TraceKind::kElectionStarted), 0u);
}

TEST(NodeHealth, APreCandidateThatTurnsUnfitGivesUpAndWaitsTwoTimeoutsBeforeADegradedCampaign) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId lonely = other_than(c, l);
  c.isolate(lonely);
  for (int i = 0; i < 40 && c.node(lonely).role() == Role::kFollower; ++i) c.tick_node(lonely);
  ASSERT_EQ(c.node(lonely).role(), Role::kPreCandidate);
  c.node(lonely).set_backend_healthy(false);
  EXPECT_EQ(c.node(lonely).role(), Role::kFollower);
  const std::size_t before = campaigns_of(c, lonely);
  c.tick_node(lonely, 2 * 10 - 1);  // less than two election timeouts: no campaign
  EXPECT_EQ(campaigns_of(c, lonely), before);
  c.tick_node(lonely, 4 * 10);  // then a degraded one (a pre-vote: it cannot disrupt)
  EXPECT_GT(campaigns_of(c, lonely), before);
  EXPECT_EQ(c.count_traces(lonely, TraceKind::kUnfitCampaign), 1u);
  EXPECT_NE(c.node(lonely).role(), Role::kLeader);
}

TEST(NodeHealth, WithAFitVoterHeardTheFitOneIsElectedBeforeAnyUnfitCampaign) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Cluster c(5, {}, seed);
    for (NodeId id : {1, 2, 3, 4}) c.node(id).set_backend_healthy(false);
    EXPECT_EQ(c.elect(), NodeId{5}) << "seed " << seed;
    c.tick(100);
    EXPECT_EQ(c.leader(), NodeId{5});
    for (NodeId id : {1, 2, 3, 4}) EXPECT_EQ(campaigns_of(c, id), 0u) << "seed " << seed;
  }
}

TEST(NodeHealth, EveryAppendResponseCarriesTheSendersFitness) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = other_than(c, l);
  c.node(f).set_backend_healthy(false);
  std::size_t unfit_responses = 0;
  std::size_t fit_responses_from_f = 0;
  c.set_observer([&](const Message& m) {
    const auto* r = std::get_if<AppendResponse>(&m.body);
    if (r == nullptr || m.from != f) return;
    (r->backend_unfit ? unfit_responses : fit_responses_from_f) += 1;
  });
  c.tick(3);
  EXPECT_GT(unfit_responses, 0u);
  EXPECT_EQ(fit_responses_from_f, 0u);
  EXPECT_FALSE(c.node(f).backend_healthy());
}

}  // namespace
}  // namespace quorum::raft
