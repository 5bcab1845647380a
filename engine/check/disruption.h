// Disruption (issue 10, "blind spots of the judge"): a needless election. A node reaching a term
// above that of a leader which, at the previous observation, believed it held its lease and had
// a live, connected majority (itself and enough voters of its configuration up, with the links
// both ways open) is a finding: nothing a healthy leader's followers see justifies a new term,
// and PreVote plus leader stickiness exist to prevent exactly that. Safety holds either way;
// what is lost is availability (a new election, the lease, a controller's leadership).
//
// Only for runs in which nothing asks for a new term: no leadership transfer, step-down or
// membership change, an idle or lightly loaded cluster (a disk stall can legitimately delay
// acks past the lease). The simulator turns it on for scenarios that say so
// (Scenario.judge_disruptions); the core harness may use it the same way.
//
// Reported as a liveness finding (an availability loss, not a broken promise); the run fails.
// O(nodes) per observation.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/check/findings.h"
#include "engine/check/leader_lease.h"

namespace quorum::check {

class DisruptionJudge {
 public:
  // Whether messages from -> to are delivered now.
  using LinkUpFn = std::function<bool(NodeId from, NodeId to)>;

  explicit DisruptionJudge(Findings& findings) : findings_(findings) {}

  // Every node now (the lease checker's views). Reports the first disruption (the run stops).
  void observe(std::uint64_t time_us, const std::vector<LeaseView>& nodes, const LinkUpFn& link_up);

  // Observations at which a healthy leader existed (for reports and tests: a judge that never
  // saw one judged nothing).
  std::uint64_t healthy_observations() const { return healthy_observations_; }

 private:
  bool healthy(const LeaseView& leader, const std::vector<LeaseView>& nodes,
               const LinkUpFn& link_up) const;

  Findings& findings_;
  NodeId healthy_leader_ = kNoNode;  // at the previous observation
  Term healthy_term_ = 0;
  bool reported_ = false;
  std::uint64_t healthy_observations_ = 0;
};

}  // namespace quorum::check
