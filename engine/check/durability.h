// Invariant 5 (durability): a write acknowledged to a client survives any crash and restart
// pattern. An acknowledgement must name an index that was applied with the acknowledged entry;
// afterwards every node that applies that index must apply the same entry (checked here against
// the record kept at ack time, which survives every crash), and after the quiet period the
// leader must have applied every acknowledged index (checked by finish()).
#pragma once

#include <map>

#include "engine/check/findings.h"
#include "engine/check/state_machine_safety.h"

namespace quorum::check {

class Durability {
 public:
  Durability(Findings& findings, const StateMachineSafety& applied)
      : findings_(findings), applied_(applied) {}
  void on_ack(std::uint64_t time_us, NodeId node, LogIndex index);
  void on_apply(std::uint64_t time_us, NodeId node, LogIndex index, std::uint64_t digest);
  // End of run: the leader (if any) must have applied every acknowledged index.
  void finish(std::uint64_t time_us, NodeId leader, LogIndex leader_applied_index);
  std::size_t acked_count() const { return acked_.size(); }

 private:
  Findings& findings_;
  const StateMachineSafety& applied_;
  std::map<LogIndex, std::uint64_t> acked_;  // index -> digest of the acknowledged entry
};

}  // namespace quorum::check
