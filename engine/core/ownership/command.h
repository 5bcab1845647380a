// Commands of the ownership state machine. Value types only; the wire codec
// (engine/wire/codec_ownership.cc) turns them into entry bytes and back. Every command is
// validated by StateMachine::apply and either applied whole or rejected with a reason.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "engine/core/base/types.h"
#include "engine/core/ownership/types.h"

namespace quorum::ownership {

// Adds a controller in state kJoining. A standby must have auto_recovery == false.
struct RegisterController {
  NodeId id = kNoNode;
  std::string name;
  std::string address;
  std::uint32_t weight = 1;
  Tags tags;
  ControllerRole role = ControllerRole::kActive;
  bool auto_recovery = true;
  friend bool operator==(const RegisterController&, const RegisterController&) = default;
};

// Removes a controller that owns nothing (no cluster owned by it or handing over from or to
// it). Pins to it are cleared in the same step.
struct DeregisterController {
  NodeId id = kNoNode;
  friend bool operator==(const DeregisterController&, const DeregisterController&) = default;
};

struct SetWeight {
  NodeId id = kNoNode;
  std::uint32_t weight = 1;
  friend bool operator==(const SetWeight&, const SetWeight&) = default;
};

// kJoining or kActive -> kDraining.
struct Drain {
  NodeId id = kNoNode;
  friend bool operator==(const Drain&, const Drain&) = default;
};

// kJoining -> kActive (the driver, once stable), or kDraining -> kActive (undrain).
struct Activate {
  NodeId id = kNoNode;
  friend bool operator==(const Activate&, const Activate&) = default;
};

// Standby -> active role, auto-recovery on. The promotion rule (refused while the active side is
// reachable and healthy unless `force`, and only for a reachable, fit, caught-up standby) is
// judged by the leader before it proposes the entry (promote.h); apply only checks the role and
// ignores `force`, which the entry keeps as the record that the operator forced it. A forced
// promotion fences nothing by itself: the promoted controller gets clusters only through the
// driver's grants and takeovers, which wait out the old owners' leases (docs/ownership.md).
struct Promote {
  NodeId id = kNoNode;
  bool force = false;
  friend bool operator==(const Promote&, const Promote&) = default;
};

struct AddCluster {
  ClusterId id = kNoCluster;
  std::string name;
  Tags tags;
  bool auto_recovery = true;
  friend bool operator==(const AddCluster&, const AddCluster&) = default;
};

struct RemoveCluster {
  ClusterId id = kNoCluster;
  friend bool operator==(const RemoveCluster&, const RemoveCluster&) = default;
};

// Pins a cluster to a registered active-role controller; the policy moves it there.
struct Pin {
  ClusterId cluster = kNoCluster;
  NodeId owner = kNoNode;
  friend bool operator==(const Pin&, const Pin&) = default;
};

struct Unpin {
  ClusterId cluster = kNoCluster;
  friend bool operator==(const Unpin&, const Unpin&) = default;
};

// Grant: compare-and-set on the cluster's epoch. owner = to, epoch = this entry's index, kOwned.
// `to` must be registered, active role, state kActive, auto-recovery on.
struct Assign {
  ClusterId cluster = kNoCluster;
  NodeId to = kNoNode;
  Epoch expected_epoch = 0;
  friend bool operator==(const Assign&, const Assign&) = default;
};

// Compare-and-set on (owner, epoch) of a kOwned cluster. to == kNoNode: plain release ->
// kUnowned. Otherwise the hand-over starts: kHandingOver, `from` may no longer act, the next
// Assign gives it to `to` (which must be a valid Assign target other than `from`).
struct Release {
  ClusterId cluster = kNoCluster;
  NodeId from = kNoNode;
  Epoch expected_epoch = 0;
  NodeId to = kNoNode;
  friend bool operator==(const Release&, const Release&) = default;
};

using Command = std::variant<RegisterController, DeregisterController, SetWeight, Drain, Activate,
                             Promote, AddCluster, RemoveCluster, Pin, Unpin, Assign, Release>;

}  // namespace quorum::ownership
