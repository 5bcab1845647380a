// Guard holds and the applied-index cap they impose (guard_holds.h). Host layer: core only.
#include "engine/host/guard_holds.h"

#include <algorithm>

namespace quorum::host {

bool valid_holder(const std::string& holder) {
  if (holder.empty() || holder.size() > GuardHolds::kHolderBytesMax) return false;
  return std::all_of(holder.begin(), holder.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

GuardHolds::Added GuardHolds::hold(ownership::ClusterId cluster, const std::string& holder,
                                   Ticks until_ticks) {
  const auto key = std::make_pair(cluster, holder);
  if (auto it = holds_.find(key); it != holds_.end()) {
    it->second = std::max(it->second, until_ticks);
    return Added::kRenewed;
  }
  if (holds_.size() >= kHoldsMax) return Added::kFull;
  holds_.emplace(key, until_ticks);
  return Added::kAdded;
}

bool GuardHolds::drop(ownership::ClusterId cluster, const std::string& holder) {
  return holds_.erase(std::make_pair(cluster, holder)) > 0;
}

void GuardHolds::expire(Ticks now_ticks) {
  std::erase_if(holds_, [now_ticks](const auto& hold) { return hold.second <= now_ticks; });
}

Ticks GuardHolds::held_until(ownership::ClusterId cluster) const {
  Ticks until = 0;
  for (auto it = holds_.lower_bound({cluster, std::string()}); it != holds_.end() && it->first.first == cluster;
       ++it) {
    until = std::max(until, it->second);
  }
  return until;
}

LogIndex GuardHolds::report_cap(const ownership::StateMachine& state, NodeId self, LogIndex applied_index,
                                Ticks now_ticks) {
  expire(now_ticks);
  const LogIndex before = last_applied_index_;
  last_applied_index_ = applied_index;
  if (holds_.empty()) {
    release_bound_.clear();
    return raft::kNoAppliedReportCap;
  }
  // Clusters no longer held, or no longer handing over from self, impose nothing.
  std::erase_if(release_bound_, [&](const auto& bound) {
    const ownership::Cluster* c = state.find_cluster(bound.first);
    return held_until(bound.first) == 0 || c == nullptr || c->state != ownership::ClusterState::kHandingOver ||
           c->owner != self;
  });
  LogIndex cap = raft::kNoAppliedReportCap;
  for (const auto& [key, until] : holds_) {
    const ownership::ClusterId cluster = key.first;
    const ownership::Cluster* c = state.find_cluster(cluster);
    if (c == nullptr || c->state != ownership::ClusterState::kHandingOver || c->owner != self) continue;
    // First seen handing over now: the Release applied after `before` (a held cluster is
    // looked at on every call, and a hold is only taken while it is owned by self).
    cap = std::min(cap, release_bound_.try_emplace(cluster, before).first->second);
  }
  return cap;
}

}  // namespace quorum::host
