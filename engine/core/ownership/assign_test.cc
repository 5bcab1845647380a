#include "engine/core/ownership/assign.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/core/ownership/testing_pool.h"

namespace quorum::ownership {
namespace {

using testing::changed_owners;
using testing::TestPool;

std::size_t spread(const std::map<NodeId, std::size_t>& loads, const std::set<NodeId>& ids) {
  std::size_t lo = SIZE_MAX, hi = 0;
  for (NodeId id : ids) {
    lo = std::min(lo, loads.at(id));
    hi = std::max(hi, loads.at(id));
  }
  return hi - lo;
}

std::size_t count_releases(const std::vector<Command>& commands) {
  return static_cast<std::size_t>(std::count_if(commands.begin(), commands.end(), [](auto& c) {
    return std::holds_alternative<Release>(c);
  }));
}

TEST(AssignPolicy, InitialAssignmentOfEqualWeightsIsBalancedAndComplete) {
  TestPool pool;
  for (NodeId id = 1; id <= 5; ++id) pool.add_controller(id);
  pool.add_clusters(1, 23);
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.rounds, 2);  // the grants, then the empty plan
  EXPECT_EQ(pool.owners().size(), 23u);
  EXPECT_LE(spread(pool.loads(), {1, 2, 3, 4, 5}), 1u);
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

// Rule 8 (docs/ownership.md): an alive owner whose backend is unfit hands every cluster over in
// one plan, ahead of and outside the moves limit; it receives nothing while unfit; nothing moves
// when every controller is unfit (degraded mode).
TEST(AssignPolicy, UnfitOwnerHandsEveryClusterOverInOnePlanAndReceivesNothing) {
  TestPool pool;
  for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
  pool.add_clusters(1, 12);
  ASSERT_TRUE(pool.settle());
  ASSERT_EQ(pool.loads().at(2), 4u);
  pool.moves_max = 1;
  pool.unfit = {2};
  const std::vector<Command> commands = pool.plan_now();
  std::size_t from_unfit = 0;
  for (const Command& c : commands) {
    const auto* r = std::get_if<Release>(&c);
    ASSERT_NE(r, nullptr) << "only hand-overs: the unfit owner is alive and may still act";
    EXPECT_EQ(r->from, 2u);
    EXPECT_NE(r->to, 2u);
    ++from_unfit;
  }
  EXPECT_EQ(from_unfit, 4u) << "every cluster of the unfit owner, despite moves_max = 1";
  for (const Command& c : commands) pool.must_apply(c);
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.loads().at(2), 0u);
  EXPECT_EQ(pool.loads().at(1) + pool.loads().at(3), 12u);
  pool.add_clusters(100, 3);  // new clusters go to fit controllers only
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.loads().at(2), 0u);
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

TEST(AssignPolicy, EveryControllerUnfitMovesNothingAndGrantsNothing) {
  TestPool pool;
  for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
  pool.add_clusters(1, 6);
  ASSERT_TRUE(pool.settle());
  const auto before = pool.owners();
  pool.unfit = {1, 2, 3};
  EXPECT_TRUE(pool.plan_now().empty()) << "degraded mode: no receiver, nothing moves";
  pool.add_clusters(50, 1);
  EXPECT_TRUE(pool.plan_now().empty()) << "and an unowned cluster is granted to nobody";
  pool.unfit = {};
  ASSERT_TRUE(pool.settle());
  for (const auto& [id, owner] : before) EXPECT_EQ(pool.owners().at(id), owner) << "sticky";
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

TEST(AssignPolicy, WeightsSetTheShares) {
  TestPool pool;
  pool.add_controller(1, 1);
  pool.add_controller(2, 2);
  pool.add_controller(3, 3);
  pool.add_clusters(1, 60);
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.loads(), (std::map<NodeId, std::size_t>{{1, 10}, {2, 20}, {3, 30}}));
  // A weight change moves clusters towards the new shares, nothing else.
  const auto before = pool.owners();
  pool.must_apply(SetWeight{1, 3});
  ASSERT_TRUE(pool.settle());
  const auto loads = pool.loads();
  EXPECT_EQ(loads.at(2), 15u);  // 60 * 2/8
  EXPECT_TRUE(loads.at(1) == 22 || loads.at(1) == 23) << loads.at(1);  // 60 * 3/8 = 22.5
  EXPECT_EQ(loads.at(1) + loads.at(3), 45u);
  const auto moved = changed_owners(before, pool.owners());
  EXPECT_EQ(moved.size(), loads.at(1) - 10);  // the minimum: only what controller 1 gained
  for (const auto& [cluster, change] : moved) EXPECT_EQ(change.second, 1u) << cluster;
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

// 10 clusters on 3 controllers: 4/3/3 in any arrangement is balanced; none plans a move.
TEST(AssignPolicy, ABalancedStatePlansNothing) {
  for (NodeId heavy = 1; heavy <= 3; ++heavy) {
    TestPool pool;
    for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
    pool.add_clusters(1, 10);
    NodeId next = 1;
    for (ClusterId c = 1; c <= 10; ++c) {
      const NodeId to = c == 10 ? heavy : next;
      pool.must_apply(Assign{c, to, 0});
      next = next % 3 + 1;
    }
    EXPECT_EQ(pool.loads().at(heavy), 4u);
    EXPECT_TRUE(pool.plan_now().empty()) << "heavy " << heavy;
  }
}

TEST(AssignPolicy, AJoinMovesAtMostTheBoundAndOnlyToTheNewController) {
  TestPool pool;
  for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
  pool.add_clusters(1, 60);
  ASSERT_TRUE(pool.settle());
  const auto before = pool.owners();
  pool.add_controller(4);
  ASSERT_TRUE(pool.settle());
  const auto moved = changed_owners(before, pool.owners());
  EXPECT_LE(moved.size(), 60u / 4 + 1);
  for (const auto& [cluster, change] : moved) EXPECT_EQ(change.second, 4u) << cluster;
  EXPECT_EQ(pool.loads().at(4), 15u);
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

TEST(AssignPolicy, ALeaveMovesExactlyTheLeaversClusters) {
  TestPool pool;
  for (NodeId id = 1; id <= 4; ++id) pool.add_controller(id);
  pool.add_clusters(1, 61);
  ASSERT_TRUE(pool.settle());
  const auto before = pool.owners();
  pool.alive.erase(2);  // its lease ran out (the driver waited it out)
  pool.stable.erase(2);
  const std::vector<Command> takeover = pool.plan_now();
  EXPECT_EQ(count_releases(takeover), 0u);  // a dead owner cannot release: Assign directly
  ASSERT_TRUE(pool.settle());
  const auto moved = changed_owners(before, pool.owners());
  std::size_t of_leaver = 0;
  for (const auto& [cluster, owner] : before) of_leaver += owner == 2;
  EXPECT_EQ(moved.size(), of_leaver);
  for (const auto& [cluster, change] : moved) EXPECT_EQ(change.first, 2u) << cluster;
  EXPECT_LE(spread(pool.loads(), {1, 3, 4}), 1u);
}

// A drain hands over: Release{to} first (the old owner stops), the Assign next round. No
// cluster is ever unowned and each moves once.
TEST(AssignPolicy, ADrainHandsOverWithoutAnUnownedCluster) {
  TestPool pool;
  for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
  pool.add_clusters(1, 30);
  ASSERT_TRUE(pool.settle());
  pool.must_apply(Drain{1});
  const auto before = pool.owners();
  for (int round = 0; round < 10 && pool.round() > 0; ++round) {
    for (const auto& [id, cl] : pool.sm.clusters()) {
      EXPECT_NE(cl.state, ClusterState::kUnowned) << "cluster " << id << " round " << round;
    }
  }
  EXPECT_TRUE(pool.plan_now().empty());
  EXPECT_EQ(pool.loads().at(1), 0u);
  EXPECT_EQ(pool.loads().at(2), 15u);
  EXPECT_EQ(pool.loads().at(3), 15u);
  const auto moved = changed_owners(before, pool.owners());
  for (const auto& [cluster, change] : moved) EXPECT_EQ(change.first, 1u) << cluster;
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

TEST(AssignPolicy, StandbyNoRecoveryJoiningNotAliveAndNotStableGetNothing) {
  TestPool pool;
  pool.add_controller(1);
  RegisterController standby{2, "standby", "", 1, {}, ControllerRole::kStandby, false};
  pool.must_apply(standby);
  pool.must_apply(Activate{2});
  RegisterController no_recovery{3, "no-recovery", "", 1, {}, ControllerRole::kActive, false};
  pool.must_apply(no_recovery);
  pool.must_apply(Activate{3});
  pool.must_apply(RegisterController{4, "joining", "", 1, {}, ControllerRole::kActive, true});
  pool.add_controller(5);
  pool.alive.erase(5);  // registered and active, but not alive
  pool.add_controller(6);
  pool.stable.erase(6);  // alive, but not yet stable
  for (NodeId id : {2, 3, 4}) {
    pool.alive.insert(id);
    pool.stable.insert(id);
  }
  pool.add_clusters(1, 12);
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.loads(), (std::map<NodeId, std::size_t>{
                              {1, 12}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}}));
}

// A restart within the lease keeps the controller alive; while it is not yet stable again it
// keeps its clusters and nothing moves.
TEST(AssignPolicy, ARestartWithinTheLeaseMovesNothing) {
  TestPool pool;
  for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
  pool.add_clusters(1, 31);
  ASSERT_TRUE(pool.settle());
  pool.stable.erase(2);
  EXPECT_TRUE(pool.plan_now().empty());
  pool.stable.insert(2);
  EXPECT_TRUE(pool.plan_now().empty());
}

TEST(AssignPolicy, PinnedClustersFollowTheirPinnedOwnerWhileItIsAlive) {
  TestPool pool;
  for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
  pool.add_clusters(1, 9);
  ASSERT_TRUE(pool.settle());
  const NodeId first_owner = pool.owners().at(5);
  const NodeId pin = first_owner % 3 + 1;
  pool.must_apply(Pin{5, pin});
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.owners().at(5), pin);
  pool.alive.erase(pin);
  pool.stable.erase(pin);
  ASSERT_TRUE(pool.settle());
  EXPECT_NE(pool.owners().at(5), pin);  // fallback while the pinned owner is dead
  pool.alive.insert(pin);
  pool.stable.insert(pin);
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.owners().at(5), pin);
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

TEST(AssignPolicy, SiteAffinityWhileASiteControllerIsAliveFallbackOtherwise) {
  TestPool pool;
  pool.add_controller(1, 1, "A");
  pool.add_controller(2, 1, "A");
  pool.add_controller(3, 1, "B");
  pool.add_controller(4, 1);
  pool.add_clusters(1, 10, "A");
  pool.add_clusters(11, 10, "B");
  pool.add_clusters(21, 4);
  ASSERT_TRUE(pool.settle());
  for (const auto& [cluster, owner] : pool.owners()) {
    if (cluster <= 10) {
      EXPECT_TRUE(owner == 1 || owner == 2) << cluster;
    } else if (cluster <= 20) {
      EXPECT_EQ(owner, 3u) << cluster;
    }
  }
  pool.alive.erase(3);  // site B has no controller left: its clusters go anywhere
  pool.stable.erase(3);
  ASSERT_TRUE(pool.settle());
  EXPECT_EQ(pool.owners().size(), 24u);
  pool.alive.insert(3);
  pool.stable.insert(3);
  ASSERT_TRUE(pool.settle());
  for (ClusterId c = 11; c <= 20; ++c) EXPECT_EQ(pool.owners().at(c), 3u) << c;
  EXPECT_TRUE(pool.failures.empty()) << pool.failures.front();
}

TEST(AssignPolicy, MovesMaxLimitsTheReleasesOfOnePlan) {
  TestPool pool;
  for (NodeId id = 1; id <= 3; ++id) pool.add_controller(id);
  pool.add_clusters(1, 30);
  ASSERT_TRUE(pool.settle());
  pool.moves_max = 2;
  pool.must_apply(Drain{1});
  int rounds = 0;
  while (rounds < 100) {
    const std::vector<Command> commands = pool.plan_now();
    if (commands.empty()) break;
    EXPECT_LE(count_releases(commands), 2u);
    for (const Command& c : commands) pool.must_apply(c);
    ++rounds;
  }
  EXPECT_EQ(pool.loads().at(1), 0u);
  EXPECT_GE(rounds, 5);  // 10 clusters, 2 per round
  pool.moves_max = 0;
  pool.must_apply(Activate{1});
  EXPECT_EQ(count_releases(pool.plan_now()), 0u);
}

// A plan made on an older state is refused by the compare-and-set, not half-applied.
TEST(AssignPolicy, AStalePlanIsRefusedByTheEpochCheck) {
  TestPool pool;
  pool.add_controller(1);
  pool.add_controller(2);
  pool.add_clusters(1, 1);
  const std::vector<Command> stale = pool.plan_now();
  ASSERT_EQ(stale.size(), 1u);
  pool.must_apply(Assign{1, 2, 0});  // another decision won
  const ApplyResult r = pool.apply(stale.front());
  EXPECT_EQ(r.code, ApplyResult::Code::kStaleEpoch);
}

}  // namespace
}  // namespace quorum::ownership
