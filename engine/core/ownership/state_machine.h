// The ownership state machine: which controller owns each managed database cluster, under which
// fencing epoch. Deterministic: the same commands at the same indexes give the same state on
// every controller (ordered containers only, no clock, no randomness). Core: std and fmt only.
//
// Deviations from /work/notes/OWNERSHIP-SPEC.md (refinements, agreed names otherwise):
//  * DeregisterController removes the record instead of keeping a kGone tombstone, and is
//    refused (kConflict) while the controller owns a cluster or a hand-over names it: the owner
//    must be drained (or its clusters taken over) first, so the driver always knows whose lease
//    it must wait out before re-granting. kGone stays in the enum for the API only.
//  * ApplyResult::Code has kStaleEpoch for a compare-and-set whose expected epoch (or `from`)
//    does not match: the driver re-plans on it, while kConflict means "not in a state that
//    allows this" (already registered, not draining, ...).
//  * Activate also undrains (kDraining -> kActive).
//  * Snapshot holds no applied index: restore() takes it separately, as in the spec signature.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/core/base/mutation.h"
#include "engine/core/base/status.h"
#include "engine/core/base/types.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/types.h"

namespace quorum::ownership {

struct ApplyResult {
  enum class Code : std::uint8_t {
    kApplied,
    kInvalid,     // a field is out of its domain (zero id, empty name, weight 0, ...)
    kNotFound,    // the controller or cluster named does not exist
    kConflict,    // the state does not allow it (duplicate, wrong role or state, owns clusters)
    kStaleEpoch,  // Assign/Release compare-and-set: expected epoch or `from` is not current
    kTooLarge,    // kControllersMax / kClustersMax reached
  };
  Code code = Code::kApplied;
  Epoch epoch = 0;  // Assign/Release/Pin/...: the cluster's epoch after the command; else 0
  std::string reason;  // empty iff kApplied
  friend bool operator==(const ApplyResult&, const ApplyResult&) = default;
};

std::string_view apply_code_name(ApplyResult::Code code);

struct Snapshot {
  std::map<NodeId, Controller> controllers;
  std::map<ClusterId, Cluster> clusters;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// Checks a whole state (a snapshot from disk or the network, or the live state): limits, every
// field in its domain, keys equal to ids, unique names, and the cross-record rules:
//  * a standby has auto-recovery off; no stored controller is kGone;
//  * kUnowned: owner == handover_to == kNoNode; kOwned: owner set, handover_to == kNoNode;
//    kHandingOver: owner and handover_to set and different;
//  * every owner is registered, active role, auto-recovery on, state kActive or kDraining;
//  * every handover_to and pinned_owner is registered with the active role;
//  * owner set => 0 < epoch; always epoch <= applied_index.
// Empty string if valid, otherwise the first broken rule (naming the record).
std::string validate_state(LogIndex applied_index, const Snapshot& state);

// Not thread-safe; owned by the host's apply loop. Copyable (tests and checkers compare copies).
class StateMachine {
 public:
  // Applies the command committed at `index`. A rejected command changes nothing but
  // applied_index(), which advances to `index` for every command (the entry was consumed).
  // Asserts: index > applied_index().
  ApplyResult apply(LogIndex index, const Command& command);

  const std::map<NodeId, Controller>& controllers() const { return state_.controllers; }
  const std::map<ClusterId, Cluster>& clusters() const { return state_.clusters; }
  const Controller* find_controller(NodeId id) const;
  const Cluster* find_cluster(ClusterId id) const;
  LogIndex applied_index() const { return applied_index_; }

  Snapshot snapshot() const { return state_; }
  // Replaces the whole state. Untrusted input: validate_state() must pass, otherwise
  // Status::corruption with its reason and the state (and applied index) stay unchanged.
  // Planted bug (l) for the simulator's self-test (base/mutation.h); kNone in production.
  void set_mutation(Mutation mutation) { mutation_ = mutation; }
  Status restore(LogIndex applied_index, Snapshot snapshot);

  // validate_state(applied_index(), state); empty if every invariant holds.
  std::string check_invariants() const;

  friend bool operator==(const StateMachine&, const StateMachine&) = default;

 private:
  ApplyResult apply_one(LogIndex index, const RegisterController& c);
  ApplyResult apply_one(LogIndex index, const DeregisterController& c);
  ApplyResult apply_one(LogIndex index, const SetWeight& c);
  ApplyResult apply_one(LogIndex index, const Drain& c);
  ApplyResult apply_one(LogIndex index, const Activate& c);
  ApplyResult apply_one(LogIndex index, const Promote& c);
  ApplyResult apply_one(LogIndex index, const AddCluster& c);
  ApplyResult apply_one(LogIndex index, const RemoveCluster& c);
  ApplyResult apply_one(LogIndex index, const Pin& c);
  ApplyResult apply_one(LogIndex index, const Unpin& c);
  ApplyResult apply_one(LogIndex index, const Assign& c);
  ApplyResult apply_one(LogIndex index, const Release& c);

  // Invariant: validate_state(applied_index_, state_) is empty.
  Snapshot state_;
  LogIndex applied_index_ = 0;
  Mutation mutation_ = Mutation::kNone;
};

}  // namespace quorum::ownership
