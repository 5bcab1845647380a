// Replication and commit (issue 2 item 5) and proposals (item 6).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

TEST(NodeReplication, CommitsAndAppliesProposalsOnEveryNode) {
  Cluster c(3);
  const NodeId l = c.elect();
  for (int i = 0; i < 20; ++i) {
    ProposeResult r = c.node(l).propose("put " + std::to_string(i));
    ASSERT_EQ(r.code, ProposeResult::Code::kAccepted);
  }
  c.tick(2);
  for (NodeId id : c.ids()) {
    ASSERT_EQ(c.applied(id).size(), 20u) << "node " << id;
    EXPECT_EQ(c.applied(id).front(), "put 0");
    EXPECT_EQ(c.applied(id).back(), "put 19");
    EXPECT_EQ(c.node(id).commit_index(), c.node(l).last_index());
  }
}

TEST(NodeReplication, SingleNodeCommitsAfterPersisting) {
  Cluster c(1);
  ASSERT_EQ(c.elect(), NodeId{1});
  ProposeResult r = c.node(1).propose("a");
  ASSERT_EQ(r.code, ProposeResult::Code::kAccepted);
  EXPECT_LT(c.node(1).commit_index(), r.index);  // not persisted yet
  c.stabilize();
  EXPECT_EQ(c.node(1).commit_index(), r.index);
  ASSERT_EQ(c.applied(1).size(), 1u);
}

TEST(NodeReplication, FollowerRefusesProposalWithLeaderHint) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 1 ? 2 : 1;
  ProposeResult r = c.node(f).propose("x");
  EXPECT_EQ(r.code, ProposeResult::Code::kNotLeader);
  EXPECT_EQ(r.leader_hint, l);
}

TEST(NodeReplication, LeaderAppendsNoopOnTakingOffice) {
  Cluster c(3);
  const NodeId l = c.elect();
  ASSERT_EQ(c.disk(l).entries.size(), 1u);
  EXPECT_EQ(c.disk(l).entries[0].kind, EntryKind::kNoop);
  EXPECT_EQ(c.disk(l).entries[0].term, c.node(l).term());
}

TEST(NodeReplication, ProposalTooLargeIsRefused) {
  Cluster c(1, [](RaftConfig& cfg) { cfg.message_bytes_max = 8; });
  c.elect();
  EXPECT_EQ(c.node(1).propose(std::string(9, 'x')).code, ProposeResult::Code::kTooLarge);
  EXPECT_EQ(c.node(1).propose(std::string(8, 'x')).code, ProposeResult::Code::kAccepted);
}

TEST(NodeReplication, UncommittedBytesBoundRefusesProposals) {
  Cluster c(3, [](RaftConfig& cfg) {
    cfg.uncommitted_bytes_max = 10;
    cfg.message_bytes_max = 10;
  });
  const NodeId l = c.elect();
  c.isolate(l);
  EXPECT_EQ(c.node(l).propose(std::string(6, 'x')).code, ProposeResult::Code::kAccepted);
  EXPECT_EQ(c.node(l).propose(std::string(6, 'x')).code, ProposeResult::Code::kBusy);
}

TEST(NodeReplication, CommittedEntriesSurviveLeaderCrash) {
  Cluster c(3);
  const NodeId l = c.elect();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(c.node(l).propose("v" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
  c.tick(2);
  c.crash(l);
  const NodeId l2 = c.elect(300);
  ASSERT_NE(l2, kNoNode);
  ASSERT_EQ(c.node(l2).propose("after").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  for (NodeId id : c.ids()) {
    ASSERT_EQ(c.applied(id).size(), 6u);
    EXPECT_EQ(c.applied(id)[4], "v4");
    EXPECT_EQ(c.applied(id)[5], "after");
  }
}

TEST(NodeReplication, ThousandPutsOnFiveNodes) {
  Cluster c(5);
  const NodeId l = c.elect();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(c.node(l).propose("k" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
    if (i % 50 == 0) c.tick();
  }
  c.tick(3);
  for (NodeId id : c.ids()) EXPECT_EQ(c.applied(id).size(), 1000u);
}

TEST(NodeReplication, LaggingFollowerCatchesUpAfterHeal) {
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 3 ? 2 : 3;
  c.isolate(f);
  for (int i = 0; i < 30; ++i)
    ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.tick(2);
  EXPECT_EQ(c.applied(f).size(), 0u);
  c.heal();
  c.tick(12);
  EXPECT_EQ(c.leader(), l);
  EXPECT_EQ(c.applied(f).size(), 30u);
}

TEST(NodeReplication, LostAppendsAreRetransmitted) {
  Cluster c(3);
  const NodeId l = c.elect();
  int dropped = 0;
  c.set_drop([&](const Message& m) {
    const auto* a = std::get_if<AppendRequest>(&m.body);
    if (a != nullptr && !a->entries.empty() && dropped < 4) {
      ++dropped;
      return true;
    }
    return false;
  });
  ASSERT_EQ(c.node(l).propose("a").code, ProposeResult::Code::kAccepted);
  ASSERT_EQ(c.node(l).propose("b").code, ProposeResult::Code::kAccepted);
  c.tick(20);
  for (NodeId id : c.ids()) EXPECT_EQ(c.applied(id).size(), 2u);
}

TEST(NodeReplication, AnUnansweredProbeIsNotRepeatedEveryHeartbeat) {
  // A follower that answers nothing (dead, or slower than the heartbeat interval) must not be
  // sent a copy of a possibly large probe on every heartbeat: copies would queue up faster than
  // a slow follower drains them. Heartbeats (empty appends) keep going; entries go again only
  // once the follower answers something.
  Cluster c(3);
  const NodeId l = c.elect();
  const NodeId f = l == 3 ? 2 : 3;
  bool silent = true;
  int appends_with_entries_to_f = 0;
  int heartbeats_to_f = 0;
  c.set_drop([&](const Message& m) {
    if (!silent || (m.to != f && m.from != f)) return false;
    if (const auto* a = std::get_if<AppendRequest>(&m.body); a != nullptr && m.to == f) {
      ++(a->entries.empty() ? heartbeats_to_f : appends_with_entries_to_f);
    }
    return true;
  });
  for (int i = 0; i < 5; ++i) ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.tick(20);  // the pipeline stalls, the leader falls back to probing f
  const int before = appends_with_entries_to_f;
  c.tick(40);  // 40 heartbeat intervals with the probe unanswered
  EXPECT_LE(appends_with_entries_to_f - before, 1);
  EXPECT_GE(heartbeats_to_f, 30);
  // Once f answers again, the pacing lets the probe through and f catches up.
  silent = false;
  c.tick(10);
  EXPECT_EQ(c.applied(f).size(), c.applied(l).size());
}

}  // namespace
}  // namespace quorum::raft
