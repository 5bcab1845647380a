// World: the Galera model's hook (RunConfig::galera). After every event the model is recomputed
// from who is up and which links carry traffic; each change of a node's fitness is pushed to its
// SimBackend (and so to its host, as GaleraBackend does in quorumd) and to the invariant 8
// checker, and is written to the trace.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/core/base/assert.h"
#include "sim/world.h"
#include "sim/world_internal.h"

namespace quorum::sim {

void World::update_galera() {
  QUORUM_ASSERT(galera_ != nullptr);
  const bool changed = galera_->update([this](NodeId id) { return nodes_[id]->up; },
                                       [this](NodeId a, NodeId b) { return network_.can_deliver(a, b); });
  if (changed) {
    for (NodeId id = 1; id <= config_.node_count; ++id) {
      const bool healthy = galera_->healthy(id);
      NodeSlot& s = *nodes_[id];
      const host::BackendHealth health =
          healthy ? host::BackendHealth::kHealthy : host::BackendHealth::kUnhealthy;
      if (s.backend.health() == health) continue;
      s.backend.set_health(health);
      galera_fitness_.on_backend(id, healthy, now_us());
      trace_.event(now_us(), id, TraceKind::kNote, 8, healthy ? 1 : 0);
      trace_.line(now_us(), id, TraceKind::kNote, fmt::format("galera {}", galera_->describe(id)));
    }
  }
  galera_fitness_.check(now_us(), [this](NodeId leader, NodeId peer) {
    const NodeSlot& l = *nodes_[leader];
    return l.up && l.host != nullptr && nodes_[peer]->up &&
           l.host->node().membership().is_voter(peer) && network_.can_deliver(leader, peer) &&
           network_.can_deliver(peer, leader);
  });
}

void World::galera_isolate_leader(std::size_t index) {
  const FaultAction& a = schedule_[index];
  const NodeId leader = current_leader();
  const NodeId target = leader != kNoNode ? leader : a.node;
  if (galera_ == nullptr || target == kNoNode) return;
  galera_->set_galera_isolated(target, true);
  trace_.line(now_us(), target, TraceKind::kNote, "galera traffic of this node cut (Raft links kept)");
  if (a.duration_us > 0) queue_.push(now_us() + a.duration_us, kFaultEnd, 0, index, 0);
}

void World::galera_isolate(NodeId node) {
  if (galera_ == nullptr) return;
  galera_->set_galera_isolated(node, true);
  trace_.line(now_us(), node, TraceKind::kNote, "galera traffic of this node cut (Raft links kept)");
}

void World::galera_split(const std::vector<NodeId>& side) {
  if (galera_ == nullptr) return;
  galera_->split_galera(side);
  trace_.line(now_us(), kNoNode, TraceKind::kNote,
              fmt::format("galera traffic split: {{{}}} from the others", fmt::join(side, ",")));
}

void World::galera_heal() {
  if (galera_ == nullptr) return;
  galera_->heal_galera();
  trace_.line(now_us(), kNoNode, TraceKind::kNote, "galera traffic healed");
}

void World::galera_kill(NodeId node) {
  if (galera_ == nullptr) return;
  galera_->set_galera_down(node, true);
  trace_.line(now_us(), node, TraceKind::kNote, "galera node killed");
}

void World::galera_start(NodeId node) {
  if (galera_ == nullptr) return;
  galera_->set_galera_down(node, false);
  trace_.line(now_us(), node, TraceKind::kNote, "galera node started");
}

}  // namespace quorum::sim
