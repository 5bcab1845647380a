// Invariant 4 (state machine safety): every node applies the same entry at each index, in index
// order. Records the first (term, digest, chain) applied at each index; any other node applying
// something else at that index is a violation. Within one incarnation of a node, applied
// indexes strictly increase. O(1) per applied entry.
#pragma once

#include <vector>

#include "engine/core/raft/entry.h"
#include "engine/check/findings.h"

namespace quorum::check {

struct AppliedRecord {
  Term term = 0;  // 0: nothing applied at this index yet
  std::uint64_t digest = 0;
  std::uint64_t chain = 0;  // 0 if the applying node's log no longer held it
  NodeId first_node = kNoNode;
};

class StateMachineSafety {
 public:
  StateMachineSafety(Findings& findings, std::size_t node_count)
      : findings_(findings), last_applied_(node_count + 1, 0) {}

  void on_apply(std::uint64_t time_us, NodeId node, const raft::Entry& entry,
                std::uint64_t chain);
  // A node restarted or installed a snapshot: its next applied index may jump or repeat.
  void on_reset(NodeId node, LogIndex applied_index) { last_applied_[node] = applied_index; }

  const AppliedRecord* record(LogIndex index) const;
  LogIndex max_applied_index() const { return applied_.empty() ? 0 : applied_.size() - 1; }
  // Highest index applied anywhere whose entry's term is below `term` (committed before a
  // leader of `term` could exist). Scans back over the few entries of terms >= term.
  LogIndex max_applied_below_term(Term term) const;
  std::uint64_t applies_count() const { return applies_count_; }

 private:
  Findings& findings_;
  std::vector<AppliedRecord> applied_;  // by index; [0] unused
  std::vector<LogIndex> last_applied_;  // by node
  std::uint64_t applies_count_ = 0;
};

}  // namespace quorum::check
