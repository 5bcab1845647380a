// The shared judges on the core harness. Test support.
#include "tests/support/core_judge.h"

#include <fmt/format.h>

namespace quorum::testing {

CoreJudge::CoreJudge(host::CoreCluster& cluster, NodeId node_id_max)
    : cluster_(cluster),
      node_id_max_(node_id_max),
      matching_(findings_),
      logs_(node_id_max, [this](LogIndex i, Term t) { return matching_.chain_of(i, t); }),
      election_(findings_),
      applied_(findings_, node_id_max),
      completeness_(findings_, logs_, applied_),
      lease_(findings_) {
  cluster_.add_observer(this);
}

std::string CoreJudge::first() const {
  if (!findings_.any()) return {};
  const check::InvariantViolation& v = findings_.all().front();
  return fmt::format("{}: {}", v.invariant, v.detail);
}

void CoreJudge::written(NodeId node, LogIndex index, Term term, std::uint64_t chain) {
  matching_.on_written(steps_, node, index, term, chain);
}

void CoreJudge::on_start(NodeId node, const raft::PersistedState& state) {
  logs_.reset(node, state, [this](NodeId n, LogIndex i, Term t, std::uint64_t c) {
    written(n, i, t, c);
  });
  applied_.on_reset(node, state.snapshot ? state.snapshot->last_index : LogIndex{0});
}

void CoreJudge::on_role(NodeId node, const raft::SoftState& state) {
  election_.on_role(steps_, node, state);
  completeness_.on_role(steps_, node, state);
}

void CoreJudge::on_persist(NodeId node, const host::PersistBatch& batch) {
  const raft::SnapshotMeta* snapshot = batch.snapshot ? &batch.snapshot->meta : nullptr;
  logs_.on_persist(node, snapshot, batch.entries,
                   [this](NodeId n, LogIndex i, Term t, std::uint64_t c) { written(n, i, t, c); });
}

void CoreJudge::on_apply(NodeId node, const raft::Entry& entry) {
  applied_.on_apply(steps_, node, entry, logs_.chain_at(node, entry.index));
}

void CoreJudge::on_restore(NodeId node, const raft::Snapshot& snapshot) {
  applied_.on_reset(node, snapshot.meta.last_index);
}

void CoreJudge::observe() {
  ++steps_;
  views_.clear();
  for (NodeId id = 1; id <= node_id_max_; ++id) {
    check::LeaseView v;
    v.node = id;
    v.up = cluster_.exists(id) && cluster_.is_up(id);
    if (v.up) {
      const raft::Node& n = cluster_.node(id);
      const std::string why = cluster_.check_node(id);
      if (!why.empty()) {
        findings_.report({check::ViolationClass::kSafety, "raft-invariants", why, steps_, id});
      }
      v.term = n.term();
      v.leader = n.role() == raft::Role::kLeader;
      v.believes_lease = n.has_lease();
      v.lease_remaining_ticks = v.believes_lease ? n.lease_remaining_ticks() : 0;
      // Every node of the harness ticks in lockstep: no clock is behind.
      v.refuses_votes = v.leader || n.leader_contact_elapsed_ticks() <
                                        cluster_.config(id).election_timeout_ticks;
      v.membership = &n.membership();
    }
    views_.push_back(v);
  }
  lease_.observe(steps_, views_);
}

}  // namespace quorum::testing
