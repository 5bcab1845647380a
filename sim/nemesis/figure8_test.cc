#include "sim/nemesis/figure8.h"

#include <gtest/gtest.h>

#include "sim/nemesis/schedule.h"
#include "sim/nemesis/swarm.h"
#include "sim/world.h"

namespace quorum::sim {
namespace {

constexpr std::uint64_t kTimeoutUs = 1'000'000;

FaultAction episode(std::uint64_t param) {
  FaultAction a;
  a.kind = FaultKind::kFigure8;
  a.param = param;
  return a;
}

bool in_mask(std::uint32_t mask, NodeId n) { return ((mask >> n) & 1U) != 0; }

TEST(Figure8, PhasesCrashAndRestartTheRightNodesAndEndWithoutRules) {
  for (std::uint64_t param = 1; param <= 50; ++param) {
    for (const std::size_t n : {3u, 5u, 7u}) {
      FaultAction a = episode(param);
      const Figure8Plan p0 = figure8_plan(a, 4, 0, 2, n, kTimeoutUs);
      ASSERT_EQ(a.node, 2u) << "A is the leader when the episode starts";
      ASSERT_EQ(p0.rules.size(), 1u);
      EXPECT_EQ(p0.rules_label, "figure8#4");
      const MessageRule& strip0 = p0.rules[0];
      EXPECT_EQ(strip0.action, RuleAction::kStrip);
      EXPECT_EQ(strip0.entries, EntryFilter::kCurrentTerm);
      EXPECT_EQ(strip0.from_mask, 1U << 2);
      // S (the nodes A's entries still reach) is at most (n - 3) / 2: A and S stay a minority
      // that leaves C a majority.
      std::size_t s_size = 0;
      for (NodeId k = 1; k <= n; ++k) s_size += (k != 2 && !in_mask(strip0.to_mask, k)) ? 1 : 0;
      EXPECT_LE(s_size, (n - 3) / 2);

      const Figure8Plan p1 = figure8_plan(a, 4, 1, kNoNode, n, kTimeoutUs);
      ASSERT_EQ(p1.crash, std::vector<NodeId>{2});
      ASSERT_EQ(p1.rules.size(), 2u);
      // Only C campaigns: every vote request but C's is dropped; C is not A and not in S.
      const std::uint32_t voters_muted = p1.rules[0].from_mask;
      NodeId c = kNoNode;
      for (NodeId k = 1; k <= n; ++k) {
        if (!in_mask(voters_muted, k)) c = k;
      }
      EXPECT_NE(c, 2u);
      EXPECT_TRUE(in_mask(strip0.to_mask, c)) << "C must not hold A's entries";
      EXPECT_EQ(p1.rules[1].from_mask, 1U << c);

      const Figure8Plan p2 = figure8_plan(a, 4, 2, kNoNode, n, kTimeoutUs);
      EXPECT_EQ(p2.crash, std::vector<NodeId>{c});
      EXPECT_EQ(p2.restart, std::vector<NodeId>{2});
      EXPECT_FALSE(in_mask(p2.rules[0].from_mask, 2));  // only A campaigns
      const Figure8Plan p3 = figure8_plan(a, 4, 3, kNoNode, n, kTimeoutUs);
      EXPECT_EQ(p3.crash, std::vector<NodeId>{2});
      EXPECT_EQ(p3.restart, std::vector<NodeId>{c});
      const Figure8Plan p4 = figure8_plan(a, 4, 4, kNoNode, n, kTimeoutUs);
      EXPECT_TRUE(p4.rules.empty());
      EXPECT_EQ(p4.restart, std::vector<NodeId>{2});
      EXPECT_EQ(p4.next_phase_in_us, 0u);
      EXPECT_GT(p0.next_phase_in_us + p1.next_phase_in_us + p2.next_phase_in_us +
                    p3.next_phase_in_us, 10 * kTimeoutUs);
    }
  }
}

TEST(Figure8, AnEpisodeWithoutALeaderIsSkipped) {
  FaultAction a = episode(9);
  const Figure8Plan p = figure8_plan(a, 0, 0, kNoNode, 5, kTimeoutUs);
  EXPECT_TRUE(p.rules.empty());
  EXPECT_TRUE(p.crash.empty());
  EXPECT_EQ(p.next_phase_in_us, 0u);
}

TEST(Figure8, EpisodesAreOptInAndDoNotMoveOtherFaultKinds) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SwarmConfig off = draw_swarm(Prng(seed), SwarmOptions{5, Profile::kLan, true, false});
    SwarmOptions with;
    with.node_count = 5;
    with.figure8 = true;
    const SwarmConfig on = draw_swarm(Prng(seed), with);
    const auto k8 = static_cast<std::size_t>(FaultKind::kFigure8);
    EXPECT_EQ(off.mean_gap_us[k8], 0u);
    EXPECT_GT(on.mean_gap_us[k8], 0u);
    for (std::size_t k = 0; k < k8; ++k) EXPECT_EQ(off.mean_gap_us[k], on.mean_gap_us[k]);
    const FaultSchedule s_off = draw_schedule(Prng(seed + 100), off, 5, 1'000'000, 40'000'000);
    for (const FaultAction& a : s_off) EXPECT_NE(a.kind, FaultKind::kFigure8);
  }
}

RunConfig mixed(std::uint64_t seed) {
  RunConfig c;
  c.seed = seed;
  c.node_count = seed % 2 == 0 ? 3 : 5;
  c.profile = (seed / 2) % 2 == 0 ? Profile::kLan : Profile::kWan;
  c.duration_us = 60'000'000;
  c.figure8 = true;
  return c;
}

TEST(Figure8, EpisodesRunToTheEndAndKeepAnUnmutatedSwarmSafe) {
  std::size_t completed = 0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {  // 3 and 5 nodes, LAN and WAN
    RunConfig c = mixed(seed);
    c.record_trace = true;
    World world(c);
    const RunResult r = world.run();
    EXPECT_EQ(r.status, RunStatus::kPass) << "seed " << seed;
    for (const TraceLine& l : world.trace().lines()) {
      completed += l.details.rfind("figure8 phase 4", 0) == 0 ? 1 : 0;
    }
  }
  EXPECT_GE(completed, 3u);
}

TEST(Figure8, TheSameSeedGivesTheSameTraceHash) {
  EXPECT_EQ(run_seed(mixed(2)).trace_hash, run_seed(mixed(2)).trace_hash);  // 3 nodes, LAN
}

}  // namespace
}  // namespace quorum::sim
