// Swarm runs with the Galera model (RunConfig::galera): backend health follows the simulated
// network, the nemesis also cuts the Raft leader's Galera traffic (Raft links fine), and
// invariant 8 is checked after every event. An unmutated swarm passes, the Galera faults fire
// and the leader really hands over; the same seed gives the same trace hash.
#include <gtest/gtest.h>

#include "sim/nemesis/schedule.h"
#include "sim/nemesis/swarm.h"
#include "sim/world.h"

namespace quorum::sim {
namespace {

RunConfig galera_run(std::uint64_t seed) {
  RunConfig c;
  c.seed = seed;
  c.node_count = seed % 2 == 0 ? 3 : 5;
  c.profile = (seed / 2) % 2 == 0 ? Profile::kLan : Profile::kWan;
  c.duration_us = 60'000'000;
  c.galera = true;
  return c;
}

TEST(GaleraSwarm, GaleraFaultsAreOptInAndDoNotMoveOtherFaultKinds) {
  const auto kg = static_cast<std::size_t>(FaultKind::kGaleraIsolateLeader);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SwarmConfig off = draw_swarm(Prng(seed), SwarmOptions{5, Profile::kLan, true, false});
    SwarmOptions with;
    with.node_count = 5;
    with.galera = true;
    const SwarmConfig on = draw_swarm(Prng(seed), with);
    EXPECT_EQ(off.mean_gap_us[kg], 0u);
    EXPECT_GT(on.mean_gap_us[kg], 0u);
    for (std::size_t k = 0; k < kg; ++k) EXPECT_EQ(off.mean_gap_us[k], on.mean_gap_us[k]);
  }
}

TEST(GaleraSwarm, AnUnmutatedSwarmKeepsInvariant8WhileGaleraFaultsFire) {
  std::size_t unfit_changes = 0;
  std::size_t galera_cuts = 0;
  std::size_t elections = 0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {  // 3 and 5 nodes, LAN and WAN
    RunConfig c = galera_run(seed);
    c.record_trace = true;
    World world(c);
    const RunResult r = world.run();
    EXPECT_EQ(r.status, RunStatus::kPass) << "seed " << seed << ": "
                                          << (r.violations.empty() ? "" : r.violations[0].detail);
    for (const TraceLine& l : world.trace().lines()) {
      unfit_changes += l.details.rfind("galera non-Primary", 0) == 0 ? 1 : 0;
      galera_cuts += l.details.rfind("galera traffic of this node cut", 0) == 0 ? 1 : 0;
    }
    elections += r.probes.count(Probe::kLeaderElected);
  }
  EXPECT_GT(unfit_changes, 0u);
  EXPECT_GT(galera_cuts, 0u);
  EXPECT_GT(elections, 4u);
}

// Scenario: the Galera node on the Raft leader's host is cut off from the other Galera nodes
// (a Galera minority of one) while every Raft link stays up. The leader must hand over to a
// controller whose Galera node is Primary+Synced, within the invariant-8 bound, and must not
// get leadership back while its Galera node is cut off.
TEST(GaleraScenario, GaleraMinorityOnTheRaftLeadersHostMovesLeadership) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    RunConfig c;
    c.seed = seed;
    c.node_count = 3;
    c.duration_us = 40'000'000;  // the quiet period (15 s) heals everything at 25 s
    c.galera = true;
    c.faults = false;
    FaultAction cut;
    cut.at_us = 8'000'000;
    cut.kind = FaultKind::kGaleraIsolateLeader;
    cut.duration_us = 10'000'000;
    c.schedule = FaultSchedule{cut};
    World world(c);
    world.begin();
    world.run_until(cut.at_us - 1);
    const NodeId old_leader = world.current_leader();
    ASSERT_NE(old_leader, kNoNode) << "seed " << seed;
    world.run_until(cut.at_us + 4'000'000);
    const NodeId new_leader = world.current_leader();
    EXPECT_NE(new_leader, kNoNode) << "seed " << seed;
    EXPECT_NE(new_leader, old_leader) << "seed " << seed;
    world.run_until(cut.at_us + cut.duration_us - 1);
    EXPECT_NE(world.current_leader(), old_leader) << "seed " << seed;
    const RunResult r = world.finish();
    EXPECT_EQ(r.status, RunStatus::kPass) << "seed " << seed << ": "
                                          << (r.violations.empty() ? "" : r.violations[0].detail);
  }
}

TEST(GaleraSwarm, TheSameSeedGivesTheSameTraceHash) {
  EXPECT_EQ(run_seed(galera_run(2)).trace_hash, run_seed(galera_run(2)).trace_hash);
}

}  // namespace
}  // namespace quorum::sim
