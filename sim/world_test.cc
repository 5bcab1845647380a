// World: runs beyond the 9 nodes of before and pools with more controllers than Raft voters.
#include "sim/world.h"

#include <gtest/gtest.h>

#include <map>

#include "sim/ownership_access.h"

namespace quorum::sim {
namespace {

RunConfig learners_run(std::uint64_t seed) {
  RunConfig c;
  c.seed = seed;
  c.node_count = 10;
  c.voter_count = 5;
  c.pool = true;
  c.duration_us = 60'000'000;
  return c;
}

// Ten controllers, five of them Raft voters and five learners, under the swarm's faults (the
// membership faults among them): every checker holds, the learners stay learners, and after the
// heal every cluster is owned and the learners own their share (issue 8 section 2: the pool can
// hold more controllers than voters; the extra ones own clusters too).
TEST(World, TenControllersOfWhichFiveLearnersPassAndTheLearnersOwnClusters) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    World w(learners_run(seed));
    const RunResult r = w.run();
    ASSERT_EQ(r.status, RunStatus::kPass) << "seed " << seed << ": "
                                          << (r.violations.empty() ? "" : r.violations[0].detail);
    ASSERT_NE(w.ownership(), nullptr);
    EXPECT_TRUE(w.ownership()->settled()) << "seed " << seed;
    const NodeId leader = w.current_leader();
    ASSERT_NE(leader, kNoNode) << "seed " << seed;
    ASSERT_LE(leader, 5u) << "seed " << seed << ": a learner cannot lead";
    const raft::Membership& m = w.host(leader)->node().membership();
    std::map<NodeId, std::size_t> owned;
    for (const auto& [id, c] : pool_state(*w.host(leader)).clusters()) ++owned[c.owner];
    std::size_t owned_by_learners = 0;
    for (NodeId n = 6; n <= 10; ++n) {
      const raft::Member* member = m.find(n);
      ASSERT_NE(member, nullptr) << "seed " << seed << " n" << n;
      EXPECT_EQ(member->role, raft::MemberRole::kLearner) << "seed " << seed << " n" << n;
      owned_by_learners += owned[n];
    }
    EXPECT_GT(owned_by_learners, 0u) << "seed " << seed;
  }
}

// Two runs of one seed with 15 nodes (the network's limit) give one trace hash.
TEST(World, FifteenNodesRunDeterministically) {
  RunConfig c;
  c.seed = 11;
  c.node_count = 15;
  c.pool = true;
  c.duration_us = 40'000'000;
  const RunResult a = run_seed(c);
  const RunResult b = run_seed(c);
  EXPECT_EQ(a.status, RunStatus::kPass) << (a.violations.empty() ? "" : a.violations[0].detail);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
}

}  // namespace
}  // namespace quorum::sim
