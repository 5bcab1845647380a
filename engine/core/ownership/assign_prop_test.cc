// Property tests (RapidCheck) of the assignment policy: balance bounds at the fixpoint of
// repeated plan + apply, movement on join and leave against the stated bounds, stickiness, and
// that random pool events never make a planned command fail or an ineligible controller gain
// a cluster.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "engine/core/ownership/assign.h"
#include "engine/core/ownership/testing_pool.h"

namespace quorum::ownership {
namespace {

using testing::changed_owners;
using testing::TestPool;

bool gen_dead() { return *rc::gen::inRange(0, 4) == 0; }

// floor(M*w/W) <= load <= ceil(M*w/W) for every receiver.
void assert_within_shares(const TestPool& pool, const std::map<NodeId, std::uint32_t>& weights) {
  std::uint64_t total_weight = 0;
  for (const auto& [id, w] : weights) total_weight += w;
  const std::uint64_t clusters = pool.sm.clusters().size();
  const auto loads = pool.loads();
  for (const auto& [id, w] : weights) {
    const std::uint64_t lo = clusters * w / total_weight;
    const std::uint64_t hi = (clusters * w + total_weight - 1) / total_weight;
    RC_ASSERT(loads.at(id) >= lo);
    RC_ASSERT(loads.at(id) <= hi);
  }
}

TestPool settled_pool(std::size_t controllers, std::size_t clusters, bool equal_weights,
                      std::map<NodeId, std::uint32_t>* weights) {
  TestPool pool;
  for (NodeId id = 1; id <= controllers; ++id) {
    const std::uint32_t w = equal_weights ? 1 : *rc::gen::inRange<std::uint32_t>(1, 5);
    pool.add_controller(id, w);
    (*weights)[id] = w;
  }
  pool.add_clusters(1, clusters);
  RC_ASSERT(pool.settle());
  RC_ASSERT(pool.failures.empty());
  return pool;
}

RC_GTEST_PROP(AssignProperty, FixpointIsWithinTheWeightedSharesAndComplete, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(1, 13);
  const auto m = *rc::gen::inRange<std::size_t>(0, 301);
  const bool equal = *rc::gen::arbitrary<bool>();
  std::map<NodeId, std::uint32_t> weights;
  TestPool pool = settled_pool(n, m, equal, &weights);
  RC_ASSERT(pool.owners().size() == m);
  assert_within_shares(pool, weights);
  if (equal) {
    const auto loads = pool.loads();
    const auto [lo, hi] = std::minmax_element(
        loads.begin(), loads.end(), [](auto& a, auto& b) { return a.second < b.second; });
    RC_ASSERT(hi->second - lo->second <= 1);
  }
  // Stickiness: the fixpoint plans nothing, also with a tight rate limit.
  pool.moves_max = 1;
  RC_ASSERT(pool.plan_now().empty());
}

RC_GTEST_PROP(AssignProperty, AJoinMovesAtMostTheBoundAllToTheNewController, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(1, 11);
  const auto m = *rc::gen::inRange<std::size_t>(0, 301);
  std::map<NodeId, std::uint32_t> weights;
  TestPool pool = settled_pool(n, m, true, &weights);
  const auto before = pool.owners();
  const NodeId joiner = n + 1;
  pool.add_controller(joiner);
  weights[joiner] = 1;
  RC_ASSERT(pool.settle());
  RC_ASSERT(pool.failures.empty());
  const auto moved = changed_owners(before, pool.owners());
  RC_ASSERT(moved.size() <= (m + n) / (n + 1) + 1);  // ceil(M/(N+1)) + 1
  for (const auto& [cluster, change] : moved) RC_ASSERT(change.second == joiner);
  assert_within_shares(pool, weights);
}

RC_GTEST_PROP(AssignProperty, ALeaveMovesExactlyTheLeaversClusters, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(2, 11);
  const auto m = *rc::gen::inRange<std::size_t>(0, 301);
  std::map<NodeId, std::uint32_t> weights;
  TestPool pool = settled_pool(n, m, true, &weights);
  const auto before = pool.owners();
  const NodeId leaver = *rc::gen::inRange<NodeId>(1, n + 1);
  pool.alive.erase(leaver);
  pool.stable.erase(leaver);
  weights.erase(leaver);
  RC_ASSERT(pool.settle());
  RC_ASSERT(pool.failures.empty());
  const auto moved = changed_owners(before, pool.owners());
  std::size_t of_leaver = 0;
  for (const auto& [cluster, owner] : before) of_leaver += owner == leaver;
  RC_ASSERT(moved.size() == of_leaver);
  for (const auto& [cluster, change] : moved) RC_ASSERT(change.first == leaver);
  assert_within_shares(pool, weights);
}

// Any assignment whose loads are within the shares is left alone, however it was reached.
RC_GTEST_PROP(AssignProperty, AnyBalancedAssignmentPlansNothing, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(1, 9);
  const auto m = *rc::gen::inRange<std::size_t>(0, 101);
  TestPool pool;
  for (NodeId id = 1; id <= n; ++id) pool.add_controller(id);
  pool.add_clusters(1, m);
  // Loads: m / n each, the remainder to a random subset; clusters dealt in a random order.
  std::vector<NodeId> slots;
  std::vector<NodeId> ids;
  for (NodeId id = 1; id <= n; ++id) ids.push_back(id);
  const auto extra = *rc::gen::unique<std::vector<NodeId>>(m % n, rc::gen::elementOf(ids));
  for (NodeId id = 1; id <= n; ++id) {
    const std::size_t count = m / n + (std::count(extra.begin(), extra.end(), id) ? 1 : 0);
    slots.insert(slots.end(), count, id);
  }
  RC_ASSERT(slots.size() == m);
  std::vector<std::size_t> order(m);
  for (std::size_t i = 0; i < m; ++i) order[i] = i;
  for (std::size_t i = m; i > 1; --i) {
    std::swap(order[i - 1], order[*rc::gen::inRange<std::size_t>(0, i)]);
  }
  for (std::size_t i = 0; i < m; ++i) pool.must_apply(Assign{i + 1, slots[order[i]], 0});
  RC_ASSERT(pool.failures.empty());
  RC_ASSERT(pool.plan_now().empty());
}

// Site affinity at the fixpoint: a cluster tagged site=S is owned by a controller of site S
// whenever one is a receiver, and by someone otherwise; every cluster is owned.
RC_GTEST_PROP(AssignProperty, SiteAffinityHoldsAtTheFixpointWheneverTheSiteHasAReceiver, ()) {
  TestPool pool;
  const auto n = *rc::gen::inRange<std::size_t>(1, 9);
  std::map<NodeId, std::string> site_of;
  for (NodeId id = 1; id <= n; ++id) {
    site_of[id] = *rc::gen::element<std::string>("", "A", "B");
    pool.add_controller(id, *rc::gen::inRange<std::uint32_t>(1, 4), site_of[id]);
  }
  const auto m = *rc::gen::inRange<std::size_t>(0, 80);
  for (ClusterId id = 1; id <= m; ++id) {
    pool.add_clusters(id, 1, *rc::gen::element<std::string>("", "A", "B", "C"));
  }
  for (NodeId id = 1; id <= n; ++id) {
    if (id > 1 && gen_dead()) {
      pool.alive.erase(id);
      pool.stable.erase(id);
    }
  }
  RC_ASSERT(pool.settle());
  RC_ASSERT(pool.failures.empty());
  const auto owners = pool.owners();
  RC_ASSERT(owners.size() == m);
  for (const auto& [cluster, owner] : owners) {
    RC_ASSERT(pool.alive.count(owner) == 1);
    const Tags& tags = pool.sm.find_cluster(cluster)->tags;
    auto it = tags.find("site");
    if (it == tags.end()) continue;
    bool site_has_receiver = false;
    for (NodeId id : pool.stable) site_has_receiver |= site_of[id] == it->second;
    if (site_has_receiver) RC_ASSERT(site_of[owner] == it->second);
  }
}

// A drain under any rate limit: every cluster of the drained controller is handed over
// (kHandingOver, never kUnowned), each moves once, and only the drained controller loses any
// (equal weights: the others end within one of each other, so no one takes from another).
RC_GTEST_PROP(AssignProperty, ADrainHandsOverEveryClusterWithoutAGap, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(2, 9);
  const auto m = *rc::gen::inRange<std::size_t>(0, 200);
  std::map<NodeId, std::uint32_t> weights;
  TestPool pool = settled_pool(n, m, true, &weights);
  const NodeId drained = *rc::gen::inRange<NodeId>(1, n + 1);
  pool.must_apply(Drain{drained});
  pool.moves_max = *rc::gen::inRange<std::size_t>(1, 20);
  const auto before = pool.owners();
  std::map<ClusterId, int> grants;
  for (int round = 0; round < 500; ++round) {
    const std::vector<Command> commands = pool.plan_now();
    if (commands.empty()) break;
    for (const Command& c : commands) {
      if (const auto* a = std::get_if<Assign>(&c)) ++grants[a->cluster];
      pool.must_apply(c);
    }
    for (const auto& [id, cl] : pool.sm.clusters()) RC_ASSERT(cl.state != ClusterState::kUnowned);
  }
  RC_ASSERT(pool.plan_now().empty());
  RC_ASSERT(pool.failures.empty());
  RC_ASSERT(pool.loads().at(drained) == 0);
  for (const auto& [cluster, change] : changed_owners(before, pool.owners())) {
    RC_ASSERT(change.first == drained);
    RC_ASSERT(grants[cluster] == 1);
  }
}

// Random pool events between rounds: every planned command applies, invariants hold, no
// controller that may not receive load gains a cluster, and no plan exceeds moves_max Releases.
RC_GTEST_PROP(AssignProperty, PlansAlwaysApplyUnderRandomPoolEvents, ()) {
  TestPool pool;
  const auto n = *rc::gen::inRange<std::size_t>(1, 8);
  for (NodeId id = 1; id <= n; ++id) {
    pool.add_controller(id, *rc::gen::inRange<std::uint32_t>(1, 4),
                        *rc::gen::element<std::string>("", "A", "B"));
  }
  pool.add_clusters(1, *rc::gen::inRange<std::size_t>(0, 60));
  pool.moves_max = *rc::gen::inRange<std::size_t>(0, 6);
  const int steps = *rc::gen::inRange(1, 40);
  for (int step = 0; step < steps; ++step) {
    const NodeId id = *rc::gen::inRange<NodeId>(1, n + 1);
    switch (*rc::gen::inRange(0, 8)) {
      case 0:
        pool.alive.erase(id);
        pool.stable.erase(id);
        break;
      case 1:
        pool.alive.insert(id);
        break;
      case 2:
        pool.stable.insert(id);
        break;
      case 3:
        (void)pool.apply(Drain{id});
        break;
      case 4:
        (void)pool.apply(Activate{id});
        break;
      case 5:
        (void)pool.apply(SetWeight{id, *rc::gen::inRange<std::uint32_t>(1, 4)});
        break;
      case 6:
        (void)pool.apply(Pin{*rc::gen::inRange<ClusterId>(1, 60), id});
        break;
      default:
        break;
    }
    const auto before = pool.owners();
    const std::vector<Command> commands = pool.plan_now();
    std::size_t releases = 0;
    for (const Command& c : commands) releases += std::holds_alternative<Release>(c);
    RC_ASSERT(releases <= pool.moves_max);
    for (const Command& c : commands) pool.must_apply(c);
    RC_ASSERT(pool.failures.empty());
    for (const auto& [cluster, change] : changed_owners(before, pool.owners())) {
      if (change.second == kNoNode) continue;
      const Controller* c = pool.sm.find_controller(change.second);
      RC_ASSERT(c->state == ControllerState::kActive);
      RC_ASSERT(pool.alive.count(change.second) == 1);
      const Cluster* cl = pool.sm.find_cluster(cluster);
      RC_ASSERT(pool.stable.count(change.second) == 1 || cl->pinned_owner == change.second);
    }
  }
}

}  // namespace
}  // namespace quorum::ownership
