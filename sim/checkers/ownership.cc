#include "sim/checkers/ownership.h"

#include <fmt/format.h>

#include <algorithm>

namespace quorum::sim {

const OwnershipChecker::Acting* OwnershipChecker::find(const ActingList& list, ClusterId cluster) {
  const auto it = std::lower_bound(list.begin(), list.end(), cluster,
                                   [](const Acting& a, ClusterId c) { return a.cluster < c; });
  return it != list.end() && it->cluster == cluster ? &*it : nullptr;
}

void OwnershipChecker::erase(ActingList& list, ClusterId cluster) {
  const auto it = std::lower_bound(list.begin(), list.end(), cluster,
                                   [](const Acting& a, ClusterId c) { return a.cluster < c; });
  if (it != list.end() && it->cluster == cluster) list.erase(it);
}

void OwnershipChecker::report(std::uint64_t time_us, NodeId node, std::string detail) {
  findings_.report({check::ViolationClass::kSafety, "ownership", std::move(detail), time_us, node});
}

void OwnershipChecker::on_step(std::uint64_t time_us, NodeId node,
                               const std::vector<ClusterId>& owned, const AskFn& ask) {
  ActingList now;
  for (const ClusterId c : owned) {
    const ownership::MayAct m = ask(node, c);
    ++checks_;
    if (!m.ok()) continue;
    observe_ok(time_us, node, c, m);
    // Every other controller that could act on c at its last step: is it still able to, now?
    for (NodeId other = 1; other < acting_.size(); ++other) {
      if (other == node || find(acting_[other], c) == nullptr) continue;
      const ownership::MayAct o = ask(other, c);
      ++checks_;
      if (o.ok()) {
        report(time_us, node,
               fmt::format("cluster {}: controllers {} (epoch {}) and {} (epoch {}) may both act "
                           "at the same real time",
                           c, node, m.epoch, other, o.epoch));
      } else {
        erase(acting_[other], c);  // node acts on it: no gap
      }
    }
    now.push_back(Acting{c, m.epoch, time_us});
  }
  std::sort(now.begin(), now.end(),
            [](const Acting& a, const Acting& b) { return a.cluster < b.cluster; });
  ActingList before = std::move(acting_[node]);
  acting_[node] = std::move(now);
  for (const Acting& a : before) {
    if (find(acting_[node], a.cluster) == nullptr) lost(node, a.cluster, a.last_ok_us);
  }
}

void OwnershipChecker::observe_ok(std::uint64_t time_us, NodeId node, ClusterId cluster,
                                  const ownership::MayAct& m) {
  ++acting_observations_;
  ClusterRecord& r = clusters_[cluster];
  if (m.epoch < r.max_epoch) {
    report(time_us, node,
           fmt::format("cluster {}: controller {} may act under epoch {}, below epoch {} that "
                       "controller {} acted under (epochs only grow)",
                       cluster, node, m.epoch, r.max_epoch, r.max_epoch_node));
  } else if (m.epoch == r.max_epoch && r.max_epoch_node != node) {
    report(time_us, node,
           fmt::format("cluster {}: controllers {} and {} both acted under epoch {} (an epoch "
                       "names one grant to one owner)",
                       cluster, r.max_epoch_node, node, m.epoch));
  }
  if (m.epoch >= r.max_epoch) {
    r.max_epoch = m.epoch;
    r.max_epoch_node = node;
  }
  if (r.gap_open) {
    r.gap_open = false;
    gaps_.push_back(Gap{cluster, r.gap_from_us, time_us, r.last_node, node});
  }
  r.last_node = node;
}

void OwnershipChecker::lost(NodeId /*node*/, ClusterId cluster, std::uint64_t last_ok_us) {
  for (NodeId n = 1; n < acting_.size(); ++n) {
    if (find(acting_[n], cluster) != nullptr) return;  // someone else still acts on it
  }
  ClusterRecord& r = clusters_[cluster];
  if (r.gap_open) return;
  r.gap_open = true;
  r.gap_from_us = last_ok_us;
}

void OwnershipChecker::on_down(std::uint64_t /*time_us*/, NodeId node) {
  ActingList before = std::move(acting_[node]);
  acting_[node].clear();
  for (const Acting& a : before) lost(node, a.cluster, a.last_ok_us);
}

void OwnershipChecker::begin_settle(std::uint64_t time_us, std::uint64_t settle_us_max) {
  settling_ = true;
  settled_ = false;
  settle_begin_us_ = time_us;
  settle_us_max_ = settle_us_max;
}

bool OwnershipChecker::probe(std::uint64_t time_us,
                             const std::vector<std::pair<ClusterId, NodeId>>& owners,
                             const std::function<bool(NodeId)>& live, const AskFn& ask) {
  if (!settling_ || settled_) return settled_;
  std::string missing;
  std::size_t missing_count = 0;
  for (const auto& [cluster, owner] : owners) {
    std::string why;
    if (owner == kNoNode) {
      why = "no owner";
    } else if (!live(owner)) {
      why = fmt::format("owner {} is down", owner);
    } else {
      const ownership::MayAct m = ask(owner, cluster);
      if (m.ok()) continue;
      why = fmt::format("owner {}: {}", owner, ownership::may_act_reason_name(m.reason));
    }
    if (missing_count++ < 4) missing += fmt::format("{}cluster {} ({})", missing.empty() ? "" : ", ", cluster, why);
  }
  if (missing_count == 0) {
    settled_ = true;
    settled_at_us_ = time_us;
    return true;
  }
  unsettled_ = fmt::format("{} of {} clusters without an acting live owner: {}", missing_count,
                           owners.size(), missing);
  if (time_us > settle_begin_us_ + settle_us_max_) {
    settling_ = false;
    findings_.report({check::ViolationClass::kLiveness, "ownership-settle",
                      fmt::format("{} ms after the heal (bound {} ms): {}",
                                  (time_us - settle_begin_us_) / 1000, settle_us_max_ / 1000,
                                  unsettled_),
                      time_us, kNoNode});
  }
  return false;
}

void OwnershipChecker::finish(std::uint64_t time_us) {
  // A run that ended before the bound was due says nothing (the World keeps the bound inside
  // the quiet period).
  if (!settling_ || settled_ || time_us <= settle_begin_us_ + settle_us_max_) return;
  settling_ = false;
  findings_.report({check::ViolationClass::kLiveness, "ownership-settle",
                    fmt::format("not settled {} ms after the heal (run ended; bound {} ms): {}",
                                (time_us - settle_begin_us_) / 1000, settle_us_max_ / 1000,
                                unsettled_.empty() ? "never probed" : unsettled_),
                    time_us, kNoNode});
}

std::uint64_t OwnershipChecker::longest_gap_us() const {
  std::uint64_t longest = 0;
  for (const Gap& g : gaps_) longest = std::max(longest, g.to_us - g.from_us);
  return longest;
}

}  // namespace quorum::sim
