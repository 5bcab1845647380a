// Leader lease safety (issue 8 section 0; raft::Node::has_lease, engine/core/raft/node.h),
// judged in real (world) time while a node believes it holds the lease:
//  1. no other node leads a higher term;
//  2. no other node could be elected now: the voters that would grant a (pre-)vote do not form a
//     majority of the holder's configuration. The lease stands on exactly this promise: each
//     voter that acknowledged the lease's round refuses votes for an election timeout of its own
//     ticks after it received the round (leader stickiness), and the lease ends before the first
//     of them can stop refusing. Judged only while every live node has the holder's
//     configuration: across a membership change in flight, which majorities matter depends on
//     logs, and (1) still judges.
// (2) is the sharper form: (1) needs an election to complete inside the unsafe window, which a
// lease counted from too late a start (the ack's receipt instead of the round's send) opens only
// by about a round trip; (2) sees the window itself.
//
// Counting drift: a belief is judged as the node itself holds it, at its own (drifting) clock's
// reading at that real time, and only when its host has caught up with that reading
// (NodeHost::behind_clock): a paused or busy host does not act on its belief before it has fed
// the due ticks (node_host.h). A voter's refusal is judged the same way: ticks due on its clock
// but not fed yet count, since it feeds them before it steps any vote request. Down nodes cannot
// vote (and refuse for an election timeout after a restart). The World calls observe() with
// every node after every step of any node, which is when a belief, a refusal or an office can
// change: O(nodes^2) per step, nodes <= 5.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/membership.h"
#include "engine/check/findings.h"

namespace quorum::check {

struct LeaseView {
  NodeId node = kNoNode;
  bool up = false;
  Term term = 0;
  bool leader = false;
  // has_lease() at the node's own clock reading, with its host caught up with that reading.
  bool believes_lease = false;
  Ticks lease_remaining_ticks = 0;
  // Would refuse a (pre-)vote now: it leads, it is down, or it heard from a leader less than an
  // election timeout ago by its clock's reading now.
  bool refuses_votes = true;
  const raft::Membership* membership = nullptr;  // its latest configuration; nullptr if down
};

class LeaderLease {
 public:
  explicit LeaderLease(Findings& findings) : findings_(findings) {}

  // Every node at time_us. Reports the first unsafe lease seen (the run stops there).
  void observe(std::uint64_t time_us, const std::vector<LeaseView>& nodes);

  // Beliefs judged (observations of a node that believed it held a lease), and of those, how
  // many were also judged against the voters' refusals (2), for reports and tests.
  std::uint64_t beliefs_judged() const { return beliefs_judged_; }
  std::uint64_t refusals_judged() const { return refusals_judged_; }

 private:
  bool judge_refusals(std::uint64_t time_us, const LeaseView& holder,
                      const std::vector<LeaseView>& nodes);

  Findings& findings_;
  std::uint64_t beliefs_judged_ = 0;
  std::uint64_t refusals_judged_ = 0;
};

}  // namespace quorum::check
