// GaleraModel: the shared cmon database's Galera cluster under the simulated controllers, one
// Galera node per controller host, driven by the simulated network and crashes. Sim layer; pure
// and deterministic (ids in order, no hash containers, no time).
//
// Rules (measured on a real cluster, docs/operations.md "Galera (preview)"):
//  * Galera traffic shares the controllers' network: nodes a and b are in one component when
//    both are up and linked both ways (transitively).
//  * A component holding a strict majority of the last Primary component becomes (or stays)
//    Primary, and becomes the new last Primary component; every other node is non-Primary
//    ("Initialized"). A crashed node is down.
//  * Full outage / bootstrap rule: a component that holds every member of the last Primary
//    component is Primary again (pc.recovery when all come back; tools/galera-local `up`
//    bootstraps the highest seqno, which is among them).
//  * A node that joins a Primary component is Joining for one update, then Synced; the donor
//    state is not modelled (state transfer takes no simulated time).
// Healthy (fit to lead, DESIGN invariant 8) = Primary and Synced.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "engine/core/base/types.h"

namespace quorum::sim {

enum class GaleraState : std::uint8_t { kSynced, kJoining, kInitialized, kDown };
std::string_view galera_state_name(GaleraState state);

class GaleraModel {
 public:
  using UpFn = std::function<bool(NodeId)>;
  using LinkFn = std::function<bool(NodeId from, NodeId to)>;

  // Nodes 1..node_count, all Primary and Synced in one component.
  explicit GaleraModel(std::size_t node_count);

  // Recomputes every node's state from who is up and which links carry traffic. Returns true
  // if any node's (primary, state) changed.
  bool update(const UpFn& up, const LinkFn& linked);
  // Galera traffic of `node` cut (its Raft links untouched): the scenario "a controller whose
  // Raft links are fine but whose Galera node is isolated". Takes effect at the next update().
  void set_galera_isolated(NodeId node, bool isolated);
  // Galera traffic between `side` and the other nodes cut (Raft links untouched); replaces
  // every earlier isolation or split. Takes effect at the next update().
  void split_galera(const std::vector<NodeId>& side);
  void heal_galera();  // ends every isolation and split (not a kill)
  // The Galera process of `node` killed (true) or started again (false) while its controller
  // keeps running (tools/galera-local kill N / start N). A crashed host's node is down anyway.
  void set_galera_down(NodeId node, bool down);
  bool galera_down(NodeId node) const { return galera_down_.at(node); }

  bool primary(NodeId node) const { return primary_.at(node); }
  GaleraState state(NodeId node) const { return state_.at(node); }
  bool healthy(NodeId node) const { return primary(node) && state(node) == GaleraState::kSynced; }
  const std::vector<NodeId>& last_primary() const { return last_primary_; }
  // "Primary/Synced", "non-Primary/Initialized", "down" (calibration and traces).
  std::string_view describe(NodeId node) const;

 private:
  std::vector<std::vector<NodeId>> components(const UpFn& up, const LinkFn& linked) const;
  bool forms_primary(const std::vector<NodeId>& component) const;

  std::size_t node_count_;
  std::vector<bool> primary_;          // by id; [0] unused
  std::vector<GaleraState> state_;     // by id; [0] unused
  // By id ([0] unused): nodes of different groups do not exchange Galera traffic. 0: the
  // default group; a split puts its side in group 1; an isolated node is alone in group 1 + id.
  std::vector<std::uint32_t> galera_group_;
  std::vector<bool> galera_down_;      // by id; [0] unused
  std::vector<NodeId> last_primary_;   // sorted; Invariant: non-empty
};

}  // namespace quorum::sim
