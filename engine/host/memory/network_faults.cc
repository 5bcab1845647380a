// Link cuts and loss of a test-driven network. Test support.
#include "engine/host/memory/network_faults.h"

#include <cstddef>
#include <map>

namespace quorum::host {

void NetworkFaults::cut(NodeId a, NodeId b) {
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void NetworkFaults::cut_one_way(NodeId from, NodeId to) { cut_.insert({from, to}); }

void NetworkFaults::isolate(NodeId id, const std::vector<NodeId>& nodes) {
  for (NodeId other : nodes) {
    if (other != id) cut(id, other);
  }
}

void NetworkFaults::partition(const std::vector<std::vector<NodeId>>& groups,
                              const std::vector<NodeId>& nodes) {
  std::map<NodeId, std::size_t> group_of;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (NodeId id : groups[g]) group_of[id] = g;
  }
  for (NodeId a : nodes) {
    for (NodeId b : nodes) {
      if (a == b) continue;
      const auto ga = group_of.find(a);
      const auto gb = group_of.find(b);
      if (ga == group_of.end() || gb == group_of.end() || ga->second != gb->second) {
        cut_.insert({a, b});
      }
    }
  }
}

NetworkFaults::Verdict NetworkFaults::decide(const raft::Message& message) const {
  if (!link_up(message.from, message.to)) return Verdict::kCut;
  if (drop_ && drop_(message)) return Verdict::kDropped;
  return Verdict::kPass;
}

}  // namespace quorum::host
