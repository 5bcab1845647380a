// Planted bugs (engine/core/base/mutation.h): with one bug switched on, the simulator must report
// a failure within a stated number of seeds. Each seed runs in a forked child, so a core
// assertion (the bug tripping an in-code invariant) counts as caught without killing the test.
// The seeds needed are printed; the bounds below are about 3x what was measured, at least 5
// (docs/simulation.md, "Planted bugs": re-measured over seeds 1-200 after the ownership prompt
// hops of f3f30b5 and 3c16583).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "sim/scenario/scenario_runner.h"
#include "sim/world.h"

namespace quorum::sim {
namespace {

// How a seed ended: 0 pass, 1 safety, 2 liveness, 3 a disruption (engine/check/disruption.h, in
// scenarios with judge_disruptions), 4 expectation, 100+signal crash.
// With figure8, every seed also runs Raft Figure 8 episodes (sim/nemesis/figure8.h).
int run_in_child(Mutation m, std::uint64_t seed, const std::string& scenario,
                 bool figure8 = false, bool galera = false, bool pool = false) {
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    if (scenario.empty()) {
      RunConfig c;
      c.seed = seed;
      c.node_count = seed % 2 == 0 ? 3 : 5;
      c.profile = (seed / 2) % 2 == 0 ? Profile::kLan : Profile::kWan;
      c.duration_us = 60'000'000;  // as `quorum-sim swarm --mixed`
      c.mutation = m;
      c.figure8 = figure8;
      c.galera = galera;
      c.pool = pool;
      const RunResult r = run_seed(c);
      code = r.status == RunStatus::kPass ? 0 : r.status == RunStatus::kSafety ? 1 : 2;
    } else {
      const ScenarioResult r = run_scenario_file(scenario, seed, m);
      bool disruption = false;
      for (const check::InvariantViolation& v : r.run.violations) {
        disruption = disruption || v.invariant == "disruption";
      }
      code = r.passed() ? 0 : r.run.status == RunStatus::kSafety ? 1 : disruption ? 3 : 4;
    }
    std::fflush(nullptr);
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 100 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Returns the 1-based number of seeds run until the first failure, or 0 if none failed.
std::uint64_t seeds_to_catch(Mutation m, std::uint64_t seeds_max, const std::string& scenario = "",
                             bool figure8 = false, bool galera = false, bool pool = false) {
  for (std::uint64_t s = 1; s <= seeds_max; ++s) {
    const int outcome = run_in_child(m, s, scenario, figure8, galera, pool);
    if (outcome != 0) {
      std::printf("mutation %s caught after %llu seed(s) (outcome %d)\n",
                  std::string(kMutationNames[static_cast<std::size_t>(m)]).c_str(),
                  static_cast<unsigned long long>(s), outcome);
      return s;
    }
  }
  return 0;
}

const std::string kScenarios = "sim/scenarios/";  // tests run from the repository root
const std::string kFigure8 = kScenarios + "figure8-old-term-commit.textproto";
const std::string kOneWayCutIdle = kScenarios + "one_way_cut_idle.textproto";

TEST(PlantedBugs, TheUnmutatedBuildPassesTheSameSeeds) {
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 5), 0u);
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 3, kScenarios + "minority_leader_partition.textproto"), 0u);
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 3, kScenarios + "rejoin_isolated_node.textproto"), 0u);
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 3, kScenarios + "disk_stall_crash.textproto"), 0u);
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 3, kFigure8), 0u);
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 10, kOneWayCutIdle), 0u);
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 20, "", /*figure8=*/true), 0u);
}

TEST(PlantedBugs, NoCheckQuorumLeavesAnIsolatedLeaderInCharge) {
  // Not a safety bug (Raft stays safe without CheckQuorum): the scenario's "must step down"
  // expectation catches it. Measured: seed 1.
  const auto n = seeds_to_catch(Mutation::kNoCheckQuorum, 3,
                                kScenarios + "minority_leader_partition.textproto");
  EXPECT_GT(n, 0u);
}

TEST(PlantedBugs, NoCheckQuorumIsFoundByThePlainSwarm) {
  // The split-brain step-down bound (engine/check/split_brain.h): an isolated leader that never
  // steps down stays in office long after the majority elected a newer one. Measured: seed 5
  // (47 of 200 seeds; seed 1 and 60 of 200 before the prompt hops, when the bound was 5).
  EXPECT_GT(seeds_to_catch(Mutation::kNoCheckQuorum, 15), 0u);
}

TEST(PlantedBugs, DoubleVoteElectsTwoLeadersInATerm) {
  // Measured: seed 3 (80 of 200 seeds; seed 1 before the prompt hops).
  EXPECT_GT(seeds_to_catch(Mutation::kDoubleVote, 10), 0u);
}

TEST(PlantedBugs, CommitOfAnOldTermEntryLosesCommittedData) {
  // The random swarm did not catch this in 1,000 seeds: the bug only bites in Raft's Figure 8
  // schedule, which the scenario scripts with message rules (sim/scenarios/figure8-...). The
  // schedule does not depend on the seed's latencies or timeouts, so every seed must catch it,
  // and as a safety violation (leader completeness), not merely a failed expectation.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    EXPECT_EQ(run_in_child(Mutation::kCommitOldTerm, seed, kFigure8), 1) << "seed " << seed;
  }
}

TEST(PlantedBugs, CommitOfAnOldTermEntryIsFoundByASwarmWithFigure8Episodes) {
  // The randomized form: the mixed swarm plus Figure 8 episodes whose roles (the leader of the
  // moment, who else gets its entries, the rival) and phase lengths come from the seed.
  // Measured: first caught at seed 5, 21 of seeds 1-200 (leader-completeness) after the prompt
  // hops (seed 2, 30 of 200 before), while the unmutated build passes all 200
  // (docs/simulation.md).
  EXPECT_GT(seeds_to_catch(Mutation::kCommitOldTerm, 20, "", /*figure8=*/true), 0u);
}

TEST(PlantedBugs, AckBeforePersistLosesAcknowledgedWrites) {
  // Random swarms rarely crash a follower inside its sync window; the scripted disk stall does.
  EXPECT_GT(seeds_to_catch(Mutation::kAckBeforePersist, 3,
                           kScenarios + "disk_stall_crash.textproto"), 0u);  // measured: seed 1
}

TEST(PlantedBugs, NoPreVoteLetsARejoiningNodeDeposeTheLeader) {
  // A disruption, not a safety bug: the rejoining node's higher term deposes the leader, which
  // the scenario's "same leader, same term" expectation catches. Measured: seed 1.
  const auto n = seeds_to_catch(Mutation::kNoPreVote, 3, kScenarios + "rejoin_isolated_node.textproto");
  EXPECT_GT(n, 0u);
}

TEST(PlantedBugs, APreVoteGrantedDespiteStickinessIsANeedlessElection) {
  // Issue 10: a follower that heard from the leader within T grants a pre-vote anyway. Safety
  // holds and the leader keeps its office while the cut lasts, so no safety checker and none of
  // asymmetric_link's expectations see it (6,000 swarm seeds did not); the disruption judge
  // (engine/check/disruption.h) sees the cut-off follower reach a term above the healthy
  // leader's, during the cut (about 1 s into it), before any expectation could. The group is
  // idle so that the follower's log stays up to date: with client writes the voters refuse its
  // stale log and the bug never acts. Measured: 20 of seeds 1-20 (and no-pre-vote 10 of 10);
  // the unmutated scenario passes 100 of 100; asymmetric_link (with writes) passes the bug 10/10.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    EXPECT_EQ(run_in_child(Mutation::kPreVoteIgnoresStickiness, seed, kOneWayCutIdle), 3)
        << "seed " << seed;
  }
}

TEST(PlantedBugs, NoPreVoteIsADisruptionToo) {
  EXPECT_EQ(run_in_child(Mutation::kNoPreVote, 1, kOneWayCutIdle), 3);
}

TEST(PlantedBugs, AcceptingAMismatchedPrevBreaksLogMatching) {
  // Measured: seed 41 (19 of 200 seeds) after the prompt hops; seed 26 (19 of 300) since the
  // leader paces probes by answers; seed 5 before that.
  EXPECT_GT(seeds_to_catch(Mutation::kAcceptMismatchedPrev, 125), 0u);
}

TEST(PlantedBugs, ALeaseCountedFromTheAcksReceiptOutlivesTheVotersPromise) {
  // Issue 8 section 0: the lease counts from the send tick of the round a majority acknowledged;
  // counted from the receipt of the acks it is a round trip too long. The lease checker
  // (engine/check/leader_lease.h) sees the voters stop refusing votes while the leader still
  // believes; it needs WAN round trips and a lease told the simulated drift bound
  // (SwarmConfig::lease_drift_ppm_max). Measured: first caught at seed 23, 4 of seeds 1-200
  // (seed 39, 6 of 200 before the prompt hops), all WAN; the unmutated build passes 600 of 600.
  // A rare catch (2 %): the bound stays 120, about 5x the first seed.
  EXPECT_GT(seeds_to_catch(Mutation::kLeaseFromAckReceipt, 120), 0u);
}

TEST(PlantedBugs, ApplyBeforeCommitBreaksStateMachineSafety) {
  EXPECT_GT(seeds_to_catch(Mutation::kApplyBeforeCommit, 10), 0u);  // measured: seed 1
}

// Ownership (issue 8 section 7): the plain mixed swarm with the pool (sessions, the pool
// workload's events among the faults, the ownership checkers of sim/checkers/ownership.h).
// Measured with a scratch wiring of the driver (helper simown, before the host's landed).
// Pool runs keep every clock within the drift bound the core is told (each at most half of
// it: the bound is a rate difference of two clocks); with each clock at the whole bound the
// unmutated pool broke the Raft lease's assumption (seed 9, leader-lease checker).
TEST(PlantedBugs, TheUnmutatedPoolPassesTheSeedsTheOwnershipBoundsUse) {
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 30, "", false, false, /*pool=*/true), 0u);
}

TEST(PlantedBugs, ReassignBeforeLeaseExpiryLetsTwoControllersActAtOnce) {
  // (h) the leader takes a silent owner's clusters at once. Measured: seed 3 (98 of 200 seeds;
  // also seed 3 before the prompt hops).
  EXPECT_GT(seeds_to_catch(Mutation::kReassignBeforeLeaseExpiry, 10, "", false, false, true), 0u);
}

TEST(PlantedBugs, AnOwnerIgnoringItsLeaseExpiryActsAfterATakeover) {
  // (i) may_act does not look at the session's end. Measured: seed 3 (70 of 200 seeds; seed 1
  // before the prompt hops, when the bound was 5).
  EXPECT_GT(seeds_to_catch(Mutation::kOwnerIgnoresLeaseExpiry, 10, "", false, false, true), 0u);
}

// (j) the lease inequalities leave out rho. The random pool swarm keeps each clock within half
// the pairwise bound, where the margin it removes is about a tick at L = 3E: not caught within a
// bound (before that change, with clocks at the whole bound, first at seed 9 of 80; after the
// prompt hops first at seed 185, 2 of seeds 1-200). The
// scripted drift-at-bound scenario sets the schedule it needs: rho = 20%, the leader's clock 10%
// fast, an owner's 10% slow, and that owner cut off from everyone; without the margin it still
// acts about 0.5 s after the leader granted its clusters to others (invariant 6, a safety
// violation). The schedule does not depend on the seed's latencies, so every seed must catch it,
// and the unmutated build passes the same seeds.
const std::string kDriftAtBound = kScenarios + "pool_drift_at_bound.textproto";

TEST(PlantedBugs, NoDriftMarginOverlapsAtTheDriftBound) {
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 3, kDriftAtBound), 0u);
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    EXPECT_EQ(run_in_child(Mutation::kNoDriftMargin, seed, kDriftAtBound), 1) << "seed " << seed;
  }
}

TEST(PlantedBugs, ANewLeaderReassigningRightAfterElectionOverlapsWithTheOldOwner) {
  // (k) no new-leader grace period. Measured: seed 1 (99 of 200 seeds; seed 3, 32 of 60, before
  // the prompt hops, when the bound was 10).
  EXPECT_GT(seeds_to_catch(Mutation::kReassignRightAfterElection, 5, "", false, false, true), 0u);
}

TEST(PlantedBugs, AnEpochKeptOnAMoveNamesTwoOwners) {
  // (l) an Assign to a new owner keeps the old epoch: two controllers act under one epoch.
  // Measured: seed 1 (187 of 200 seeds; 50 of 60 before the prompt hops).
  EXPECT_GT(seeds_to_catch(Mutation::kEpochKeptOnMove, 5, "", false, false, true), 0u);
}

}  // namespace
// (m) A leader whose Galera backend turned unhealthy keeps leading: caught by a bounded swarm
// with the Galera model (galera-isolate-leader cuts the leader's Galera traffic while its Raft
// links stay fine; invariant 8's checker reports a leader unfit beyond the hand-over bound).
TEST(PlantedBugs, LeaderIgnoresUnhealthyBackendIsCaughtByAGaleraSwarm) {
  EXPECT_EQ(seeds_to_catch(Mutation::kNone, 3, "", false, /*galera=*/true), 0u);
  EXPECT_GT(seeds_to_catch(Mutation::kLeaderIgnoresUnhealthyBackend, 10, "", false,
                           /*galera=*/true), 0u);
}

}  // namespace quorum::sim
