// OwnershipFeed: feeds the OwnershipChecker (ownership.h) from the World as a WorldObserver: at
// every node step, the clusters that node's replicated state says it owns, with may_act asked of
// the live hosts (each at its own clock's reading now); at the heal, the settle clock, probed
// every 50 ms against the current leader's state.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/checkers/ownership.h"
#include "sim/observer/observer.h"

namespace quorum::sim {

class OwnershipFeed final : public WorldObserver {
 public:
  OwnershipFeed(WorldContext& world, check::Findings& findings, std::uint64_t settle_us_max)
      : world_(world), checker_(findings, world.node_count()), settle_us_max_(settle_us_max) {}

  void on_step(std::uint64_t time_us, NodeId node) override;
  // Recording only: a trace line per Assign and Release applied (who, when), and per gap that
  // ended, so that a takeover's or hand-over's hops can be read off the trace.
  void on_apply(std::uint64_t time_us, NodeId node, const raft::Entry& entry) override;
  void on_down(std::uint64_t time_us, NodeId node) override;
  void on_heal(std::uint64_t time_us) override;
  void on_timer(std::uint64_t time_us, std::uint32_t tag, NodeId node, std::uint64_t arg0,
                std::uint64_t arg1) override;
  void on_finish(std::uint64_t time_us) override { checker_.finish(time_us); }

  const OwnershipChecker& checker() const { return checker_; }

 private:
  OwnershipChecker::AskFn ask();

  WorldContext& world_;
  OwnershipChecker checker_;
  std::uint64_t settle_us_max_;
  std::vector<ownership::ClusterId> owned_;  // scratch
  std::size_t gaps_traced_ = 0;
};

}  // namespace quorum::sim
