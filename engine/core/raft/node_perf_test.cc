// Throughput smoke test: a 5-node group, heartbeats every tick, one proposal per tick, with
// compaction. Asserts only correctness; it reads no clock (engine/core stays clock-free, tests
// included). Speed figures belong to quorum-bench.
#include <gtest/gtest.h>

#include <string>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

TEST(NodePerf, FiveNodesTwentyThousandTicks) {
  testing::Cluster c(5);
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  const int ticks = 20'000;
  for (int i = 0; i < ticks; ++i) {
    ASSERT_EQ(c.node(l).propose("k=" + std::to_string(i)).code, ProposeResult::Code::kAccepted);
    c.tick();
    if (i % 1000 == 999) {
      for (NodeId id : c.ids()) c.node(id).compact(c.node(id).applied_index(), "img");
    }
  }
  for (NodeId id : c.ids()) EXPECT_GE(c.node(id).commit_index(), LogIndex{ticks});
}

}  // namespace
}  // namespace quorum::raft
