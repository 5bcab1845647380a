// Invariants 6-8 (ownership leases, single auto-recovery, Galera fitness) arrive with the
// ownership and Galera issues. The World already calls these hooks at the right moments so the
// checkers can be filled in without touching the run loop.
#pragma once

#include "engine/core/raft/entry.h"
#include "engine/core/raft/state.h"
#include "sim/checkers/checker.h"

namespace quorum::sim {

class OwnershipHooks {
 public:
  explicit OwnershipHooks(Findings& findings) : findings_(findings) {}
  // 6: no two valid ownerships of one managed cluster at the same real time; epochs only grow.
  void on_apply(std::uint64_t /*time_us*/, NodeId /*node*/, const raft::Entry& /*entry*/) {}
  // 7: at most one controller with auto-recovery active per managed cluster.
  void on_tick(std::uint64_t /*time_us*/) {}
  // 8: a controller whose Galera node is not Primary+Synced neither leads nor owns.
  void on_role(std::uint64_t /*time_us*/, NodeId /*node*/, const raft::SoftState& /*state*/) {}
  Findings& findings() { return findings_; }

 private:
  Findings& findings_;
};

}  // namespace quorum::sim
