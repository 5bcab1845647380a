// The ownership state machine. Core: std and fmt only.
//
// Rules (the same on every controller, so the state is a pure function of the committed log):
//  * Each command is checked completely before anything is written; a rejected command changes
//    nothing but applied_index(), which advances for every command handed to apply().
//  * Assign at index i sets epoch = i: the epoch of a cluster strictly increases at every change
//    of owner, and a stale decision (expected_epoch no longer current) is refused (kStaleEpoch).
//  * Release keeps the epoch: the hand-over's Assign compares against it.
//  * Assign to the current owner re-grants: a new epoch, the same owner (after a session lapse).
#include "engine/core/ownership/state_machine.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "engine/core/base/assert.h"
#include "engine/core/ownership/validate.h"

namespace quorum::ownership {
namespace {

using Code = ApplyResult::Code;

ApplyResult applied(Epoch epoch = 0) { return ApplyResult{Code::kApplied, epoch, {}}; }

ApplyResult rejected(Code code, std::string reason, Epoch epoch = 0) {
  QUORUM_ASSERT(code != Code::kApplied);
  QUORUM_ASSERT(!reason.empty());
  return ApplyResult{code, epoch, std::move(reason)};
}

ApplyResult invalid(const std::string& reason) {
  return rejected(Code::kInvalid, reason);
}

std::string check_controller(const Controller& c) {
  if (c.id == kNoNode) return "id is 0";
  std::string reason = check_name("controller", c.name);
  if (reason.empty()) reason = check_address(c.address);
  if (reason.empty()) reason = check_weight(c.weight);
  if (reason.empty()) reason = check_tags(c.tags);
  if (reason.empty()) reason = check_role(c.role, c.auto_recovery);
  if (!reason.empty()) return reason;
  switch (c.state) {
    case ControllerState::kJoining:
    case ControllerState::kActive:
    case ControllerState::kDraining:
      return {};
    case ControllerState::kGone:
      return "state is gone (a deregistered controller is removed, not kept)";
  }
  return fmt::format("state {} is unknown", static_cast<int>(c.state));
}

// May `c` own a cluster (be an Assign target)? Empty if yes.
std::string check_assign_target(const Controller& c) {
  if (c.role != ControllerRole::kActive) return fmt::format("controller {} is a standby", c.id);
  if (!c.auto_recovery) return fmt::format("controller {} has auto-recovery off", c.id);
  if (c.state != ControllerState::kActive) {
    return fmt::format("controller {} is {}, not active", c.id, controller_state_name(c.state));
  }
  return {};
}

std::string check_cluster_owner(const Cluster& cl, const std::map<NodeId, Controller>& cs) {
  auto it = cs.find(cl.owner);
  if (it == cs.end()) return fmt::format("owner {} is not registered", cl.owner);
  const Controller& c = it->second;
  if (c.role != ControllerRole::kActive) return fmt::format("owner {} is a standby", c.id);
  if (!c.auto_recovery) return fmt::format("owner {} has auto-recovery off", c.id);
  if (c.state != ControllerState::kActive && c.state != ControllerState::kDraining) {
    return fmt::format("owner {} is {}", c.id, controller_state_name(c.state));
  }
  return {};
}

std::string check_active_role_ref(std::string_view what, NodeId id,
                                  const std::map<NodeId, Controller>& cs) {
  auto it = cs.find(id);
  if (it == cs.end()) return fmt::format("{} {} is not registered", what, id);
  if (it->second.role != ControllerRole::kActive) return fmt::format("{} {} is a standby", what, id);
  return {};
}

std::string check_cluster_state(const Cluster& cl, LogIndex applied_index,
                                const std::map<NodeId, Controller>& cs) {
  if (cl.epoch > applied_index) {
    return fmt::format("epoch {} is above the applied index {}", cl.epoch, applied_index);
  }
  switch (cl.state) {
    case ClusterState::kUnowned:
      if (cl.owner != kNoNode) return fmt::format("unowned but owner is {}", cl.owner);
      if (cl.handover_to != kNoNode) return "unowned but has a hand-over target";
      return {};
    case ClusterState::kOwned:
      if (cl.owner == kNoNode) return "owned but owner is 0";
      if (cl.handover_to != kNoNode) return "owned but has a hand-over target";
      break;
    case ClusterState::kHandingOver:
      if (cl.owner == kNoNode) return "handing over but owner is 0";
      if (cl.handover_to == kNoNode) return "handing over without a target";
      if (cl.handover_to == cl.owner) return "handing over to its own owner";
      break;
    default:
      return fmt::format("state {} is unknown", static_cast<int>(cl.state));
  }
  if (cl.epoch == 0) return "owned with epoch 0";
  std::string reason = check_cluster_owner(cl, cs);
  if (reason.empty() && cl.handover_to != kNoNode) {
    reason = check_active_role_ref("hand-over target", cl.handover_to, cs);
  }
  return reason;
}

std::string check_cluster(const Cluster& cl, LogIndex applied_index,
                          const std::map<NodeId, Controller>& cs) {
  if (cl.id == kNoCluster) return "id is 0";
  std::string reason = check_name("cluster", cl.name);
  if (reason.empty()) reason = check_tags(cl.tags);
  if (reason.empty() && cl.pinned_owner != kNoNode) {
    reason = check_active_role_ref("pinned owner", cl.pinned_owner, cs);
  }
  if (reason.empty()) reason = check_cluster_state(cl, applied_index, cs);
  return reason;
}

}  // namespace

std::string_view apply_code_name(ApplyResult::Code code) {
  switch (code) {
    case Code::kApplied:
      return "applied";
    case Code::kInvalid:
      return "invalid";
    case Code::kNotFound:
      return "not-found";
    case Code::kConflict:
      return "conflict";
    case Code::kStaleEpoch:
      return "stale-epoch";
    case Code::kTooLarge:
      return "too-large";
  }
  return "unknown-code";
}

std::string validate_state(LogIndex applied_index, const Snapshot& state) {
  if (state.controllers.size() > kControllersMax) {
    return fmt::format("{} controllers, above the limit of {}", state.controllers.size(),
                       kControllersMax);
  }
  if (state.clusters.size() > kClustersMax) {
    return fmt::format("{} clusters, above the limit of {}", state.clusters.size(), kClustersMax);
  }
  std::set<std::string_view> names;
  for (const auto& [id, c] : state.controllers) {
    if (c.id != id) return fmt::format("controller key {} holds id {}", id, c.id);
    std::string reason = check_controller(c);
    if (!reason.empty()) return fmt::format("controller {}: {}", id, reason);
    if (!names.insert(c.name).second) {
      return fmt::format("controller {}: name '{}' is already used", id, c.name);
    }
  }
  for (const auto& [id, cl] : state.clusters) {
    if (cl.id != id) return fmt::format("cluster key {} holds id {}", id, cl.id);
    std::string reason = check_cluster(cl, applied_index, state.controllers);
    if (!reason.empty()) return fmt::format("cluster {}: {}", id, reason);
  }
  return {};
}

const Controller* StateMachine::find_controller(NodeId id) const {
  auto it = state_.controllers.find(id);
  return it == state_.controllers.end() ? nullptr : &it->second;
}

const Cluster* StateMachine::find_cluster(ClusterId id) const {
  auto it = state_.clusters.find(id);
  return it == state_.clusters.end() ? nullptr : &it->second;
}

std::string StateMachine::check_invariants() const { return validate_state(applied_index_, state_); }

Status StateMachine::restore(LogIndex applied_index, Snapshot snapshot) {
  std::string reason = validate_state(applied_index, snapshot);
  if (!reason.empty()) return Status::corruption("ownership snapshot: " + reason);
  state_ = std::move(snapshot);
  applied_index_ = applied_index;
  return Status::ok();
}

ApplyResult StateMachine::apply(LogIndex index, const Command& command) {
  QUORUM_ASSERT(index > applied_index_, "apply index {} <= applied index {}", index,
                applied_index_);
  ApplyResult result =
      std::visit([&](const auto& c) { return apply_one(index, c); }, command);
  QUORUM_ASSERT((result.code == Code::kApplied) == result.reason.empty(), "{}: '{}'",
                apply_code_name(result.code), result.reason);
  applied_index_ = index;
  return result;
}

// ---- controllers ----

namespace {

std::string controller_name_user(const std::map<NodeId, Controller>& cs, std::string_view name) {
  for (const auto& [id, c] : cs) {
    if (c.name == name) return fmt::format("name '{}' is already used by controller {}", name, id);
  }
  return {};
}

ApplyResult not_found_controller(NodeId id) {
  return rejected(Code::kNotFound, fmt::format("controller {} is not registered", id));
}

}  // namespace

ApplyResult StateMachine::apply_one(LogIndex, const RegisterController& c) {
  Controller controller{c.id,   c.name,          c.address,
                        c.weight, c.tags,        c.role,
                        c.auto_recovery, ControllerState::kJoining};
  std::string reason = check_controller(controller);
  if (!reason.empty()) return invalid(fmt::format("controller {}: {}", c.id, reason));
  if (find_controller(c.id) != nullptr) {
    return rejected(Code::kConflict, fmt::format("controller {} is already registered", c.id));
  }
  reason = controller_name_user(state_.controllers, c.name);
  if (!reason.empty()) return rejected(Code::kConflict, std::move(reason));
  if (state_.controllers.size() >= kControllersMax) {
    return rejected(Code::kTooLarge,
                    fmt::format("the pool already holds the maximum of {} controllers",
                                kControllersMax));
  }
  state_.controllers.emplace(c.id, std::move(controller));
  return applied();
}

ApplyResult StateMachine::apply_one(LogIndex, const DeregisterController& c) {
  if (find_controller(c.id) == nullptr) return not_found_controller(c.id);
  std::size_t owned = 0;
  for (const auto& [id, cl] : state_.clusters) {
    if (cl.owner == c.id || cl.handover_to == c.id) ++owned;
  }
  if (owned > 0) {
    return rejected(Code::kConflict,
                    fmt::format("controller {} still owns or is handed {} clusters; drain it first",
                                c.id, owned));
  }
  for (auto& [id, cl] : state_.clusters) {
    if (cl.pinned_owner == c.id) cl.pinned_owner = kNoNode;
  }
  state_.controllers.erase(c.id);
  return applied();
}

ApplyResult StateMachine::apply_one(LogIndex, const SetWeight& c) {
  std::string reason = check_weight(c.weight);
  if (!reason.empty()) return invalid(fmt::format("controller {}: {}", c.id, reason));
  auto it = state_.controllers.find(c.id);
  if (it == state_.controllers.end()) return not_found_controller(c.id);
  it->second.weight = c.weight;
  return applied();
}

ApplyResult StateMachine::apply_one(LogIndex, const Drain& c) {
  auto it = state_.controllers.find(c.id);
  if (it == state_.controllers.end()) return not_found_controller(c.id);
  if (it->second.state == ControllerState::kDraining) {
    return rejected(Code::kConflict, fmt::format("controller {} is already draining", c.id));
  }
  it->second.state = ControllerState::kDraining;
  return applied();
}

ApplyResult StateMachine::apply_one(LogIndex, const Activate& c) {
  auto it = state_.controllers.find(c.id);
  if (it == state_.controllers.end()) return not_found_controller(c.id);
  if (it->second.state == ControllerState::kActive) {
    return rejected(Code::kConflict, fmt::format("controller {} is already active", c.id));
  }
  it->second.state = ControllerState::kActive;
  return applied();
}

ApplyResult StateMachine::apply_one(LogIndex, const Promote& c) {
  auto it = state_.controllers.find(c.id);
  if (it == state_.controllers.end()) return not_found_controller(c.id);
  if (it->second.role != ControllerRole::kStandby) {
    return rejected(Code::kConflict, fmt::format("controller {} is not a standby", c.id));
  }
  it->second.role = ControllerRole::kActive;
  it->second.auto_recovery = true;
  return applied();
}

// ---- clusters ----

namespace {

ApplyResult not_found_cluster(ClusterId id) {
  return rejected(Code::kNotFound, fmt::format("cluster {} does not exist", id));
}

}  // namespace

ApplyResult StateMachine::apply_one(LogIndex, const AddCluster& c) {
  if (c.id == kNoCluster) return invalid("cluster id is 0");
  std::string reason = check_name("cluster", c.name);
  if (reason.empty()) reason = check_tags(c.tags);
  if (!reason.empty()) return invalid(fmt::format("cluster {}: {}", c.id, reason));
  if (find_cluster(c.id) != nullptr) {
    return rejected(Code::kConflict, fmt::format("cluster {} already exists", c.id));
  }
  if (state_.clusters.size() >= kClustersMax) {
    return rejected(Code::kTooLarge,
                    fmt::format("the pool already manages the maximum of {} clusters",
                                kClustersMax));
  }
  Cluster cluster;
  cluster.id = c.id;
  cluster.name = c.name;
  cluster.tags = c.tags;
  cluster.auto_recovery = c.auto_recovery;
  state_.clusters.emplace(c.id, std::move(cluster));
  return applied();
}

ApplyResult StateMachine::apply_one(LogIndex, const RemoveCluster& c) {
  auto it = state_.clusters.find(c.id);
  if (it == state_.clusters.end()) return not_found_cluster(c.id);
  const Epoch epoch = it->second.epoch;
  state_.clusters.erase(it);
  return applied(epoch);
}

ApplyResult StateMachine::apply_one(LogIndex, const Pin& c) {
  if (c.owner == kNoNode) return invalid("pin owner is 0 (use Unpin)");
  auto it = state_.clusters.find(c.cluster);
  if (it == state_.clusters.end()) return not_found_cluster(c.cluster);
  const Controller* owner = find_controller(c.owner);
  if (owner == nullptr) return not_found_controller(c.owner);
  if (owner->role != ControllerRole::kActive) {
    return rejected(Code::kConflict,
                    fmt::format("cluster {}: controller {} is a standby and owns nothing",
                                c.cluster, c.owner),
                    it->second.epoch);
  }
  it->second.pinned_owner = c.owner;
  return applied(it->second.epoch);
}

ApplyResult StateMachine::apply_one(LogIndex, const Unpin& c) {
  auto it = state_.clusters.find(c.cluster);
  if (it == state_.clusters.end()) return not_found_cluster(c.cluster);
  if (it->second.pinned_owner == kNoNode) {
    return rejected(Code::kConflict, fmt::format("cluster {} is not pinned", c.cluster),
                    it->second.epoch);
  }
  it->second.pinned_owner = kNoNode;
  return applied(it->second.epoch);
}

namespace {

// The reasons an Assign/Release target is refused, as a rejection; kApplied if it is fine.
ApplyResult check_target(const StateMachine& sm, ClusterId cluster, NodeId to, Epoch epoch) {
  if (to == kNoNode) return rejected(Code::kInvalid, "target controller is 0", epoch);
  const Controller* c = sm.find_controller(to);
  if (c == nullptr) {
    return rejected(Code::kNotFound, fmt::format("controller {} is not registered", to), epoch);
  }
  std::string reason = check_assign_target(*c);
  if (!reason.empty()) {
    return rejected(Code::kConflict, fmt::format("cluster {}: {}", cluster, reason), epoch);
  }
  return applied();
}

}  // namespace

ApplyResult StateMachine::apply_one(LogIndex index, const Assign& c) {
  auto it = state_.clusters.find(c.cluster);
  if (it == state_.clusters.end()) return not_found_cluster(c.cluster);
  Cluster& cl = it->second;
  ApplyResult target = check_target(*this, c.cluster, c.to, cl.epoch);
  if (target.code != Code::kApplied) return target;
  if (c.expected_epoch != cl.epoch) {
    return rejected(Code::kStaleEpoch,
                    fmt::format("cluster {}: expected epoch {}, current epoch is {}", c.cluster,
                                c.expected_epoch, cl.epoch),
                    cl.epoch);
  }
  // An Assign to the current owner is a re-grant: same owner, new epoch. The leader issues it
  // after the owner's session lapsed (docs/ownership.md rule 5): the owner no longer acts on a
  // grant older than its current session generation until it is granted again.
  QUORUM_ASSERT(index > cl.epoch);
  const bool keep_epoch = mutation_on(mutation_, Mutation::kEpochKeptOnMove) &&
                          cl.owner != kNoNode && cl.owner != c.to;  // planted bug (l)
  cl.owner = c.to;
  if (!keep_epoch) cl.epoch = index;
  cl.state = ClusterState::kOwned;
  cl.handover_to = kNoNode;
  return applied(cl.epoch);
}

ApplyResult StateMachine::apply_one(LogIndex, const Release& c) {
  auto it = state_.clusters.find(c.cluster);
  if (it == state_.clusters.end()) return not_found_cluster(c.cluster);
  Cluster& cl = it->second;
  if (c.from == kNoNode) return rejected(Code::kInvalid, "release from controller 0", cl.epoch);
  if (c.to == c.from) {
    return rejected(Code::kInvalid,
                    fmt::format("cluster {}: hand-over from {} to itself", c.cluster, c.from),
                    cl.epoch);
  }
  if (c.to != kNoNode) {
    ApplyResult target = check_target(*this, c.cluster, c.to, cl.epoch);
    if (target.code != Code::kApplied) return target;
  }
  if (cl.state != ClusterState::kOwned || cl.owner != c.from || cl.epoch != c.expected_epoch) {
    return rejected(Code::kStaleEpoch,
                    fmt::format("cluster {}: release from {} at epoch {}, but it is {} by {} at "
                                "epoch {}",
                                c.cluster, c.from, c.expected_epoch, cluster_state_name(cl.state),
                                cl.owner, cl.epoch),
                    cl.epoch);
  }
  if (c.to == kNoNode) {
    cl.owner = kNoNode;
    cl.state = ClusterState::kUnowned;
  } else {
    cl.state = ClusterState::kHandingOver;
    cl.handover_to = c.to;
  }
  return applied(cl.epoch);
}

}  // namespace quorum::ownership
