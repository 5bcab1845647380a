// LeaseFeed: the leader-lease checker (engine/check/leader_lease.h) and, in scenarios that ask
// for it, the disruption judge (engine/check/disruption.h), fed from the World as a
// WorldObserver (sim/observer/observer.h), the last of the list: after every step of any node,
// every live node's lease belief, judged at that node's own clock reading now. Moved out of
// World unchanged (the same views after every step, after the other observers' on_step), so
// trace hashes did not change.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/check/disruption.h"
#include "engine/check/findings.h"
#include "engine/check/leader_lease.h"
#include "sim/observer/observer.h"

namespace quorum::sim {

class LeaseFeed final : public WorldObserver {
 public:
  // stickiness_ticks: how long after hearing from a leader a node refuses votes (the run's
  // election timeout, as RaftConfig has it); judge_disruptions: RunConfig::judge_disruptions.
  LeaseFeed(WorldContext& world, check::Findings& findings, Ticks stickiness_ticks,
            bool judge_disruptions)
      : world_(world),
        leader_lease_(findings),
        disruption_(findings),
        stickiness_ticks_(stickiness_ticks),
        judge_disruptions_(judge_disruptions) {}

  void on_step(std::uint64_t time_us, NodeId node) override;

 private:
  WorldContext& world_;
  check::LeaderLease leader_lease_;
  check::DisruptionJudge disruption_;
  Ticks stickiness_ticks_;
  bool judge_disruptions_;
  std::vector<check::LeaseView> views_;  // scratch
};

}  // namespace quorum::sim
