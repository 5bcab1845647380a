// Invariant checkers of the config-sync state machine (LogCabin's checkBasic/checkDelta).
// Tests, the simulator (after every event) and the fuzzers call them; production does not.
// Core: std and fmt only.
#pragma once

#include <string>

#include "engine/core/config_sync/state_machine.h"

namespace quorum::config_sync {

// Every file has a valid path, content within bounds, 0 < version <= applied_index() and a
// checksum equal to crc32c(content); at most kFilesMax files; no file is the parent directory
// of another.
// Returns an empty string if all hold, otherwise the first broken one.
std::string check_state(const StateMachine& machine);

// What one or more apply() calls may do to a state:
//  1. applied_index never decreases;
//  2. a file of `after` with version <= before.applied_index() is unchanged from `before`
//     (nothing rewrites a file without giving it a new version);
//  3. a file of `after` with a newer version got it from an index in
//     (before.applied_index(), after.applied_index()].
// Returns an empty string if all hold, otherwise the first broken one.
std::string check_transition(const StateMachine& before, const StateMachine& after);

}  // namespace quorum::config_sync
