// quorum-bench core: the pure Raft core alone, no codec, no disk: an in-process group of Nodes on
// the core harness (engine/host/memory/core_cluster.h: MemoryStorage, the host's Ready executor)
// with heartbeats every tick and one proposal per tick, compacting every 1,000 ticks. Reports
// group ticks per second and committed proposals per second; what it measures is the cost of the
// state machine plus its invariant checks and the in-memory store, the floor under every
// simulator and daemon figure.
#include "tools/quorum-bench/bench_core.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/host/memory/core_cluster.h"

namespace quorum::bench {
namespace {

using host::CoreCluster;

// Handles Readys and delivers messages until nothing moves; false if it does not settle.
bool settle(CoreCluster& group) {
  for (int round = 0; round < 10'000; ++round) {
    bool moved = false;
    for (NodeId id : group.ids()) {
      while (group.handle_ready(id)) moved = true;
    }
    std::deque<raft::Message> batch;
    batch.swap(group.queue());
    for (const raft::Message& m : batch) {
      group.step(m);
      moved = true;
    }
    if (!moved) return true;
  }
  return false;
}

bool tick_all(CoreCluster& group) {
  for (NodeId id : group.ids()) group.node(id).tick();
  return settle(group);
}

NodeId leader_of(CoreCluster& group) {
  for (NodeId id : group.ids()) {
    if (group.node(id).role() == raft::Role::kLeader) return id;
  }
  return kNoNode;
}

NodeId elect(CoreCluster& group, std::size_t ticks_max) {
  for (std::size_t i = 0; i < ticks_max && leader_of(group) == kNoNode; ++i) {
    if (!tick_all(group)) return kNoNode;
  }
  return leader_of(group);
}

}  // namespace

int cmd_core(std::uint64_t ticks, std::size_t nodes) {
  using Clock = std::chrono::steady_clock;
  CoreCluster group([](NodeId id, std::uint64_t incarnation) {
    return Prng(1000 + id + 7919 * incarnation);
  });
  raft::Membership membership;
  for (NodeId id = 1; id <= nodes; ++id) {
    membership.members.push_back({id, raft::MemberRole::kVoter, 1});
  }
  for (NodeId id = 1; id <= nodes; ++id) {
    raft::RaftConfig config;
    config.id = id;
    config.election_timeout_ticks = 10;
    config.heartbeat_interval_ticks = 1;
    group.add_node(config, membership);
  }
  const NodeId leader = elect(group, 200);
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
    if (result.code != raft::ProposeResult::Code::kAccepted || !tick_all(group)) {
      std::fprintf(stderr, "quorum-bench core: proposal %llu refused or the group did not settle\n",
                   static_cast<unsigned long long>(i));
      return 1;
    }
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
