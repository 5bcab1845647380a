// CoreJudge: the shared judges (engine/check) attached to the core harness
// (engine/host/memory/core_cluster.h): election safety, log matching, leader completeness and
// state machine safety fed by every role change, persist, apply and restart; the leader lease
// judged by observe(); the core's own node invariants. The same checkers the simulator runs, so
// the chaos tests and the core-step fuzzer judge exactly what the swarm judges.
//
// Time: the harness has none; a finding's time_us is the number of observe() calls so far.
// Test support (library quorum_test_support).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/check/election_safety.h"
#include "engine/check/findings.h"
#include "engine/check/leader_completeness.h"
#include "engine/check/leader_lease.h"
#include "engine/check/log_matching.h"
#include "engine/check/log_model.h"
#include "engine/check/state_machine_safety.h"
#include "engine/host/memory/core_cluster.h"

namespace quorum::testing {

class CoreJudge final : public host::CoreObserver {
 public:
  // Judges `cluster`, whose node ids are 1..node_id_max. Registers itself as an observer:
  // construct it before the cluster does anything worth judging.
  CoreJudge(host::CoreCluster& cluster, NodeId node_id_max);
  CoreJudge(const CoreJudge&) = delete;
  CoreJudge& operator=(const CoreJudge&) = delete;

  // The checks that look at every node at once: the leader lease (a node believing it holds a
  // lease while a newer leader exists, or while a majority would grant a vote) and each live
  // node's invariants. Call after every step worth judging (a tick, a delivery).
  void observe();

  const check::Findings& findings() const { return findings_; }
  bool any() const { return findings_.any(); }
  // "invariant: detail" of the first finding, or empty.
  std::string first() const;

  void on_start(NodeId node, const raft::PersistedState& state) override;
  void on_role(NodeId node, const raft::SoftState& state) override;
  void on_persist(NodeId node, const host::PersistBatch& batch) override;
  void on_apply(NodeId node, const raft::Entry& entry) override;
  void on_restore(NodeId node, const raft::Snapshot& snapshot) override;

 private:
  void written(NodeId node, LogIndex index, Term term, std::uint64_t chain);

  host::CoreCluster& cluster_;
  NodeId node_id_max_;
  std::uint64_t steps_ = 0;
  check::Findings findings_;
  check::LogMatching matching_;
  check::LogModel logs_;
  check::ElectionSafety election_;
  check::StateMachineSafety applied_;
  check::LeaderCompleteness completeness_;
  check::LeaderLease lease_;
  std::vector<check::LeaseView> views_;  // scratch for observe()
};

}  // namespace quorum::testing
