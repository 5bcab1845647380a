// Names of the ownership enums (logs, CLI tables, test messages). Core: std and fmt only.
#include "engine/core/ownership/types.h"

namespace quorum::ownership {

std::string_view role_name(ControllerRole role) {
  switch (role) {
    case ControllerRole::kActive:
      return "active";
    case ControllerRole::kStandby:
      return "standby";
  }
  return "unknown-role";
}

std::string_view controller_state_name(ControllerState state) {
  switch (state) {
    case ControllerState::kJoining:
      return "joining";
    case ControllerState::kActive:
      return "active";
    case ControllerState::kDraining:
      return "draining";
    case ControllerState::kGone:
      return "gone";
  }
  return "unknown-state";
}

std::string_view cluster_state_name(ClusterState state) {
  switch (state) {
    case ClusterState::kUnowned:
      return "unowned";
    case ClusterState::kOwned:
      return "owned";
    case ClusterState::kHandingOver:
      return "handing-over";
  }
  return "unknown-state";
}

}  // namespace quorum::ownership
