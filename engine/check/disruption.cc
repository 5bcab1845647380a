#include "engine/check/disruption.h"

#include <fmt/format.h>

namespace quorum::check {

bool DisruptionJudge::healthy(const LeaseView& leader, const std::vector<LeaseView>& nodes,
                              const LinkUpFn& link_up) const {
  if (!leader.up || !leader.leader || !leader.believes_lease || leader.membership == nullptr) {
    return false;
  }
  const std::vector<NodeId> voters = leader.membership->voters();
  std::size_t connected = 0;
  for (NodeId voter : voters) {
    if (voter == leader.node) {
      ++connected;
      continue;
    }
    for (const LeaseView& v : nodes) {
      if (v.node == voter && v.up && link_up(leader.node, voter) && link_up(voter, leader.node)) {
        ++connected;
      }
    }
  }
  return connected >= voters.size() / 2 + 1;
}

void DisruptionJudge::observe(std::uint64_t time_us, const std::vector<LeaseView>& nodes,
                              const LinkUpFn& link_up) {
  if (healthy_leader_ != kNoNode && !reported_) {
    for (const LeaseView& v : nodes) {
      if (!v.up || v.term <= healthy_term_) continue;
      reported_ = true;
      findings_.report({ViolationClass::kLiveness, "disruption",
                        fmt::format("node {} reached term {} while node {} led term {} with a "
                                    "valid lease and a live, connected majority (a needless "
                                    "election)",
                                    v.node, v.term, healthy_leader_, healthy_term_),
                        time_us, v.node});
      return;
    }
  }
  healthy_leader_ = kNoNode;
  healthy_term_ = 0;
  for (const LeaseView& v : nodes) {
    if (healthy(v, nodes, link_up)) {
      healthy_leader_ = v.node;
      healthy_term_ = v.term;
      ++healthy_observations_;
      return;
    }
  }
}

}  // namespace quorum::check
