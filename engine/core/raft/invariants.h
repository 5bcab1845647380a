// Invariant checkers for one Raft node (STYLE 6.6, LogCabin's checkBasic/checkDelta): used by the
// raft tests, the simulator (after every event) and the core-step fuzzer; production does not
// call them. Core: std and fmt only.
#pragma once

#include <string>

#include "engine/core/base/types.h"
#include "engine/core/raft/node.h"

namespace quorum::raft {

// Everything about a node that must evolve monotonically, captured between two events.
struct NodeObservation {
  NodeId id = kNoNode;
  Term term = 0;
  NodeId voted_for = kNoNode;
  Role role = Role::kFollower;
  NodeId leader_id = kNoNode;
  LogIndex commit_index = 0;
  LogIndex applied_index = 0;
  LogIndex last_index = 0;
  LogIndex snapshot_index = 0;
  Ticks now_ticks = 0;
  bool has_lease = false;
};

NodeObservation observe(const Node& node);

// The state of one node is internally consistent: log order, commit <= last, the leader voted for
// itself, Progress only while leading, 0 <= match < next, a lease only while leading and never
// longer than lease_duration_ticks, the membership equals the latest configuration in the log.
// Empty string if every invariant holds, else the first broken one. O(log length).
std::string check_node_state(const Node& node);

// Between two observations of the same node, without a restart in between: term, commit, applied
// and time never decrease; a vote is never changed within a term; a leader never becomes
// candidate within its term. Empty string if they hold.
std::string check_node_transition(const NodeObservation& before, const NodeObservation& after);

}  // namespace quorum::raft
