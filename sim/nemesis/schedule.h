// FaultSchedule: the timed actions of one run, drawn up front from the nemesis stream so a run
// can be replayed with a subset of them (shrinking: `--keep-faults 0,3,7`). Actions that depend
// on the run's state (isolate *the leader*) resolve their target when they fire.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/base/prng.h"
#include "sim/nemesis/fault_kind.h"
#include "sim/nemesis/swarm.h"

namespace quorum::sim {

using FaultSchedule = std::vector<FaultAction>;

// Actions start in [start_us, chaos_end_us) and are sorted by time; durations end before
// chaos_end_us (the quiet period heals whatever is left anyway).
FaultSchedule draw_schedule(Prng prng, const SwarmConfig& swarm, std::size_t node_count,
                            std::uint64_t start_us, std::uint64_t chaos_end_us);

std::string describe_action(const FaultAction& action);
// Keeps only the actions whose position is listed (sorted, unique positions).
FaultSchedule keep_actions(const FaultSchedule& schedule, const std::vector<std::uint32_t>& keep);

}  // namespace quorum::sim
