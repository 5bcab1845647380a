// Snapshots and log compaction (issue 2 item 9, Raft §7).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

TEST(NodeSnapshot, CompactReportsSnapshotAndDropsPrefix) {
  Cluster c(1);
  c.elect();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(c.node(1).propose("v").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  const LogIndex applied = c.node(1).applied_index();
  ASSERT_EQ(applied, LogIndex{6});
  c.node(1).compact(4, "state@4");
  ASSERT_TRUE(c.node(1).has_ready());
  Ready r = c.node(1).ready();
  ASSERT_TRUE(r.snapshot.has_value());
  EXPECT_FALSE(r.snapshot_received);
  EXPECT_TRUE(r.must_sync);
  EXPECT_EQ(r.snapshot->meta.last_index, LogIndex{4});
  EXPECT_EQ(r.snapshot->meta.last_term, c.node(1).term());
  EXPECT_EQ(r.snapshot->data, "state@4");
  EXPECT_TRUE(r.snapshot->meta.membership.is_voter(1));
  c.node(1).advance(ReadyAck{r.seq});
  EXPECT_EQ(c.node(1).internals().log_.first_index(), LogIndex{5});
}

TEST(NodeSnapshot, LaggingFollowerReceivesAndInstallsSnapshot) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 3 ? 2 : 3;
  c.isolate(f);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(c.node(l).propose("v" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
  c.tick(2);
  c.node(l).compact(c.node(l).applied_index(), "image");
  ASSERT_EQ(c.node(l).propose("after").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  c.heal();
  c.tick(3);
  EXPECT_EQ(c.count_traces(l, TraceKind::kSnapshotSent), 1u);
  EXPECT_EQ(c.count_traces(f, TraceKind::kSnapshotInstalled), 1u);
  ASSERT_TRUE(c.disk(f).snapshot.has_value());
  EXPECT_EQ(c.disk(f).snapshot->data, "image");
  ASSERT_EQ(c.applied(f).size(), 2u);
  EXPECT_EQ(c.applied(f)[0], "snapshot:image");
  EXPECT_EQ(c.applied(f)[1], "after");
  EXPECT_EQ(c.node(f).commit_index(), c.node(l).commit_index());
}

TEST(NodeSnapshot, InstallRepliesSuccessWithSnapshotIndex) {
  auto n = testing::quiet_voter(2, testing::voters({1, 2, 3}));
  Snapshot s{{7, 3, testing::voters({1, 2, 3})}, "d"};
  n->step(testing::msg(1, 2, 3, SnapshotRequest{s, 9}));
  Ready r = testing::drain(*n);
  ASSERT_TRUE(r.snapshot.has_value());
  EXPECT_TRUE(r.snapshot_received);
  EXPECT_EQ(*r.snapshot, s);
  auto acks = testing::messages_of<AppendResponse>(r.messages_after_persist);
  ASSERT_EQ(acks.size(), 1u);
  const auto& ack = std::get<AppendResponse>(acks[0].body);
  EXPECT_TRUE(ack.success);
  EXPECT_EQ(ack.match_index, LogIndex{7});
  EXPECT_EQ(ack.round, 9u);
  EXPECT_EQ(n->commit_index(), LogIndex{7});
  EXPECT_EQ(n->last_index(), LogIndex{7});
}

TEST(NodeSnapshot, SnapshotOfAPrefixKeepsTheFollowersLaterEntries) {
  PersistedState ps;
  ps.hard_state.current_term = 2;
  for (LogIndex i = 1; i <= 5; ++i) ps.entries.push_back(testing::entry(2, i));
  auto n = testing::quiet_voter(2, testing::voters({1, 2, 3}), {}, ps);
  Snapshot s{{3, 2, testing::voters({1, 2, 3})}, "d"};
  n->step(testing::msg(1, 2, 2, SnapshotRequest{s, 1}));
  Ready r = testing::drain(*n);
  EXPECT_FALSE(r.snapshot.has_value());
  EXPECT_EQ(n->last_index(), LogIndex{5});
  EXPECT_EQ(n->commit_index(), LogIndex{3});
}

TEST(NodeSnapshot, RestartedLeaderSendsSnapshotFromPersistedData) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 3 ? 2 : 3;
  c.isolate(f);
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(c.node(l).propose("v").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  // Every live node compacts, then all restart: whoever leads must ship the snapshot.
  for (NodeId id : c.ids()) {
    if (id != f) c.node(id).compact(c.node(id).applied_index(), "img");
  }
  c.stabilize();
  for (NodeId id : {NodeId{1}, NodeId{2}, NodeId{3}}) {
    if (id == f) continue;
    c.crash(id);
    c.restart(id);
  }
  c.heal();
  ASSERT_NE(c.elect(300), kNoNode);
  c.tick(5);
  EXPECT_EQ(c.count_traces(f, TraceKind::kSnapshotInstalled), 1u);
  EXPECT_EQ(c.disk(f).snapshot->data, "img");
}

}  // namespace
}  // namespace quorum::raft
