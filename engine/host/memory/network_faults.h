// NetworkFaults: which messages a test-driven network loses. Directed link cuts (a cut a -> b
// loses what a sends to b), partitions and isolation built from them, and a drop filter (loss).
// The one definition shared by the core harness (core_cluster.h) and the NodeHost cluster
// harness (tests/support/cluster_harness.h), so that both cut, partition and drop alike.
//
// Test support (library quorum_host_memory). Not thread-safe.
#pragma once

#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/message.h"

namespace quorum::host {

class NetworkFaults {
 public:
  enum class Verdict { kPass, kCut, kDropped };

  void cut(NodeId a, NodeId b);  // both directions
  void cut_one_way(NodeId from, NodeId to);
  // Cuts every link between `id` and each other node of `nodes`.
  void isolate(NodeId id, const std::vector<NodeId>& nodes);
  // Adds a cut between every two of `nodes` in different groups; a node in no group is cut from
  // everyone. Cuts made before stay (heal() first for "exactly this partition").
  void partition(const std::vector<std::vector<NodeId>>& groups, const std::vector<NodeId>& nodes);
  void heal() { cut_.clear(); }
  bool link_up(NodeId from, NodeId to) const { return !cut_.contains({from, to}); }
  // Messages for which `drop` returns true are lost (on links that are up). Empty: none.
  void set_drop(std::function<bool(const raft::Message&)> drop) { drop_ = std::move(drop); }
  // Whether `message` gets through: a cut link loses it; otherwise the drop filter is asked
  // (once, only for messages on links that are up, so that a random filter draws the same
  // sequence whatever was cut).
  Verdict decide(const raft::Message& message) const;

 private:
  std::set<std::pair<NodeId, NodeId>> cut_;  // directed (from, to)
  std::function<bool(const raft::Message&)> drop_;
};

}  // namespace quorum::host
