// Invariant checkers of the ownership state machine. Core: std and fmt only.
#include "engine/core/ownership/invariants.h"

#include <fmt/format.h>

namespace quorum::ownership {
namespace {

bool granted_between(Epoch epoch, const StateMachine& before, const StateMachine& after) {
  return epoch > before.applied_index() && epoch <= after.applied_index();
}

std::string check_cluster_transition(const Cluster& old, const Cluster& now,
                                     const StateMachine& before, const StateMachine& after) {
  if (now.epoch < old.epoch) {
    return fmt::format("cluster {}: epoch went back from {} to {}", now.id, old.epoch, now.epoch);
  }
  if (now.owner != old.owner && now.owner != kNoNode &&
      !granted_between(now.epoch, before, after)) {
    return fmt::format("cluster {}: owner changed from {} to {} without a new epoch (epoch {})",
                       now.id, old.owner, now.owner, now.epoch);
  }
  if (now.epoch != old.epoch &&
      (now.state != ClusterState::kOwned || !granted_between(now.epoch, before, after))) {
    return fmt::format("cluster {}: epoch changed from {} to {} without a grant (state {})",
                       now.id, old.epoch, now.epoch, cluster_state_name(now.state));
  }
  return {};
}

}  // namespace

std::string check_state(const StateMachine& machine) { return machine.check_invariants(); }

std::string check_transition(const StateMachine& before, const StateMachine& after) {
  if (after.applied_index() < before.applied_index()) {
    return fmt::format("applied index went back from {} to {}", before.applied_index(),
                       after.applied_index());
  }
  for (const auto& [id, now] : after.clusters()) {
    const Cluster* old = before.find_cluster(id);
    if (old == nullptr) {
      if (now.epoch != 0 && !granted_between(now.epoch, before, after)) {
        return fmt::format("cluster {} appeared with an old epoch {} (applied index was {})", id,
                           now.epoch, before.applied_index());
      }
      continue;
    }
    std::string reason = check_cluster_transition(*old, now, before, after);
    if (!reason.empty()) return reason;
  }
  return {};
}

}  // namespace quorum::ownership
