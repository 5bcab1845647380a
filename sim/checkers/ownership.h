// Ownership checkers: DESIGN.md invariants 6, 7 and 11, judged on what every controller's own
// may_act answers (engine/core/ownership/may_act.h), each at its own drifting clock's reading now
// (which is what NodeHost::may_act does), at the real (simulated) time of every node step.
//
//  6. At most one live controller may act on a cluster at any real time. The epoch anyone acts
//     under, per cluster, never decreases, and two controllers never act under the same epoch.
//  7. "Auto-recovery active" is "may_act is ok" (may_act answers no when the cluster's or the
//     controller's auto-recovery is off, or for a standby), so 7 is the same check as 6.
// 11. After the last fault healed, within settle_us_max, every cluster is owned by a live
//     controller whose may_act is ok (liveness).
//
// Why checking at node steps is complete: a controller's may_act can turn from "no" to "yes" only
// when its host runs (applies an entry, renews its session, restarts); between its steps only
// time passes, and time only ends a session. So every overlap begins at some step of one of the
// two controllers, where that controller is ok: at that step the checker asks every other
// controller that was ok at its own last step (and only those: the others cannot be ok now).
// Cost per step: one may_act per cluster the stepping node owns, plus one per other controller
// still acting on it (none, normally).
//
// Also measured (reports, scenarios): per cluster the longest real-time gap with no controller
// able to act, at node-step resolution (a gap ends at the first step that is ok again and began at
// the last step seen ok; overestimates by at most one tick).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/ownership/may_act.h"
#include "engine/check/findings.h"

namespace quorum::sim {

class OwnershipChecker {
 public:
  using ClusterId = ownership::ClusterId;
  // node n's may_act(cluster) now, judged at n's clock's reading (only asked of live nodes).
  using AskFn = std::function<ownership::MayAct(NodeId, ClusterId)>;

  struct Gap {
    ClusterId cluster = 0;
    std::uint64_t from_us = 0;  // last step at which some controller was seen able to act
    std::uint64_t to_us = 0;    // first step at which one was able again
    NodeId before = kNoNode;    // who acted before the gap
    NodeId after = kNoNode;     // and after it
  };

  OwnershipChecker(check::Findings& findings, std::size_t node_count)
      : findings_(findings), acting_(node_count + 1) {}

  // `node` just ran one step; `owned` lists the clusters its replicated state says it owns
  // (owner == node, any state). Checks invariant 6 and updates the gaps.
  void on_step(std::uint64_t time_us, NodeId node, const std::vector<ClusterId>& owned,
               const AskFn& ask);
  // The node's process is gone: it acts on nothing.
  void on_down(std::uint64_t time_us, NodeId node);

  // Liveness (11): starts the clock at the heal; `probe` is then called periodically with the
  // clusters of the replicated state (any live node's, normally the leader's) and each cluster's
  // owner there. Reports a liveness violation if not settled by time + settle_us_max.
  void begin_settle(std::uint64_t time_us, std::uint64_t settle_us_max);
  // True once settled (then it need not be called again).
  bool probe(std::uint64_t time_us, const std::vector<std::pair<ClusterId, NodeId>>& owners,
             const std::function<bool(NodeId)>& live, const AskFn& ask);
  // End of the run: reports the violation if settling was due and never happened.
  void finish(std::uint64_t time_us);

  bool settled() const { return settled_; }
  // Between begin_settle and settling (or the liveness report).
  bool settling() const { return settling_; }
  std::uint64_t settle_us() const { return settled_at_us_ - settle_begin_us_; }
  std::uint64_t settle_us_max() const { return settle_us_max_; }
  // Gaps that ended (a controller could act again), in the order they ended.
  const std::vector<Gap>& gaps() const { return gaps_; }
  std::uint64_t longest_gap_us() const;
  std::uint64_t checks() const { return checks_; }
  std::uint64_t acting_observations() const { return acting_observations_; }

 private:
  struct ClusterRecord {
    std::uint64_t max_epoch = 0;  // the highest epoch anyone acted under (0: nobody yet)
    NodeId max_epoch_node = kNoNode;
    NodeId last_node = kNoNode;   // who acted last
    bool gap_open = false;
    std::uint64_t gap_from_us = 0;
  };
  struct Acting {
    ClusterId cluster = 0;
    std::uint64_t epoch = 0;
    std::uint64_t last_ok_us = 0;  // the last step at which it was seen able to act
  };
  using ActingList = std::vector<Acting>;  // sorted by cluster
  static const Acting* find(const ActingList& list, ClusterId cluster);
  static void erase(ActingList& list, ClusterId cluster);
  void observe_ok(std::uint64_t time_us, NodeId node, ClusterId cluster, const ownership::MayAct& m);
  // `node` no longer acts on `cluster` (seen ok last at last_ok_us): opens a gap if nobody does.
  void lost(NodeId node, ClusterId cluster, std::uint64_t last_ok_us);
  void report(std::uint64_t time_us, NodeId node, std::string detail);

  check::Findings& findings_;
  // Per node: the clusters it was able to act on at its last step.
  std::vector<ActingList> acting_;
  std::map<ClusterId, ClusterRecord> clusters_;
  std::vector<Gap> gaps_;
  std::uint64_t checks_ = 0;
  std::uint64_t acting_observations_ = 0;
  bool settling_ = false;
  bool settled_ = false;
  std::uint64_t settle_begin_us_ = 0;
  std::uint64_t settled_at_us_ = 0;
  std::uint64_t settle_us_max_ = 0;
  std::string unsettled_;  // the last probe's explanation
};

}  // namespace quorum::sim
