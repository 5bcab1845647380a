// Invariant 3 (leader completeness): a committed entry is in the log of every later leader.
// When a node becomes leader of term T, the highest index applied anywhere with an entry of a
// term below T (hence committed before T existed) must be in its log with the same chain hash,
// which by log matching covers every committed entry before it. O(1) per election (plus a scan
// back over the few entries of terms >= T).
#pragma once

#include "engine/core/raft/state.h"
#include "engine/check/findings.h"
#include "engine/check/log_model.h"
#include "engine/check/state_machine_safety.h"

namespace quorum::check {

class LeaderCompleteness {
 public:
  LeaderCompleteness(Findings& findings, const LogModel& logs, const StateMachineSafety& applied)
      : findings_(findings), logs_(logs), applied_(applied) {}
  void on_role(std::uint64_t time_us, NodeId node, const raft::SoftState& state);
  std::uint64_t elections_checked() const { return elections_checked_; }

 private:
  Findings& findings_;
  const LogModel& logs_;
  const StateMachineSafety& applied_;
  std::uint64_t elections_checked_ = 0;
};

}  // namespace quorum::check
