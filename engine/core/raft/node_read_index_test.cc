// ReadIndex (issue 2 item 6, thesis §6.4).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

TEST(NodeReadIndex, LeaderConfirmsReadWithOneHeartbeatRound) {
  Cluster c(3);
  const NodeId l = c.elect();
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  const LogIndex commit = c.node(l).commit_index();
  ASSERT_EQ(c.node(l).read_index(42).code, ReadResult::Code::kPending);
  EXPECT_TRUE(c.read_states(l).empty());
  c.stabilize();
  ASSERT_EQ(c.read_states(l).size(), 1u);
  EXPECT_EQ(c.read_states(l)[0].request_id, 42u);
  EXPECT_EQ(c.read_states(l)[0].index, commit);
}

TEST(NodeReadIndex, ReadIsNotConfirmedWithoutAMajority) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  c.isolate(l);
  ASSERT_EQ(c.node(l).read_index(7).code, ReadResult::Code::kPending);
  c.stabilize();
  c.tick_node(l, 3);
  EXPECT_TRUE(c.read_states(l).empty());
}

TEST(NodeReadIndex, FollowerRefusesWithLeaderHint) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 1 ? 2 : 1;
  ReadResult r = c.node(f).read_index(1);
  EXPECT_EQ(r.code, ReadResult::Code::kNotLeader);
  EXPECT_EQ(r.leader_hint, l);
}

TEST(NodeReadIndex, NewLeaderWaitsForCommitInItsTerm) {
  Cluster c(3);
  c.set_drop([](const Message& m) { return std::holds_alternative<AppendResponse>(m.body); });
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  EXPECT_EQ(c.node(l).read_index(1).code, ReadResult::Code::kNoLeaseYet);
  c.set_drop({});
  c.tick();
  EXPECT_EQ(c.node(l).read_index(2).code, ReadResult::Code::kPending);
}

TEST(NodeReadIndex, SingleNodeAnswersAtOnce) {
  Cluster c(1);
  c.elect();
  c.stabilize();
  ASSERT_EQ(c.node(1).read_index(5).code, ReadResult::Code::kPending);
  c.stabilize();
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_EQ(c.read_states(1)[0].request_id, 5u);
}

TEST(NodeReadIndex, ReadsBetweenTwoReadiesShareOneRound) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.stabilize();
  std::size_t heartbeats = 0;
  c.set_observer([&](const Message& m) {
    if (std::holds_alternative<AppendRequest>(m.body)) ++heartbeats;
  });
  ASSERT_EQ(c.node(l).read_index(1).code, ReadResult::Code::kPending);
  ASSERT_EQ(c.node(l).read_index(2).code, ReadResult::Code::kPending);
  c.stabilize();
  EXPECT_EQ(heartbeats, 2u);  // one round to two followers
  EXPECT_EQ(c.read_states(l).size(), 2u);
}

}  // namespace
}  // namespace quorum::raft
