// Value types of the ownership state machine: the controllers of the pool and the managed
// database clusters they own. Core: std and fmt only. The agreed interface is
// /work/notes/OWNERSHIP-SPEC.md; deviations are listed at the top of state_machine.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/core/base/types.h"

namespace quorum::ownership {

// A managed database cluster's id, chosen by the operator. 0 is never a cluster.
using ClusterId = std::uint64_t;
inline constexpr ClusterId kNoCluster = 0;

// Fencing epoch of a cluster: the log index of the entry that granted the current owner. It
// strictly increases at every change of owner (a later entry has a larger index). 0: never owned.
using Epoch = std::uint64_t;

using Tags = std::map<std::string, std::string>;

// The tag key that places a cluster near controllers of the same site (assign.h).
inline constexpr std::string_view kSiteTag = "site";

// Limits (every command and every snapshot is checked against them).
inline constexpr std::size_t kControllersMax = 256;
inline constexpr std::size_t kClustersMax = 100'000;
inline constexpr std::size_t kNameBytesMax = 255;
inline constexpr std::size_t kAddressBytesMax = 255;
inline constexpr std::size_t kTagsMax = 32;
inline constexpr std::size_t kTagKeyBytesMax = 63;
inline constexpr std::size_t kTagValueBytesMax = 255;
inline constexpr std::uint32_t kWeightMin = 1;
inline constexpr std::uint32_t kWeightMax = 10'000;

enum class ControllerRole : std::uint8_t { kActive, kStandby };

// kJoining: registered, receives no clusters until Activate (the leader's driver proposes it
// once the controller has been alive for the stable time). kActive: may own clusters.
// kDraining: keeps what it owns until the policy hands it over; receives nothing new.
// kGone: kept for the API (may_act, listings); DeregisterController removes the record, so no
// stored controller is ever kGone (see state_machine.h).
enum class ControllerState : std::uint8_t { kJoining, kActive, kDraining, kGone };

struct Controller {
  NodeId id = kNoNode;  // its Raft NodeId (voter or learner)
  std::string name;     // unique among controllers, 1..kNameBytesMax printable bytes
  std::string address;  // 0..kAddressBytesMax bytes, informational
  std::uint32_t weight = 1;  // capacity, kWeightMin..kWeightMax
  Tags tags;
  ControllerRole role = ControllerRole::kActive;
  bool auto_recovery = true;  // always false for a standby
  ControllerState state = ControllerState::kJoining;
  friend bool operator==(const Controller&, const Controller&) = default;
};

// kUnowned: owner == kNoNode, nobody may act. kOwned: `owner` may act under its lease with
// `epoch`. kHandingOver: `owner` released the cluster for `handover_to` and may no longer act;
// the next Assign (to handover_to) completes the hand-over.
enum class ClusterState : std::uint8_t { kUnowned, kOwned, kHandingOver };

struct Cluster {
  ClusterId id = kNoCluster;
  std::string name;  // unique among clusters, 1..kNameBytesMax printable bytes
  Tags tags;
  NodeId pinned_owner = kNoNode;  // kNoNode: not pinned
  bool auto_recovery = true;
  NodeId owner = kNoNode;  // kOwned / kHandingOver: the (releasing) owner; kUnowned: kNoNode
  Epoch epoch = 0;         // index of the entry that granted `owner` (kept after a release)
  ClusterState state = ClusterState::kUnowned;
  NodeId handover_to = kNoNode;  // kHandingOver: the intended next owner; else kNoNode
  friend bool operator==(const Cluster&, const Cluster&) = default;
};

std::string_view role_name(ControllerRole role);
std::string_view controller_state_name(ControllerState state);
std::string_view cluster_state_name(ClusterState state);

}  // namespace quorum::ownership
