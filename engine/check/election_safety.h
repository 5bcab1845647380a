// Invariant 1 (election safety): at most one leader per term. Fed by every role change; one map
// lookup per observation.
#pragma once

#include <map>

#include "engine/core/raft/state.h"
#include "engine/check/findings.h"

namespace quorum::check {

class ElectionSafety {
 public:
  explicit ElectionSafety(Findings& findings) : findings_(findings) {}
  void on_role(std::uint64_t time_us, NodeId node, const raft::SoftState& state);
  std::size_t terms_with_leader() const { return leader_of_term_.size(); }

 private:
  Findings& findings_;
  std::map<Term, NodeId> leader_of_term_;
};

}  // namespace quorum::check
