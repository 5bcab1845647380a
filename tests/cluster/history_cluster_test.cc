// The leadership history end to end on in-process NodeHosts: every leader records its term once
// (with why it leads and who led before), every controller applies the same history, and a
// restarted controller has it back from its log and snapshot.
#include <gtest/gtest.h>

#include "engine/core/history/state_machine.h"
#include "tests/support/cluster_harness.h"

namespace quorum::testing {
namespace {

constexpr std::size_t kTicksMax = 2000;

ClusterOptions history_options(std::uint64_t* wall_ms) {
  ClusterOptions o;
  o.nodes = 3;
  o.raft.election_timeout_ticks = 10;
  o.raft.heartbeat_interval_ticks = 2;
  o.raft.pre_vote = true;
  o.raft.check_quorum = true;
  o.snapshot_interval_entries = 4;  // the restart below restores from a snapshot
  o.wall_clock_ms = [wall_ms] { return *wall_ms; };
  return o;
}

const std::deque<history::Change>& changes(ClusterHarness& c, NodeId id) {
  return c.host(id).state().history.changes();
}

// True once every up node has applied `count` history records.
bool all_have(ClusterHarness& c, std::size_t count) {
  for (NodeId id : c.ids()) {
    if (c.is_up(id) && changes(c, id).size() != count) return false;
  }
  return true;
}

TEST(LeaderHistory, EachLeaderRecordsItsTermOnceWithTheReasonAndThePreviousLeader) {
  std::uint64_t wall_ms = 1'800'000'000'000;
  ClusterHarness c(history_options(&wall_ms));
  ASSERT_TRUE(c.run_until([&] { return all_have(c, 1); }, kTicksMax));
  const NodeId first = c.leader();
  const history::Change elected = changes(c, first).back();
  EXPECT_EQ(elected.record.leader, first);
  EXPECT_EQ(elected.record.reason, history::Reason::kElection);
  EXPECT_EQ(elected.record.wall_ms, wall_ms);
  EXPECT_EQ(elected.previous_leader, kNoNode);

  // More heartbeats and polls under the same leader record nothing more.
  c.tick(50);
  EXPECT_TRUE(all_have(c, 1));

  wall_ms += 60'000;
  const NodeId target = first == 1 ? 2 : 1;
  ASSERT_EQ(c.host(first).transfer_leadership(target), raft::RequestResult::kOk);
  ASSERT_TRUE(c.run_until([&] { return all_have(c, 2); }, kTicksMax));
  const history::Change transferred = changes(c, target).back();
  EXPECT_EQ(transferred.record.leader, target);
  EXPECT_EQ(transferred.record.reason, history::Reason::kTransfer);
  EXPECT_EQ(transferred.record.wall_ms, wall_ms);
  EXPECT_EQ(transferred.previous_leader, first);
  EXPECT_EQ(transferred.previous_term, elected.record.term);
  EXPECT_GT(transferred.record.term, elected.record.term);
  for (NodeId id : c.ids()) EXPECT_EQ(changes(c, id), changes(c, target)) << "node " << id;

  // The leader crashes: the next one was elected, not handed leadership.
  c.crash(target);
  ASSERT_TRUE(c.run_until([&] { return all_have(c, 3); }, kTicksMax));
  const NodeId third = c.leader();
  ASSERT_NE(third, target);
  EXPECT_EQ(changes(c, third).back().record.reason, history::Reason::kElection);
  EXPECT_EQ(changes(c, third).back().previous_leader, target);

  // Enough writes for a snapshot, then the crashed node returns with the whole history.
  for (int i = 0; i < 8; ++i) c.put(third, "f" + std::to_string(i), "x");
  ASSERT_TRUE(c.run_until([&] { return c.replies_pending() == 0; }, kTicksMax));
  c.restart(target);
  ASSERT_TRUE(c.run_until([&] { return all_have(c, 3); }, kTicksMax));
  EXPECT_EQ(changes(c, target), changes(c, third));
}

TEST(LeaderHistory, WithoutAWallClockNoRecordIsProposed) {
  std::uint64_t wall_ms = 0;
  ClusterOptions o = history_options(&wall_ms);
  o.wall_clock_ms = nullptr;
  ClusterHarness c(o);
  ASSERT_TRUE(c.run_until([&] { return c.leader() != kNoNode; }, kTicksMax));
  c.tick(100);
  for (NodeId id : c.ids()) EXPECT_TRUE(changes(c, id).empty()) << "node " << id;
}

}  // namespace
}  // namespace quorum::testing
