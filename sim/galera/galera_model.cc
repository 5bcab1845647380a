// GaleraModel: components, the majority-of-last-Primary rule and the bootstrap rule. Sim layer.
#include "sim/galera/galera_model.h"

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::string_view galera_state_name(GaleraState state) {
  switch (state) {
    case GaleraState::kSynced: return "Synced";
    case GaleraState::kJoining: return "Joining";
    case GaleraState::kInitialized: return "Initialized";
    case GaleraState::kDown: return "down";
  }
  return "?";
}

GaleraModel::GaleraModel(std::size_t node_count)
    : node_count_(node_count),
      primary_(node_count + 1, true),
      state_(node_count + 1, GaleraState::kSynced),
      galera_group_(node_count + 1, 0),
      galera_down_(node_count + 1, false) {
  QUORUM_ASSERT(node_count > 0);
  for (NodeId id = 1; id <= node_count; ++id) last_primary_.push_back(id);
}

void GaleraModel::set_galera_isolated(NodeId node, bool isolated) {
  galera_group_.at(node) = isolated ? static_cast<std::uint32_t>(1 + node) : 0;
}

void GaleraModel::split_galera(const std::vector<NodeId>& side) {
  heal_galera();
  for (NodeId id : side) galera_group_.at(id) = 1;
}

void GaleraModel::heal_galera() { std::fill(galera_group_.begin(), galera_group_.end(), 0); }

void GaleraModel::set_galera_down(NodeId node, bool down) { galera_down_.at(node) = down; }

std::vector<std::vector<NodeId>> GaleraModel::components(const UpFn& host_up,
                                                         const LinkFn& linked) const {
  const auto up = [&](NodeId id) { return host_up(id) && !galera_down_[id]; };
  std::vector<std::vector<NodeId>> out;
  std::vector<bool> seen(node_count_ + 1, false);
  for (NodeId start = 1; start <= node_count_; ++start) {
    if (seen[start] || !up(start)) continue;
    std::vector<NodeId> component{start};
    seen[start] = true;
    for (std::size_t i = 0; i < component.size(); ++i) {
      const NodeId a = component[i];
      for (NodeId b = 1; b <= node_count_; ++b) {
        if (seen[b] || !up(b) || galera_group_[a] != galera_group_[b]) continue;
        if (!linked(a, b) || !linked(b, a)) continue;
        seen[b] = true;
        component.push_back(b);
      }
    }
    std::sort(component.begin(), component.end());
    out.push_back(std::move(component));
  }
  return out;
}

bool GaleraModel::forms_primary(const std::vector<NodeId>& component) const {
  std::size_t members = 0;
  for (NodeId id : component) {
    members += std::binary_search(last_primary_.begin(), last_primary_.end(), id) ? 1 : 0;
  }
  // A strict majority of the last Primary component, or all of it (the bootstrap rule).
  return 2 * members > last_primary_.size() || members == last_primary_.size();
}

bool GaleraModel::update(const UpFn& up, const LinkFn& linked) {
  const std::vector<bool> old_primary = primary_;
  const std::vector<GaleraState> old_state = state_;
  const std::vector<std::vector<NodeId>> parts = components(up, linked);
  const std::vector<NodeId>* winner = nullptr;
  for (const std::vector<NodeId>& c : parts) {
    if (forms_primary(c)) {
      QUORUM_ASSERT(winner == nullptr, "two Primary components");
      winner = &c;
    }
  }
  for (NodeId id = 1; id <= node_count_; ++id) {
    const bool in_winner =
        winner != nullptr && std::binary_search(winner->begin(), winner->end(), id);
    primary_[id] = in_winner;
    if (!up(id) || galera_down_[id]) {
      state_[id] = GaleraState::kDown;
    } else if (!in_winner) {
      state_[id] = GaleraState::kInitialized;
    } else {
      // A member of the Primary component stays Synced; a newcomer is Joining for one update.
      state_[id] = old_primary[id] && old_state[id] != GaleraState::kDown &&
                           old_state[id] != GaleraState::kInitialized
                       ? GaleraState::kSynced
                       : GaleraState::kJoining;
    }
  }
  if (winner != nullptr) last_primary_ = *winner;
  QUORUM_ASSERT(!last_primary_.empty());
  return old_primary != primary_ || old_state != state_;
}

std::string_view GaleraModel::describe(NodeId node) const {
  if (state(node) == GaleraState::kDown) return "down";
  if (!primary(node)) return "non-Primary/Initialized";
  return state(node) == GaleraState::kSynced ? "Primary/Synced" : "Primary/Joining";
}

}  // namespace quorum::sim
