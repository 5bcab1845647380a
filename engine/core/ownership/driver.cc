// The leader-side ownership driver (driver.h, docs/ownership.md). Core: std and fmt only.
#include "engine/core/ownership/driver.h"

#include <algorithm>
#include <set>
#include <variant>

#include "engine/core/base/assert.h"
#include "engine/core/ownership/assign.h"

namespace quorum::ownership {

void Driver::reset() {
  started_ = false;
  alive_since_ticks_.clear();
  inherited_stable_.clear();
  generation_seen_.clear();
  release_index_.clear();
  started_scan_ = false;
  release_scan_index_ = 0;
  last_heard_ticks_.clear();
  unowned_since_ticks_.clear();
  unowned_scan_index_ = 0;
  wait_applied_index_ = 0;
  wait_until_ticks_ = 0;
  next_plan_ticks_ = 0;
  last_plan_ticks_ = 0;
  released_planned_.clear();
  unfit_seen_.clear();
  unfit_planned_.clear();
}

void Driver::on_proposed(LogIndex index, Ticks now_ticks) {
  wait_applied_index_ = std::max(wait_applied_index_, index);
  wait_until_ticks_ = now_ticks + config_.plan_timeout_ticks;
}

bool Driver::alive_recent(NodeId id, const LeaderView& view) const {
  if (id == view.self) return true;
  const auto it = view.peers.find(id);
  if (it == view.peers.end() || !it->second.heard) return false;
  return it->second.session_generation > 0 &&
         view.now_ticks < it->second.last_keepalive_ticks + config_.alive_window_ticks;
}

bool Driver::may_take_from(NodeId owner, const LeaderView& view) const {
  // The leader drives only while it holds its lease, and its own session is renewed with it.
  if (owner == view.self) return false;
  const Ticks wait = raft::assigner_wait_ticks(config_.session);
  // Rule 3: a new leader does not know what its predecessor confirmed.
  if (!mutation_on(config_.mutation, Mutation::kReassignRightAfterElection) &&
      view.now_ticks < view.leader_since_ticks + wait) {
    return false;
  }
  const auto it = view.peers.find(owner);
  // Silent since this leader took office, a full W ago: its sessions all predate the office;
  // unless this leader heard it before its PeerSession was re-created or dropped.
  if (it == view.peers.end() || !it->second.heard) {
    const auto heard = last_heard_ticks_.find(owner);
    return heard == last_heard_ticks_.end() || view.now_ticks >= heard->second + wait;
  }
  if (mutation_on(config_.mutation, Mutation::kReassignBeforeLeaseExpiry)) {
    return !alive_recent(owner, view);  // planted bug (h): "looks dead" is not "lease over"
  }
  // Rule 2.
  return view.now_ticks >= it->second.last_keepalive_ticks + wait;
}

Ticks Driver::take_due_ticks(NodeId owner, const LeaderView& view) const {
  // Mirrors may_take_from: the latest of the rules' due ticks, for an owner heard no more.
  if (owner == view.self) return kNeverTicks;
  const Ticks wait = raft::assigner_wait_ticks(config_.session);
  Ticks due = mutation_on(config_.mutation, Mutation::kReassignRightAfterElection)
                  ? 0
                  : view.leader_since_ticks + wait;
  const auto it = view.peers.find(owner);
  if (it == view.peers.end() || !it->second.heard) {
    const auto heard = last_heard_ticks_.find(owner);
    if (heard != last_heard_ticks_.end()) due = std::max(due, heard->second + wait);
  } else if (mutation_on(config_.mutation, Mutation::kReassignBeforeLeaseExpiry)) {
    due = std::max(due, it->second.last_keepalive_ticks + config_.alive_window_ticks);
  } else {
    due = std::max(due, it->second.last_keepalive_ticks + wait);
  }
  return due;
}

bool Driver::takeover_came_due(const StateMachine& state, const LeaderView& view) const {
  for (const auto& [id, controller] : state.controllers()) {
    if (alive_recent(id, view)) continue;
    const Ticks due = take_due_ticks(id, view);
    if (due > last_plan_ticks_ && due <= view.now_ticks) return true;
  }
  return false;
}

bool Driver::new_release_ready(const StateMachine& state, const LeaderView& view) const {
  for (const auto& [id, index] : release_index_) {
    if (released_planned_.contains(id)) continue;
    const Cluster* c = state.find_cluster(id);
    if (c != nullptr && c->state == ClusterState::kHandingOver && released(*c, view)) return true;
  }
  return false;
}

void Driver::note_backend_fitness(const LeaderView& view) {
  for (NodeId id : unfit_seen_) {
    if (view.unfit.contains(id) || !alive_since_ticks_.contains(id)) continue;
    alive_since_ticks_[id] = view.now_ticks;  // fit again: stable only after stable_ticks
    inherited_stable_.erase(id);
  }
  unfit_seen_ = view.unfit;
}

bool Driver::new_unfit(const LeaderView& view) const {
  return std::any_of(view.unfit.begin(), view.unfit.end(),
                     [this](NodeId id) { return !unfit_planned_.contains(id); });
}

LogIndex Driver::session_start_of(NodeId id, const LeaderView& view) const {
  if (id == view.self) return view.self_session != nullptr ? view.self_session->start_index() : 0;
  const auto it = view.peers.find(id);
  return it == view.peers.end() ? 0 : it->second.session_start_index;
}

void Driver::observe(const StateMachine& state, const LeaderView& view) {
  for (const auto& [id, peer] : view.peers) {
    if (peer.heard) last_heard_ticks_[id] = std::max(last_heard_ticks_[id], peer.last_keepalive_ticks);
  }
  for (const auto& [id, controller] : state.controllers()) {
    if (!alive_recent(id, view)) {
      alive_since_ticks_.erase(id);
      inherited_stable_.erase(id);
      continue;
    }
    const auto peer = view.peers.find(id);
    const std::uint64_t generation = peer == view.peers.end() ? 0 : peer->second.session_generation;
    const auto seen = generation_seen_.find(id);
    const bool restarted = seen != generation_seen_.end() && seen->second != generation;
    generation_seen_[id] = generation;
    if (restarted) {
      alive_since_ticks_[id] = view.now_ticks;  // a new session: not stable again yet
      inherited_stable_.erase(id);
    } else if (!alive_since_ticks_.contains(id)) {
      alive_since_ticks_[id] = view.now_ticks;
      // A controller already active when this leader took office was stable under its
      // predecessor; anything else starts its stable time now.
      if (controller.state == ControllerState::kActive &&
          view.now_ticks < leader_since_ticks_ + config_.alive_window_ticks) {
        inherited_stable_.insert(id);
      }
    }
  }
  // Hand-overs: remember, per cluster, an index at or past its Release. Cluster states change
  // only when entries apply, so the walk over every cluster runs once per applied index, not
  // on every poll of the leader.
  if (state.applied_index() == release_scan_index_ && started_scan_) return;
  started_scan_ = true;
  release_scan_index_ = state.applied_index();
  for (auto it = release_index_.begin(); it != release_index_.end();) {
    const Cluster* c = state.find_cluster(it->first);
    it = c == nullptr || c->state != ClusterState::kHandingOver ? release_index_.erase(it) : ++it;
  }
  for (const auto& [id, cluster] : state.clusters()) {
    if (cluster.state == ClusterState::kHandingOver && !release_index_.contains(id)) {
      release_index_[id] = state.applied_index();
    }
  }
}

bool Driver::released(const Cluster& cluster, const LeaderView& view) const {
  QUORUM_ASSERT(cluster.state == ClusterState::kHandingOver);
  const auto index = release_index_.find(cluster.id);
  QUORUM_ASSERT(index != release_index_.end());
  // This node applied the Release itself; a local guard's hold caps it as it caps a follower's
  // report (engine/host/guard_holds.h).
  if (cluster.owner == view.self) return view.self_applied_report_cap >= index->second;
  const auto peer = view.peers.find(cluster.owner);
  return peer != view.peers.end() && peer->second.heard &&
         peer->second.applied_index >= index->second;
}

bool Driver::assign_is_safe(const StateMachine& state, const Assign& assign,
                            const LeaderView& view) {
  const Cluster* c = state.find_cluster(assign.cluster);
  if (c == nullptr || c->state == ClusterState::kUnowned) return true;
  if (c->state == ClusterState::kOwned) {
    if (c->owner == assign.to) return true;  // a re-grant: nobody else is involved
    return may_take_from(c->owner, view);
  }
  return released(*c, view) || may_take_from(c->owner, view);
}

void Driver::add_regrants(const StateMachine& state, const LeaderView& view,
                          std::vector<Command>& out) {
  for (const auto& [id, cluster] : state.clusters()) {
    if (cluster.state != ClusterState::kOwned) continue;
    if (!alive_recent(cluster.owner, view)) continue;
    if (cluster.epoch > session_start_of(cluster.owner, view)) continue;
    out.push_back(Assign{id, cluster.owner, cluster.epoch});
    ++stats_.regrants;
  }
}

bool Driver::stable(NodeId id, const LeaderView& view) const {
  const auto since = alive_since_ticks_.find(id);
  if (since == alive_since_ticks_.end()) return false;
  return inherited_stable_.contains(id) || view.now_ticks - since->second >= config_.stable_ticks;
}

void Driver::add_activations(const StateMachine& state, const LeaderView& view,
                             std::vector<Command>& out) const {
  for (const auto& [id, controller] : state.controllers()) {
    if (controller.state != ControllerState::kJoining) continue;
    if (stable(id, view)) out.push_back(Activate{id});
  }
}

void Driver::track_unowned(const StateMachine& state, const LeaderView& view) {
  unowned_scan_index_ = state.applied_index();
  for (auto it = unowned_since_ticks_.begin(); it != unowned_since_ticks_.end();) {
    it = state.find_cluster(it->first) == nullptr ? unowned_since_ticks_.erase(it) : ++it;
  }
  const Ticks owner_lease = raft::owner_lease_ticks(config_.session);
  for (const auto& [id, cluster] : state.clusters()) {
    if (cluster.epoch == 0) continue;  // never owned yet: not a gap
    Ticks heard = view.now_ticks;
    if (cluster.owner != view.self) {
      const auto last = last_heard_ticks_.find(cluster.owner);
      heard = last != last_heard_ticks_.end() ? last->second : view.leader_since_ticks;
    }
    const bool silent = view.now_ticks >= heard + owner_lease;
    const bool acting = cluster.state == ClusterState::kOwned && !silent &&
                        cluster.epoch > session_start_of(cluster.owner, view);
    const auto open = unowned_since_ticks_.find(id);
    if (acting) {
      if (open != unowned_since_ticks_.end()) {
        stats_.longest_unowned_ticks =
            std::max(stats_.longest_unowned_ticks, view.now_ticks - open->second);
        unowned_since_ticks_.erase(open);
      }
    } else if (open == unowned_since_ticks_.end()) {
      unowned_since_ticks_[id] =
          cluster.state == ClusterState::kOwned ? std::min(heard, view.now_ticks) : view.now_ticks;
    }
  }
}

std::vector<Command> Driver::step(const StateMachine& state, const LeaderView& view) {
  std::vector<Command> out;
  if (!view.has_lease || !view.committed_in_term) return out;
  QUORUM_ASSERT(view.self_session != nullptr);
  if (!started_ || view.leader_since_ticks != leader_since_ticks_) {
    reset();
    started_ = true;
    leader_since_ticks_ = view.leader_since_ticks;
  }
  observe(state, view);
  note_backend_fitness(view);
  // Gaps open and close when entries apply (a Release, an Assign): tracked then, not only per
  // plan, so a hand-over's gap is measured to the poll, not rounded up to a plan interval.
  if (state.applied_index() != unowned_scan_index_) track_unowned(state, view);
  if (state.applied_index() < wait_applied_index_ && view.now_ticks < wait_until_ticks_) return out;
  if (view.now_ticks < next_plan_ticks_ && !takeover_came_due(state, view) &&
      !new_release_ready(state, view) && !new_unfit(view)) {
    return out;
  }
  unfit_planned_ = view.unfit;
  next_plan_ticks_ = view.now_ticks + config_.plan_interval_ticks;
  last_plan_ticks_ = view.now_ticks;
  released_planned_.clear();
  for (const auto& [id, index] : release_index_) {
    const Cluster* c = state.find_cluster(id);
    if (c != nullptr && c->state == ClusterState::kHandingOver && released(*c, view)) {
      released_planned_.insert(id);
    }
  }
  ++stats_.plans;
  track_unowned(state, view);

  add_regrants(state, view, out);
  add_activations(state, view, out);
  std::set<ClusterId> covered;
  for (const Command& c : out) {
    if (const auto* a = std::get_if<Assign>(&c)) covered.insert(a->cluster);
  }
  PolicyInput input{state, {}, {}, config_.moves_per_plan_max};
  input.unfit = view.unfit;
  for (const auto& [id, controller] : state.controllers()) {
    if (!may_take_from(id, view)) input.alive.insert(id);
    if (stable(id, view)) input.stable.insert(id);
  }
  for (Command& command : plan(input)) {
    if (const auto* a = std::get_if<Assign>(&command)) {
      if (covered.contains(a->cluster)) continue;
      if (!assign_is_safe(state, *a, view)) {
        ++stats_.held_back;
        continue;
      }
      const Cluster* c = state.find_cluster(a->cluster);
      if (c == nullptr || c->state == ClusterState::kUnowned) {
        ++stats_.grants;
      } else if (c->state == ClusterState::kHandingOver) {
        ++stats_.handovers;
      } else {
        ++stats_.takeovers;
      }
    } else if (std::holds_alternative<Release>(command)) {
      ++stats_.releases;
    }
    out.push_back(std::move(command));
  }
  return out;
}

}  // namespace quorum::ownership
