// quorum-bench core: the pure Raft core alone, no host, no codec, no disk: an in-process group of
// Nodes (the raft unit tests' harness) with heartbeats every tick and one proposal per tick,
// compacting every 1,000 ticks. Reports group ticks per second and committed proposals per
// second; what it measures is the cost of the state machine plus its invariant checks, the floor
// under every simulator and daemon figure.
#include "tools/quorum-bench/bench_core.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::bench {

int cmd_core(std::uint64_t ticks, std::size_t nodes) {
  using Clock = std::chrono::steady_clock;
  raft::testing::Cluster group(nodes);
  const NodeId leader = group.elect();
  if (leader == kNoNode) {
    std::fprintf(stderr, "quorum-bench core: no leader elected\n");
    return 1;
  }
  std::printf("core: %zu nodes, %llu ticks, one proposal and one heartbeat round per tick\n", nodes,
              static_cast<unsigned long long>(ticks));
  const LogIndex commit_before = group.node(leader).commit_index();
  const auto start = Clock::now();
  const auto cpu_start = std::clock();
  for (std::uint64_t i = 0; i < ticks; ++i) {
    const auto result = group.node(leader).propose("k=" + std::to_string(i));
    if (result.code != raft::ProposeResult::Code::kAccepted) {
      std::fprintf(stderr, "quorum-bench core: proposal %llu refused\n",
                   static_cast<unsigned long long>(i));
      return 1;
    }
    group.tick();
    if (i % 1000 == 999) {
      for (NodeId id : group.ids()) group.node(id).compact(group.node(id).applied_index(), "img");
    }
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const LogIndex committed = group.node(leader).commit_index() - commit_before;
  if (committed < ticks) {
    std::fprintf(stderr, "quorum-bench core: only %llu of %llu proposals committed\n",
                 static_cast<unsigned long long>(committed), static_cast<unsigned long long>(ticks));
    return 1;
  }
  std::printf("wall %.2f s, cpu %.2f s: %.0f group ticks/s, %.0f commits/s (per cpu second)\n",
              wall_s, cpu_s, static_cast<double>(ticks) / cpu_s,
              static_cast<double>(committed) / cpu_s);
  return 0;
}

}  // namespace quorum::bench
