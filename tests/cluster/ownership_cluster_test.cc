// The controller pool end to end on in-process NodeHosts (tests/support/cluster_harness.h):
// controllers register, clusters are added, the leader's driver grants them, and after every
// single poll of any host no cluster has two controllers whose may_act answers yes (DESIGN
// invariant 6). Owners and leaders are crashed and partitioned; the takeover time is checked
// against the documented bound L(1+rho) + delta + 2E (docs/ownership.md), plus the heartbeat
// round trips the harness needs to notice.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "engine/core/raft/session.h"
#include "tests/support/cluster_harness.h"

namespace quorum::testing {
namespace {

constexpr std::size_t kClusters = 12;
constexpr ownership::ClusterId kFirstCluster = 100;

ClusterOptions pool_options(std::uint64_t seed) {
  ClusterOptions o;
  o.nodes = 3;
  o.seed = seed;
  o.raft.election_timeout_ticks = 10;
  o.raft.heartbeat_interval_ticks = 2;
  o.raft.pre_vote = true;
  o.raft.check_quorum = true;
  o.raft.session_lease_ticks = 30;
  o.raft.session_delay_ticks = 2;
  o.raft.clock_drift_ppm_max = 10'000;
  o.ownership_driver.plan_interval_ticks = 2;
  o.ownership_driver.alive_window_ticks = 8;
  o.ownership_driver.stable_ticks = 10;
  o.ownership_driver.moves_per_plan_max = 4;
  return o;
}

class OwnershipCluster : public ::testing::TestWithParam<std::uint64_t> {
 protected:
  OwnershipCluster() : cluster_(pool_options(GetParam())) {
    cluster_.set_after_poll([this] { check_single_actor(); });
  }

  // Invariant 6 after every poll: at most one live controller may act on each cluster, and the
  // epoch it acts under never goes backwards.
  void check_single_actor() {
    for (ownership::ClusterId c = kFirstCluster; c < kFirstCluster + kClusters; ++c) {
      std::set<NodeId> actors;
      for (NodeId id : cluster_.ids()) {
        if (!cluster_.is_up(id)) continue;
        const ownership::MayAct answer = cluster_.host(id).may_act(c);
        if (!answer.ok()) continue;
        actors.insert(id);
        ownership::Epoch& seen = epoch_seen_[c];
        EXPECT_GE(answer.epoch, seen) << "cluster " << c << " epoch went back on " << id;
        seen = std::max(seen, answer.epoch);
      }
      if (actors.size() > 1) {
        ADD_FAILURE() << "cluster " << c << " has " << actors.size() << " actors at tick "
                      << ticks_;
        overlaps_ += 1;
      }
    }
  }

  std::size_t acting_clusters() {
    std::size_t n = 0;
    for (ownership::ClusterId c = kFirstCluster; c < kFirstCluster + kClusters; ++c) {
      for (NodeId id : cluster_.ids()) {
        if (cluster_.is_up(id) && cluster_.host(id).may_act(c).ok()) {
          ++n;
          break;
        }
      }
    }
    return n;
  }
  std::size_t acting_on(NodeId id) {
    std::size_t n = 0;
    for (ownership::ClusterId c = kFirstCluster; c < kFirstCluster + kClusters; ++c) {
      n += cluster_.is_up(id) && cluster_.host(id).may_act(c).ok();
    }
    return n;
  }

  bool tick_until(const std::function<bool()>& pred, std::size_t ticks_max) {
    for (std::size_t i = 0; i < ticks_max; ++i) {
      if (pred()) return true;
      cluster_.tick();
      ++ticks_;
    }
    return pred();
  }

  // Registers 1..3 and adds the clusters through the leader; waits until all are acted on.
  void set_up_pool() {
    ASSERT_TRUE(tick_until([&] { return cluster_.leader() != kNoNode; }, 200));
    const NodeId leader = cluster_.leader();
    for (NodeId id : cluster_.ids()) {
      ownership::RegisterController r;
      r.id = id;
      r.name = "controller-" + std::to_string(id);
      cluster_.propose(leader, ownership::Command{r});
    }
    for (ownership::ClusterId c = kFirstCluster; c < kFirstCluster + kClusters; ++c) {
      cluster_.propose(leader, ownership::Command{ownership::AddCluster{
                                   c, "db" + std::to_string(c), {}, true}});
    }
    ASSERT_TRUE(tick_until([&] { return acting_clusters() == kClusters; }, 400))
        << acting_clusters() << " of " << kClusters << " acted on";
    // Balanced: 4 each.
    ASSERT_TRUE(tick_until(
        [&] { return acting_on(1) == 4 && acting_on(2) == 4 && acting_on(3) == 4; }, 400));
  }

  Ticks takeover_bound_ticks() const {
    const ClusterOptions o = pool_options(GetParam());
    // W + 2E for the election and its no-op, plus a few heartbeats for the harness to carry the
    // grant and the renewal that confirms the new owner's session.
    return raft::assigner_wait_ticks(o.raft.session_params()) + 2 * o.raft.election_timeout_ticks +
           4 * o.raft.heartbeat_interval_ticks + o.ownership_driver.plan_interval_ticks;
  }

  ClusterHarness cluster_;
  std::map<ownership::ClusterId, ownership::Epoch> epoch_seen_;
  std::size_t overlaps_ = 0;
  std::size_t ticks_ = 0;
};

TEST_P(OwnershipCluster, EveryClusterGetsExactlyOneActorAndTheLoadIsBalanced) {
  set_up_pool();
  cluster_.tick(50);
  EXPECT_EQ(acting_clusters(), kClusters);
  EXPECT_EQ(overlaps_, 0u);
}

TEST_P(OwnershipCluster, ACrashedOwnersClustersAreTakenOverWithinTheBound) {
  set_up_pool();
  const NodeId leader = cluster_.leader();
  const NodeId victim = leader == 3 ? 2 : 3;
  cluster_.crash(victim);
  std::size_t ticks = 0;
  ASSERT_TRUE(tick_until(
      [&] {
        ++ticks;
        return acting_clusters() == kClusters;
      },
      400));
  EXPECT_LE(ticks, takeover_bound_ticks()) << "takeover took " << ticks << " ticks";
  EXPECT_GT(ticks, raft::owner_lease_ticks(pool_options(GetParam()).raft.session_params()))
      << "taken over before the owner's lease could have ended";
  EXPECT_EQ(overlaps_, 0u);
  ::testing::Test::RecordProperty("takeover_ticks", static_cast<int>(ticks));
}

TEST_P(OwnershipCluster, TheLeaderAndItsClustersAreTakenOverTogether) {
  set_up_pool();
  const NodeId leader = cluster_.leader();
  cluster_.crash(leader);
  std::size_t ticks = 0;
  ASSERT_TRUE(tick_until(
      [&] {
        ++ticks;
        return acting_clusters() == kClusters;
      },
      600));
  EXPECT_LE(ticks, takeover_bound_ticks()) << "takeover took " << ticks << " ticks";
  EXPECT_GT(ticks, raft::owner_lease_ticks(pool_options(GetParam()).raft.session_params()));
  EXPECT_EQ(overlaps_, 0u);
  ::testing::Test::RecordProperty("takeover_ticks", static_cast<int>(ticks));
}

TEST_P(OwnershipCluster, AnOwnerPartitionedFromTheLeaderStopsBeforeItsClustersMove) {
  set_up_pool();
  const NodeId leader = cluster_.leader();
  const NodeId owner = leader == 3 ? 2 : 3;
  ASSERT_EQ(acting_on(owner), 4u);
  cluster_.isolate(owner);
  ASSERT_TRUE(tick_until([&] { return acting_on(owner) == 0; }, 200));
  ASSERT_TRUE(tick_until([&] { return acting_clusters() == kClusters; }, 400));
  // Healed: it must not come back to act on what moved (rule 5: a lapsed session's grants are
  // stale), and nothing overlaps while it rejoins.
  cluster_.heal();
  cluster_.tick(100);
  EXPECT_EQ(acting_clusters(), kClusters);
  EXPECT_EQ(overlaps_, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, OwnershipCluster, ::testing::Values(1, 2, 3, 4));

}  // namespace
}  // namespace quorum::testing
