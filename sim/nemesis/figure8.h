// The Figure 8 episode (Raft §5.4.2), a nemesis fault kind that is never drawn unless a run asks
// for it (RunConfig::figure8; `tests/mutations`). It steers a run through the schedule in which
// a leader that commits an old-term entry by counting replicas loses committed data:
//
//   phase 0: A = the leader now. A's current-term entries reach only a minority-minus-one set S
//            (drawn, possibly empty); the clients keep writing, so A appends entries nobody else
//            has beyond S.
//   phase 1: A crashes. Only C (drawn among the others, not in S) may campaign; C's own
//            current-term entries (its no-op) reach nobody. C wins a later term with votes of
//            nodes outside S.
//   phase 2: C crashes, A restarts. Only A may campaign; its current-term entries reach nobody,
//            but its old entries now reach a majority.
//   phase 3: A crashes, C restarts. Only C may campaign: its last term beats the old entries.
//   phase 4: every rule is removed and A restarts.
//
// A correct leader never commits in phase 2 (its no-op never replicates), so nothing is lost when
// C overwrites the old entries in phase 3. Roles and phase lengths are drawn from the action's
// `param`, and phase lengths scale with the election timeout. The plan is pure: the World
// executes it (crash, restart, message rules) and schedules the next phase.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/base/types.h"
#include "sim/nemesis/fault_kind.h"
#include "sim/network/message_rules.h"

namespace quorum::sim {

struct Figure8Plan {
  std::vector<NodeId> crash;
  std::vector<NodeId> restart;
  // The episode's rules: the World removes the rules labelled `rules_label` first, then installs
  // these.
  std::string rules_label;
  std::vector<MessageRule> rules;
  std::uint64_t next_phase_in_us = 0;  // 0: the episode is over
  std::string note;                    // for the trace
};

// Phase lengths of an episode, in us (phase 0..3), from its param and the election timeout.
std::vector<std::uint64_t> figure8_phase_lengths_us(std::uint64_t param,
                                                    std::uint64_t election_timeout_us);

// The plan for `phase` of the episode `action` (kind kFigure8, schedule position `index`). In phase 0 `leader` is the
// current leader (kNoNode: the episode is skipped) and is stored into action.node (A).
Figure8Plan figure8_plan(FaultAction& action, std::size_t index, std::uint64_t phase, NodeId leader,
                         std::size_t node_count, std::uint64_t election_timeout_us);

}  // namespace quorum::sim
