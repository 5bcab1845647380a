#include "engine/check/leader_completeness.h"

#include <fmt/format.h>

namespace quorum::check {

void LeaderCompleteness::on_role(std::uint64_t time_us, NodeId node,
                                 const raft::SoftState& state) {
  if (state.role != raft::Role::kLeader) return;
  ++elections_checked_;
  const LogIndex committed = applied_.max_applied_below_term(state.term);
  if (committed == 0) return;
  const AppliedRecord* rec = applied_.record(committed);
  if (committed < logs_.snapshot_index(node)) return;  // covered by the leader's snapshot
  if (logs_.last_index(node) < committed) {
    findings_.report({ViolationClass::kSafety, "leader-completeness",
                      fmt::format("node {} became leader of term {} with last index {}, but index "
                                  "{} (term {}) was committed",
                                  node, state.term, logs_.last_index(node), committed, rec->term),
                      time_us, node});
    return;
  }
  const std::uint64_t chain = logs_.chain_at(node, committed);
  if (rec->chain != 0 && chain != 0 && chain != rec->chain) {
    findings_.report({ViolationClass::kSafety, "leader-completeness",
                      fmt::format("node {} became leader of term {} with a log that differs from "
                                  "the committed log at or before index {} (its term there: {}, "
                                  "committed: {})",
                                  node, state.term, committed, logs_.term_at(node, committed),
                                  rec->term),
                      time_us, node});
  }
}

}  // namespace quorum::check
