// A pool of controllers and clusters for tests of the assignment policy (header only; the core
// library does not include it). It applies plan() rounds to a StateMachine until the plan is
// empty, checking that every planned command applies and the invariants hold after each.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/core/ownership/assign.h"
#include "engine/core/ownership/invariants.h"
#include "engine/core/ownership/state_machine.h"

namespace quorum::ownership::testing {

class TestPool {
 public:
  // Registers, activates and marks alive and stable.
  void add_controller(NodeId id, std::uint32_t weight = 1, const std::string& site = {}) {
    RegisterController c;
    c.id = id;
    c.name = "c" + std::to_string(id);
    c.weight = weight;
    if (!site.empty()) c.tags["site"] = site;
    must_apply(c);
    must_apply(Activate{id});
    alive.insert(id);
    stable.insert(id);
  }

  void add_clusters(ClusterId first, std::size_t count, const std::string& site = {}) {
    for (ClusterId id = first; id < first + count; ++id) {
      AddCluster c{id, "db" + std::to_string(id), {}, true};
      if (!site.empty()) c.tags["site"] = site;
      must_apply(c);
    }
  }

  ApplyResult apply(const Command& command) {
    const StateMachine before = sm;
    ApplyResult r = sm.apply(++index, command);
    if (!sm.check_invariants().empty()) failures.push_back("invariant: " + sm.check_invariants());
    const std::string transition = check_transition(before, sm);
    if (!transition.empty()) failures.push_back("transition: " + transition);
    return r;
  }

  void must_apply(const Command& command) {
    ApplyResult r = apply(command);
    if (r.code != ApplyResult::Code::kApplied) failures.push_back("rejected: " + r.reason);
  }

  std::vector<Command> plan_now() const {
    PolicyInput input{sm, alive, stable, moves_max};
    input.unfit = unfit;
    return plan(input);
  }

  // One plan applied whole. Returns the number of commands.
  std::size_t round() {
    const std::vector<Command> commands = plan_now();
    for (const Command& c : commands) must_apply(c);
    ++rounds;
    return commands.size();
  }

  // Rounds until a plan is empty; false if that takes more than rounds_max.
  bool settle(int rounds_max = 200) {
    for (int i = 0; i < rounds_max; ++i) {
      if (round() == 0) return true;
    }
    return false;
  }

  // cluster -> owner of every kOwned cluster.
  std::map<ClusterId, NodeId> owners() const {
    std::map<ClusterId, NodeId> out;
    for (const auto& [id, cl] : sm.clusters()) {
      if (cl.state == ClusterState::kOwned) out[id] = cl.owner;
    }
    return out;
  }

  // owner -> number of kOwned clusters, with 0 for every registered controller.
  std::map<NodeId, std::size_t> loads() const {
    std::map<NodeId, std::size_t> out;
    for (const auto& [id, c] : sm.controllers()) out[id] = 0;
    for (const auto& [cluster, owner] : owners()) ++out[owner];
    return out;
  }

  StateMachine sm;
  LogIndex index = 0;
  std::set<NodeId> alive;
  std::set<NodeId> stable;
  std::size_t moves_max = 1'000'000;
  std::set<NodeId> unfit;  // database backend unfit (rule 8)
  int rounds = 0;
  std::vector<std::string> failures;  // rejected planned commands, broken invariants
};

// Clusters whose owner differs between two owner maps (including gained and lost).
inline std::map<ClusterId, std::pair<NodeId, NodeId>> changed_owners(
    const std::map<ClusterId, NodeId>& before, const std::map<ClusterId, NodeId>& after) {
  std::map<ClusterId, std::pair<NodeId, NodeId>> out;
  for (const auto& [id, owner] : before) {
    auto it = after.find(id);
    const NodeId now = it == after.end() ? kNoNode : it->second;
    if (now != owner) out[id] = {owner, now};
  }
  for (const auto& [id, owner] : after) {
    if (before.count(id) == 0) out[id] = {kNoNode, owner};
  }
  return out;
}

}  // namespace quorum::ownership::testing
