// Throughput smoke test: a 5-node group, heartbeats every tick, one proposal per tick. Asserts
// only correctness (no timing, so it does not depend on machine speed); prints the rate so that a
// regression is visible in the log.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

TEST(NodePerf, FiveNodesTwentyThousandTicks) {
  testing::Cluster c(5);
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  const auto start = std::chrono::steady_clock::now();
  const int ticks = 20'000;
  for (int i = 0; i < ticks; ++i) {
    ASSERT_EQ(c.node(l).propose("k=" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
    c.tick();
    if (i % 1000 == 999) {
      for (NodeId id : c.ids()) c.node(id).compact(c.node(id).applied_index(), "img");
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (NodeId id : c.ids()) EXPECT_GE(c.node(id).commit_index(), LogIndex{ticks});
  std::printf("[ perf     ] 5 nodes, %d ticks, %zu readies: %.0f cluster ticks/s (%.1f us/tick)\n",
              ticks, c.ready_count(), ticks / seconds, seconds * 1e6 / ticks);
}

}  // namespace
}  // namespace quorum::raft
