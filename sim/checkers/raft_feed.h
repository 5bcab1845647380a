// RaftFeed: the Raft checkers fed from the World as one WorldObserver (sim/observer/observer.h),
// the first of the list: log matching over the checkers' model of every durable log (2),
// election safety (1), the split-brain step-down bound, state machine safety (4), leader
// completeness (3), durability of acknowledged writes (5), the core's own invariants after every
// step (engine/core/raft/invariants.h) and, after the heal, liveness (9, 10) probed every 50 ms.
// Moved out of World unchanged: the same calls at the same points of the run loop in the same
// order (it is the first observer), the liveness probe queued where the World queued it, so
// trace hashes did not change.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/check/durability.h"
#include "engine/check/election_safety.h"
#include "engine/check/findings.h"
#include "engine/check/leader_completeness.h"
#include "engine/check/log_matching.h"
#include "engine/check/log_model.h"
#include "engine/check/split_brain.h"
#include "engine/check/state_machine_safety.h"
#include "engine/core/raft/invariants.h"
#include "sim/checkers/liveness.h"
#include "sim/observer/observer.h"

namespace quorum::sim {

class RaftFeed final : public WorldObserver {
 public:
  // split_brain_overlap_us_max: how long two leaders may overlap (engine/check/split_brain.h);
  // liveness_bound_us: from the heal to a leader and converged config files (liveness.h).
  RaftFeed(WorldContext& world, check::Findings& findings, std::size_t node_count,
           std::uint64_t split_brain_overlap_us_max, std::uint64_t liveness_bound_us);

  void on_start(std::uint64_t time_us, NodeId node, const host::LoadedState& loaded) override;
  void on_persist(std::uint64_t time_us, NodeId node, const host::PersistBatch& batch) override;
  void on_apply(std::uint64_t time_us, NodeId node, const raft::Entry& entry) override;
  void on_role(std::uint64_t time_us, NodeId node, const raft::SoftState& state) override;
  void on_step(std::uint64_t time_us, NodeId node) override;
  void on_pause(std::uint64_t time_us, NodeId node) override;
  void on_resume(std::uint64_t time_us, NodeId node) override;
  void on_down(std::uint64_t time_us, NodeId node) override;
  void on_heal(std::uint64_t time_us) override;
  void on_timer(std::uint64_t time_us, std::uint32_t tag, NodeId node, std::uint64_t arg0,
                std::uint64_t arg1) override;
  void on_finish(std::uint64_t time_us) override;

  // The checkers' model of every node's durable log (live or down).
  const check::LogModel& logs() const { return logs_; }
  // The client workload reports acknowledged writes here.
  check::Durability& durability() { return durability_; }
  const Liveness& liveness() const { return liveness_; }

 private:
  std::vector<NodeView> node_views() const;
  check::LogModel::WrittenFn written(std::uint64_t time_us);

  WorldContext& world_;
  check::Findings& findings_;
  std::uint64_t liveness_bound_us_;
  check::LogMatching log_matching_;
  check::LogModel logs_;
  check::ElectionSafety election_safety_;
  check::SplitBrainBound split_brain_;
  check::StateMachineSafety state_machine_safety_;
  check::LeaderCompleteness leader_completeness_;
  check::Durability durability_;
  Liveness liveness_;
  // The core's state at its previous step, by node id ([0] unused; reset at every start): the
  // before/after transition checks (LogCabin's checkDelta).
  std::vector<std::optional<raft::NodeObservation>> observed_;
};

}  // namespace quorum::sim
