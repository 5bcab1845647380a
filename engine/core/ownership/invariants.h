// Invariant checkers of the ownership state machine (LogCabin's checkBasic/checkDelta).
// Tests, the simulator and the fuzzers call them; production does not. Core: std and fmt only.
#pragma once

#include <string>

#include "engine/core/ownership/state_machine.h"

namespace quorum::ownership {

// Every rule of validate_state() (state_machine.h) holds for the machine's state and applied
// index. Empty if all hold, otherwise the first broken one.
std::string check_state(const StateMachine& machine);

// What one or more apply() calls may do to a state (DESIGN.md invariant 6: "the fencing epoch
// of a cluster only grows"):
//  1. applied_index never decreases;
//  2. a cluster present before and after never has a lower epoch;
//  3. a cluster whose owner changed to a controller got a new epoch from an index in
//     (before.applied_index(), after.applied_index()];
//  4. a cluster whose epoch changed is kOwned with such a new epoch (only a grant sets it);
//  5. a cluster that appeared has epoch 0 or one granted in that index range.
// Empty if all hold, otherwise the first broken one.
std::string check_transition(const StateMachine& before, const StateMachine& after);

}  // namespace quorum::ownership
