// Swarm testing (Groce et al.; TigerBeetle's VOPR; FoundationDB knobs): each seed draws which fault
// kinds are enabled at all and at what rate, the link fault rates, clock drifts, disk speeds and
// a legal but sometimes extreme Raft configuration. Some seeds run with few faults and some with
// many, so bugs that need "one kind of fault, very often" are found too.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "engine/core/base/prng.h"
#include "sim/nemesis/fault_kind.h"
#include "sim/network/network.h"
#include "sim/ports/sim_storage.h"

namespace quorum::sim {

struct SwarmConfig {
  // Mean gap between two actions of a kind (0: kind disabled).
  std::array<std::uint64_t, kFaultKindCount> mean_gap_us{};
  LinkFaults link;                       // during the chaos phase
  std::uint32_t clock_drift_ppm_max = 0;
  // The drift bound the core is told (RaftConfig::clock_drift_ppm_max), which shortens the
  // leader lease. In 3 of 4 seeds the exact bound on the rate difference of two simulated clocks
  // (2 * clock_drift_ppm_max): the longest lease the analysis allows (node.cc), so the lease
  // checker judges the lease at its edge and a lease computed from too late a start shows. Else
  // the production default (20%), whose margin hides such a mistake.
  std::uint32_t lease_drift_ppm_max = 200'000;
  DiskProfile disk;                      // normal disk speed
  // Raft/host knobs.
  std::uint64_t tick_interval_ms = 10;
  std::uint64_t election_timeout_ticks = 100;
  std::uint64_t heartbeat_interval_ticks = 10;
  std::uint32_t inflight_messages_max = 256;
  std::uint64_t message_bytes_max = 1 << 20;  // 64: about one entry per append (an extreme knob)
  std::uint64_t snapshot_interval_entries = 1000;

  std::string describe() const;
};

struct SwarmOptions {
  std::size_t node_count = 3;
  Profile profile = Profile::kLan;
  bool faults = true;
  // Also draw Raft Figure 8 episodes (FaultKind::kFigure8, figure8.h) in every seed. Off by
  // default, so ordinary seeds keep their schedules and trace hashes.
  bool figure8 = false;
  // Also draw Galera faults (FaultKind::kGaleraIsolateLeader); off by default, as figure8.
  bool galera = false;
};

SwarmConfig draw_swarm(Prng prng, const SwarmOptions& options);

}  // namespace quorum::sim
