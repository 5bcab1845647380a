// The faults the nemesis can inject (DESIGN.md "Faults"). Network-wide rates (loss, duplication,
// reordering, clock drift, disk speed) are per-seed settings in SwarmConfig; the kinds below are
// timed actions in a FaultSchedule, each with its own duration and heal.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/core/base/types.h"

namespace quorum::sim {

enum class FaultKind : std::uint8_t {
  kCrash,          // node crashes (loses unsynced writes), restarts after duration
  kPause,          // process stall (GC-like): node does not run for duration, clock goes on
  kIsolate,        // node cut off both ways
  kIsolateLeader,  // whoever leads when the action fires is cut off
  kHalves,         // random split in two sides
  kMajorityRing,   // every node sees a different majority
  kBridge,         // two halves joined only through one node
  kOneWay,         // node -> peer dropped, the reverse works
  kFlap,           // node's links go down and up every few hundred ms
  kSlowDisk,       // node's syncs take 5-100 ms
  kDiskFailure,    // node's next write fails: the host fail-stops, restarts after duration
  kTransferLeader, // operator asks the leader to hand over (to `peer`, or the best node)
  kStepDown,       // operator forces the leader to step down
  kFigure8,        // Raft Figure 8 episode (figure8.h): opt-in, never drawn by default
  kGaleraIsolateLeader,  // the Raft leader's Galera node cut off, its Raft links fine: opt-in
                         // with RunConfig::galera (sim/galera), never drawn by default
  kMembership,     // node leaves the voters (param 0: removed; 1: demoted to learner) for
                   // duration, then is re-added as a learner and promoted (world_membership.cc)
  kCount,
};

inline constexpr std::size_t kFaultKindCount = static_cast<std::size_t>(FaultKind::kCount);
std::string_view fault_kind_name(FaultKind kind);
bool is_partition(FaultKind kind);

struct FaultAction {
  std::uint64_t at_us = 0;
  FaultKind kind = FaultKind::kCrash;
  NodeId node = kNoNode;  // target (ignored by leader-relative and whole-network kinds)
  NodeId peer = kNoNode;  // second node (kOneWay target, kTransferLeader target or 0 = best)
  std::uint64_t duration_us = 0;
  std::uint64_t param = 0;  // kHalves: bitmask of one side; kFlap: period in us;
                            // kFigure8: seed of the episode's roles and phase lengths;
                            // kMembership: 0 removed, 1 demoted to learner (param % 2)
};

}  // namespace quorum::sim
