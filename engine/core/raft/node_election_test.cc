// Elections: roles, randomized timeouts, heartbeats (issue 2 item 1).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

TEST(NodeElection, SingleNodeElectsItselfAfterTimeout) {
  Cluster c(1);
  EXPECT_EQ(c.node(1).role(), Role::kFollower);
  c.tick(9);
  EXPECT_EQ(c.node(1).role(), Role::kFollower);  // randomized timeout is at least T = 10
  EXPECT_EQ(c.elect(20), NodeId{1});
  EXPECT_EQ(c.node(1).term(), Term{1});
}

TEST(NodeElection, ThreeNodesElectExactlyOneLeader) {
  Cluster c(3);
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  int leaders = 0;
  for (NodeId id : c.ids()) {
    if (c.node(id).role() == Role::kLeader) ++leaders;
    EXPECT_EQ(c.node(id).leader_id(), l);
    EXPECT_EQ(c.node(id).term(), c.node(l).term());
  }
  EXPECT_EQ(leaders, 1);
}

TEST(NodeElection, RandomizedTimeoutIsWithinTAndTwoT) {
  // Many seeds: the first campaign always starts in [T, 2T).
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    auto n = testing::make_node(1, testing::voters({1, 2, 3}), {}, {}, seed);
    Ticks fired = 0;
    for (Ticks t = 1; t <= 25 && fired == 0; ++t) {
      n->tick();
      if (n->role() != Role::kFollower) fired = t;
    }
    EXPECT_GE(fired, Ticks{10});
    EXPECT_LT(fired, Ticks{20});
  }
}

TEST(NodeElection, TimeoutsDifferAcrossSeeds) {
  std::set<Ticks> seen;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    auto n = testing::make_node(1, testing::voters({1, 2, 3}), {}, {}, seed);
    for (Ticks t = 1; t <= 25; ++t) {
      n->tick();
      if (n->role() != Role::kFollower) {
        seen.insert(t);
        break;
      }
    }
  }
  EXPECT_GT(seen.size(), 3u);
}

TEST(NodeElection, LeaderSendsHeartbeatEveryHTicks) {
  Cluster c(3, [](RaftConfig& cfg) { cfg.heartbeat_interval_ticks = 3; });
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  int heartbeats = 0;
  c.set_observer([&](const Message& m) {
    if (m.from == l && std::holds_alternative<AppendRequest>(m.body) &&
        std::get<AppendRequest>(m.body).entries.empty()) {
      ++heartbeats;
    }
  });
  c.tick(9);
  EXPECT_EQ(heartbeats, 3 * 2);  // 3 rounds to 2 followers
}

TEST(NodeElection, FollowersStayWhileLeaderHeartbeats) {
  Cluster c(3);
  const NodeId l = c.elect();
  const Term t = c.node(l).term();
  c.tick(200);
  EXPECT_EQ(c.leader(), l);
  EXPECT_EQ(c.node(l).term(), t);
}

TEST(NodeElection, LeaderLossElectsExactlyOneNewLeader) {
  Cluster c(5);
  const NodeId l = c.elect();
  c.crash(l);
  const NodeId l2 = c.elect(300);
  ASSERT_NE(l2, kNoNode);
  EXPECT_NE(l2, l);
  int leaders = 0;
  for (NodeId id : c.ids()) leaders += c.node(id).role() == Role::kLeader ? 1 : 0;
  EXPECT_EQ(leaders, 1);
}

TEST(NodeElection, ReadyTwiceWithoutAdvanceAsserts) {
  auto n = testing::make_node(1, testing::voters({1}));
  for (int i = 0; i < 30; ++i) n->tick();
  ASSERT_TRUE(n->has_ready());
  Ready r = n->ready();
  EXPECT_DEATH(n->ready(), "twice");
}

TEST(NodeElection, AdvanceWithWrongSeqAsserts) {
  auto n = testing::make_node(1, testing::voters({1}));
  for (int i = 0; i < 30; ++i) n->tick();
  Ready r = n->ready();
  EXPECT_DEATH(n->advance(ReadyAck{r.seq + 1}), "seq");
}

TEST(NodeElection, StepOfMessageForAnotherNodeAsserts) {
  auto n = testing::make_node(1, testing::voters({1, 2, 3}));
  EXPECT_DEATH(n->step(testing::msg(2, 3, 1, TimeoutNow{})), "stepped on node");
}

TEST(NodeElection, ReadySeqIncrements) {
  auto n = testing::make_node(1, testing::voters({1}));
  std::uint64_t last = 0;
  for (int i = 0; i < 40; ++i) {
    n->tick();
    if (n->has_ready()) {
      Ready r = n->ready();
      EXPECT_EQ(r.seq, last + 1);
      last = r.seq;
      n->advance(ReadyAck{r.seq});
    }
  }
  EXPECT_GT(last, 1u);
}

// Issue 9 item 5: terms cannot overflow. A message above kTermMax (which the codec refuses)
// is dropped by the core too, and a node that reached kTermMax stops campaigning, so neither
// `++current_term_` nor the pre-vote's `current_term_ + 1` can wrap to 0.
TEST(NodeElection, AbsurdTermsAreDroppedAndANodeAtTheLargestTermNeverCampaigns) {
  auto n = testing::make_node(1, testing::voters({1, 2, 3}));
  for (int i = 0; i < 40; ++i) n->tick();  // past restart stickiness
  testing::drain(*n);
  const Term before = n->term();
  n->step(testing::msg(2, 1, kTermMax + 1, AppendRequest{0, 0, {}, 0, 1}));
  n->step(testing::msg(3, 1, ~Term{0}, VoteRequest{false, 0, 0, false}));
  Ready r = testing::drain(*n);
  EXPECT_TRUE(testing::all_messages(r).empty());
  EXPECT_EQ(n->term(), before);

  PersistedState s;
  s.hard_state.current_term = kTermMax;
  auto top = testing::make_node(1, testing::voters({1, 2, 3}), {}, s);
  for (int i = 0; i < 100; ++i) top->tick();  // five election timeouts and more
  r = testing::drain(*top);
  EXPECT_EQ(top->role(), Role::kFollower);
  EXPECT_EQ(top->term(), kTermMax);
  EXPECT_TRUE(testing::messages_of<VoteRequest>(testing::all_messages(r)).empty());
  // It still follows a leader of that term.
  top->step(testing::msg(2, 1, kTermMax, AppendRequest{0, 0, {}, 0, 1}));
  EXPECT_EQ(top->leader_id(), NodeId{2});
}

}  // namespace
}  // namespace quorum::raft
