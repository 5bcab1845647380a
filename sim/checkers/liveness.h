// Invariants 9 and 10 (liveness), checked after the last fault healed: within bound_us of the
// heal, (9) one live node leads and has committed an entry of its own term, and (10) every live
// controller holds the same config files as that leader. The World calls observe() on a fixed
// period after the heal and finish() at the end of the run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/config_sync/state_machine.h"
#include "engine/core/raft/state.h"
#include "engine/check/findings.h"

namespace quorum::sim {

struct NodeView {
  NodeId id = kNoNode;
  bool up = false;
  raft::Role role = raft::Role::kFollower;
  Term term = 0;
  Term commit_term = 0;  // term of the entry at the node's commit index
  LogIndex applied_index = 0;
  const std::map<std::string, config_sync::FileEntry>* files = nullptr;
};

class Liveness {
 public:
  explicit Liveness(check::Findings& findings) : findings_(findings) {}
  void begin(std::uint64_t heal_us, std::uint64_t bound_us);
  bool active() const { return active_; }
  void observe(std::uint64_t now_us, const std::vector<NodeView>& nodes);
  void finish(std::uint64_t now_us);
  bool satisfied() const { return converged_us_ != 0; }
  std::uint64_t leader_after_heal_us() const { return leader_us_ == 0 ? 0 : leader_us_ - heal_us_; }
  std::uint64_t converged_after_heal_us() const {
    return converged_us_ == 0 ? 0 : converged_us_ - heal_us_;
  }
  NodeId leader() const { return leader_; }

 private:
  check::Findings& findings_;
  bool active_ = false;
  std::uint64_t heal_us_ = 0;
  std::uint64_t bound_us_ = 0;
  std::uint64_t leader_us_ = 0;
  std::uint64_t converged_us_ = 0;
  NodeId leader_ = kNoNode;
  std::string last_problem_;
};

}  // namespace quorum::sim
