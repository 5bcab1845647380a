#include "sim/checkers/raft_feed.h"

#include <fmt/format.h>

#include "engine/host/node_host.h"

namespace quorum::sim {

RaftFeed::RaftFeed(WorldContext& world, check::Findings& findings, std::size_t node_count,
                   std::uint64_t split_brain_overlap_us_max, std::uint64_t liveness_bound_us)
    : world_(world),
      findings_(findings),
      liveness_bound_us_(liveness_bound_us),
      log_matching_(findings),
      logs_(node_count, [this](LogIndex i, Term t) { return log_matching_.chain_of(i, t); }),
      election_safety_(findings),
      split_brain_(findings, split_brain_overlap_us_max),
      state_machine_safety_(findings, node_count),
      leader_completeness_(findings, logs_, state_machine_safety_),
      durability_(findings, state_machine_safety_),
      liveness_(findings),
      observed_(node_count + 1) {}

check::LogModel::WrittenFn RaftFeed::written(std::uint64_t time_us) {
  return [this, time_us](NodeId n, LogIndex i, Term t, std::uint64_t chain) {
    log_matching_.on_written(time_us, n, i, t, chain);
  };
}

void RaftFeed::on_start(std::uint64_t time_us, NodeId node, const host::LoadedState& loaded) {
  logs_.reset(node, loaded.persisted, written(time_us));
  state_machine_safety_.on_reset(
      node, loaded.snapshot ? loaded.snapshot->meta.last_index : LogIndex{0});
  observed_[node].reset();  // a restart resets the observation
}

void RaftFeed::on_persist(std::uint64_t time_us, NodeId node, const host::PersistBatch& batch) {
  const raft::SnapshotMeta* snapshot = batch.snapshot ? &batch.snapshot->meta : nullptr;
  logs_.on_persist(node, snapshot, batch.entries, written(time_us));
}

void RaftFeed::on_apply(std::uint64_t time_us, NodeId node, const raft::Entry& e) {
  const std::uint64_t chain = logs_.chain_at(node, e.index);
  state_machine_safety_.on_apply(time_us, node, e, chain);
  durability_.on_apply(time_us, node, e.index, check::entry_digest(e));
}

void RaftFeed::on_role(std::uint64_t time_us, NodeId node, const raft::SoftState& state) {
  election_safety_.on_role(time_us, node, state);
  split_brain_.on_role(time_us, node, state);
  leader_completeness_.on_role(time_us, node, state);
}

void RaftFeed::on_step(std::uint64_t time_us, NodeId node) {
  // The core's own invariants (engine/core/raft/invariants.h), O(1) per call, after every step
  // of this node: state checks and before/after transition checks (LogCabin's checkBasic and
  // checkDelta).
  const host::NodeHost* h = world_.live_host(node);
  if (h == nullptr) return;
  const raft::Node& core = h->node();
  std::string problem = raft::check_node_state(core);
  raft::NodeObservation now = raft::observe(core);
  std::optional<raft::NodeObservation>& before = observed_[node];
  if (problem.empty() && before) problem = raft::check_node_transition(*before, now);
  before = now;
  if (!problem.empty()) {
    findings_.report({check::ViolationClass::kSafety, "raft-invariants",
                      fmt::format("node {}: {}", node, problem), time_us, node});
  }
}

void RaftFeed::on_pause(std::uint64_t time_us, NodeId node) { split_brain_.on_pause(time_us, node); }

void RaftFeed::on_resume(std::uint64_t time_us, NodeId node) {
  split_brain_.on_resume(time_us, node);
}

void RaftFeed::on_down(std::uint64_t time_us, NodeId node) { split_brain_.on_down(time_us, node); }

void RaftFeed::on_heal(std::uint64_t time_us) {
  liveness_.begin(time_us, liveness_bound_us_);
  world_.schedule(time_us, *this, 0, kNoNode, 0, 0);
}

void RaftFeed::on_timer(std::uint64_t time_us, std::uint32_t /*tag*/, NodeId /*node*/,
                        std::uint64_t /*arg0*/, std::uint64_t /*arg1*/) {
  liveness_.observe(time_us, node_views());
  if (!liveness_.satisfied()) world_.schedule(time_us + 50'000, *this, 0, kNoNode, 0, 0);
}

void RaftFeed::on_finish(std::uint64_t time_us) {
  // Before the liveness verdict: an overlong split brain is a safety violation.
  split_brain_.finish(time_us);
  if (findings_.any_safety()) return;
  liveness_.finish(time_us);
  const NodeId leader = liveness_.leader();
  const host::NodeHost* h = leader == kNoNode ? nullptr : world_.live_host(leader);
  if (h != nullptr) durability_.finish(time_us, leader, h->applied_index());
}

std::vector<NodeView> RaftFeed::node_views() const {
  std::vector<NodeView> out;
  for (NodeId n = 1; n <= world_.node_count(); ++n) {
    const host::NodeHost* h = world_.live_host(n);
    NodeView v;
    v.id = n;
    v.up = h != nullptr;
    if (v.up) {
      const raft::Node& node = h->node();
      v.role = node.role();
      v.term = node.term();
      v.commit_term = logs_.term_at(n, node.commit_index());
      v.applied_index = h->applied_index();
      v.files = &h->state().config.files();
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace quorum::sim
