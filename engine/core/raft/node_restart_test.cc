// Restart from persisted state (issue 2 item 10).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

TEST(NodeRestart, KeepsTermVoteLogAndCommit) {
  Cluster c(3);
  const NodeId l = c.elect();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(c.node(l).propose("v").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  const Term t = c.node(l).term();
  const LogIndex last = c.node(l).last_index();
  const LogIndex commit = c.node(l).commit_index();
  c.crash(l);
  c.restart(l);
  EXPECT_EQ(c.node(l).term(), t);
  EXPECT_EQ(c.node(l).internals().voted_for_, l);
  EXPECT_EQ(c.node(l).last_index(), last);
  EXPECT_EQ(c.node(l).commit_index(), commit);
  EXPECT_EQ(c.node(l).role(), Role::kFollower);
}

TEST(NodeRestart, ReappliesCommittedEntriesAfterRestart) {
  Cluster c(1);
  c.elect();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(c.node(1).propose("v" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
  c.stabilize();
  c.crash(1);
  c.restart(1);
  c.stabilize();
  ASSERT_EQ(c.applied(1).size(), 3u);  // applied again from the persisted commit index
  EXPECT_EQ(c.applied(1)[2], "v2");
}

TEST(NodeRestart, RestoresAfterSnapshotAndAppliesOnlyTheTail) {
  Cluster c(1);
  c.elect();
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(c.node(1).propose("v" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
  c.stabilize();
  c.node(1).compact(3, "img");
  ASSERT_EQ(c.node(1).propose("tail").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  c.crash(1);
  c.restart(1);
  c.stabilize();
  EXPECT_EQ(c.node(1).internals().log_.snapshot_index(), LogIndex{3});
  ASSERT_EQ(c.applied(1).size(), 4u);
  EXPECT_EQ(c.applied(1)[0], "snapshot:img");
  EXPECT_EQ(c.applied(1)[1], "v2");
  EXPECT_EQ(c.applied(1)[3], "tail");
}

TEST(NodeRestart, MembershipComesFromLastMembershipEntry) {
  PersistedState s;
  s.hard_state = {2, 1, 2};
  s.entries = {testing::entry(1, 1),
               Entry{2, 2, EntryKind::kMembership, {}, testing::voters({1, 2, 3, 4})},
               testing::entry(2, 3)};
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), {}, s);
  EXPECT_EQ(n->membership(), testing::voters({1, 2, 3, 4}));
}

TEST(NodeRestart, MembershipComesFromSnapshotWhenLogHasNone) {
  PersistedState s;
  s.hard_state = {2, 1, 5};
  s.snapshot = SnapshotMeta{5, 2, testing::voters({1, 5})};
  s.snapshot_data = "d";
  s.entries = {testing::entry(2, 6)};
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), {}, s);
  EXPECT_EQ(n->membership(), testing::voters({1, 5}));
  EXPECT_EQ(n->commit_index(), LogIndex{5});
  EXPECT_EQ(n->applied_index(), LogIndex{5});
}

TEST(NodeRestart, MembershipComesFromBootstrapOnFreshNode) {
  auto n = testing::make_node(1, testing::voters({1, 2, 3}));
  EXPECT_EQ(n->membership(), testing::voters({1, 2, 3}));
  EXPECT_EQ(n->term(), Term{0});
  EXPECT_FALSE(n->has_ready());  // nothing changed yet
}

TEST(NodeRestart, CommitOlderThanSnapshotIsRaisedToIt) {
  PersistedState s;
  s.hard_state = {3, 0, 2};
  s.snapshot = SnapshotMeta{4, 3, testing::voters({1, 2, 3})};
  auto n = testing::make_node(1, testing::voters({1, 2, 3}), {}, s);
  EXPECT_EQ(n->commit_index(), LogIndex{4});
}

TEST(NodeRestart, WholeClusterRestartKeepsData) {
  Cluster c(3);
  const NodeId l = c.elect();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(c.node(l).propose("v" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
  c.tick(2);
  for (NodeId id : {NodeId{1}, NodeId{2}, NodeId{3}}) c.crash(id);
  for (NodeId id : {NodeId{1}, NodeId{2}, NodeId{3}}) c.restart(id);
  const NodeId l2 = c.elect(300);
  ASSERT_NE(l2, kNoNode);
  ASSERT_EQ(c.node(l2).propose("new").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  for (NodeId id : c.ids()) {
    ASSERT_EQ(c.applied(id).size(), 6u);
    EXPECT_EQ(c.applied(id)[0], "v0");
    EXPECT_EQ(c.applied(id)[5], "new");
  }
}

TEST(NodeRestart, InconsistentPersistedStateAsserts) {
  PersistedState s;
  s.hard_state = {1, 0, 5};  // commit beyond the log
  s.entries = {testing::entry(1, 1)};
  EXPECT_DEATH(testing::make_node(1, testing::voters({1}), {}, s), "commit");
}

}  // namespace
}  // namespace quorum::raft
