// The leader lease (issue 2 item 4).
#include <gtest/gtest.h>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

TEST(NodeLease, DurationIsBelowElectionTimeoutOverDrift) {
  struct Case {
    Ticks t;
    std::uint32_t drift_ppm;
  };
  for (Case k : {Case{10, 200'000}, Case{10, 0}, Case{2, 999'999}, Case{100, 50'000},
                 Case{1000, 10'000}, Case{3, 0}}) {
    auto n = testing::make_node(1, testing::voters({1}), [&](RaftConfig& c) {
      c.election_timeout_ticks = k.t;
      c.clock_drift_ppm_max = k.drift_ppm;
    });
    const Ticks d = n->lease_duration_ticks();
    EXPECT_GE(d, Ticks{1});
    EXPECT_LT(d, k.t);
    if (d > 1) {
      // d * (1 + drift) < T, in integers.
      EXPECT_LT(d * (1'000'000 + k.drift_ppm), k.t * 1'000'000) << k.t << " " << k.drift_ppm;
    }
  }
}

TEST(NodeLease, NewLeaderHasNoLeaseUntilMajorityAcksARound) {
  Cluster c(3);
  // Elect with acknowledgements of the first round withheld.
  c.set_drop([](const Message& m) { return std::holds_alternative<AppendResponse>(m.body); });
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  EXPECT_FALSE(c.node(l).has_lease());
  c.set_drop({});
  c.tick();
  EXPECT_TRUE(c.node(l).has_lease());
  EXPECT_EQ(c.count_traces(l, TraceKind::kLeaseRenewed), 1u);
}

TEST(NodeLease, LeaseExpiresOnceWhenMajorityStopsAcking) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(5);
  ASSERT_TRUE(c.node(l).has_lease());
  c.isolate(l);
  Ticks ticks = 0;
  while (c.node(l).has_lease()) {
    c.tick_node(l);
    ++ticks;
  }
  EXPECT_LE(ticks, c.node(l).lease_duration_ticks());
  c.tick_node(l, 3);
  EXPECT_EQ(c.count_traces(l, TraceKind::kLeaseExpired), 1u);
}

TEST(NodeLease, LeaseCountsFromSendTickOfAckedRound) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(3);
  // Acks arrive in the same tick in this network: the lease runs lease_duration from now.
  EXPECT_EQ(c.node(l).lease_remaining_ticks(), c.node(l).lease_duration_ticks());
}

TEST(NodeLease, SingleNodeHoldsLease) {
  Cluster c(1);
  c.elect();
  c.tick();
  EXPECT_TRUE(c.node(1).has_lease());
}

TEST(NodeLease, FollowerNeverHasLease) {
  Cluster c(3);
  const NodeId l = c.elect();
  c.tick(3);
  for (NodeId id : c.ids()) {
    if (id != l) {
      EXPECT_FALSE(c.node(id).has_lease());
    }
  }
}

TEST(NodeLease, NoLeaseWithoutCheckQuorum) {
  Cluster c(3, [](RaftConfig& cfg) { cfg.check_quorum = false; });
  const NodeId l = c.elect();
  c.tick(3);
  EXPECT_FALSE(c.node(l).has_lease());
}

// Zero overlap: while a node holds a lease for term t, no node leads any later term, on random
// partition/crash schedules, with per-node clock rates within the drift bound.
TEST(NodeLease, NoOverlapWithALaterLeaderOnRandomSchedules) {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    Cluster c(5, {}, seed);
    Prng rng(seed * 7 + 1);
    // Clock rates in ppm of nominal, within +-10% (drift bound 20% between any two).
    std::map<NodeId, std::uint64_t> rate, acc;
    for (NodeId id : c.ids()) rate[id] = 900'000 + rng.uniform(0, 200'001);
    for (int step = 0; step < 600; ++step) {
      if (step % 40 == 0) {
        c.heal();
        const std::uint64_t pick = rng.uniform(0, 4);
        if (pick == 1) c.isolate(c.leader() == kNoNode ? 1 : c.leader());
        if (pick == 2) c.partition({1, 2});
        if (pick == 3) c.partition({static_cast<NodeId>(rng.uniform(1, 6))});
      }
      for (NodeId id : c.ids()) {
        acc[id] += rate[id];
        while (acc[id] >= 1'000'000) {
          acc[id] -= 1'000'000;
          c.node(id).tick();
        }
      }
      c.stabilize();
      for (NodeId a : c.ids()) {
        if (!c.node(a).has_lease()) continue;
        for (NodeId b : c.ids()) {
          if (b == a) continue;
          EXPECT_FALSE(c.node(b).has_lease()) << "seed " << seed << " step " << step;
          EXPECT_FALSE(c.node(b).role() == Role::kLeader && c.node(b).term() > c.node(a).term())
              << "seed " << seed << " step " << step << ": " << a << " holds a lease in term "
              << c.node(a).term() << " while " << b << " leads term " << c.node(b).term();
        }
      }
    }
    EXPECT_NE(c.elect(400), kNoNode);
  }
}

}  // namespace
}  // namespace quorum::raft
