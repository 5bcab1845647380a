#include "sim/checkers/ownership_feed.h"

#include "sim/ownership_access.h"

namespace quorum::sim {

OwnershipChecker::AskFn OwnershipFeed::ask() {
  return [this](NodeId n, ownership::ClusterId c) {
    const host::NodeHost* h = world_.live_host(n);
    if (h == nullptr) return ownership::MayAct{};  // down: unknown cluster, not ok
    return pool_may_act(*h, c);
  };
}

void OwnershipFeed::on_step(std::uint64_t time_us, NodeId node) {
  const host::NodeHost* h = world_.live_host(node);
  if (h == nullptr) return;
  owned_.clear();
  for (const auto& [id, cluster] : pool_state(*h).clusters()) {
    if (cluster.owner == node) owned_.push_back(id);
  }
  checker_.on_step(time_us, node, owned_, ask());
}

void OwnershipFeed::on_down(std::uint64_t time_us, NodeId node) { checker_.on_down(time_us, node); }

void OwnershipFeed::on_heal(std::uint64_t time_us) {
  checker_.begin_settle(time_us, settle_us_max_);
  world_.schedule(time_us, *this, 0, kNoNode, 0, 0);
}

void OwnershipFeed::on_timer(std::uint64_t time_us, std::uint32_t /*tag*/, NodeId /*node*/,
                             std::uint64_t /*arg0*/, std::uint64_t /*arg1*/) {
  const NodeId leader = world_.current_leader();
  const host::NodeHost* h = leader == kNoNode ? nullptr : world_.live_host(leader);
  std::vector<std::pair<ownership::ClusterId, NodeId>> owners;
  if (h != nullptr) {
    for (const auto& [id, cluster] : pool_state(*h).clusters()) owners.emplace_back(id, cluster.owner);
  } else {
    owners.emplace_back(0, kNoNode);  // no leader: not settled (cluster 0 stands for "no leader")
  }
  const auto live = [this](NodeId n) { return world_.live_host(n) != nullptr; };
  if (checker_.probe(time_us, owners, live, ask())) return;
  if (checker_.settling()) world_.schedule(time_us + 50'000, *this, 0, kNoNode, 0, 0);
}

}  // namespace quorum::sim
