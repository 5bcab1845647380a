#include "engine/check/split_brain.h"

#include <fmt/format.h>

#include <algorithm>

namespace quorum::check {

std::uint64_t SplitBrainBound::paused_since_superseded(std::uint64_t time_us,
                                                       const NodeState& s) const {
  std::uint64_t paused_us = s.paused_us;
  if (s.paused) paused_us += time_us - std::max(s.pause_start_us, s.superseded_at_us);
  return paused_us;
}

void SplitBrainBound::leave_office(std::uint64_t time_us, NodeId node, NodeState& s) {
  if (s.leader_term != 0 && s.superseded) {
    const std::uint64_t span_us = time_us - s.superseded_at_us;
    const std::uint64_t overlap_us = span_us - std::min(span_us, paused_since_superseded(time_us, s));
    overlap_us_longest_ = std::max(overlap_us_longest_, overlap_us);
    if (overlap_us > overlap_us_max_) {
      findings_.report({ViolationClass::kSafety, "split-brain-step-down",
                        fmt::format("node {} stayed leader of term {} for {} ms (not counting "
                                    "pauses) after node {} became leader of term {}; bound {} ms",
                                    node, s.leader_term, overlap_us / 1000, s.superseded_by,
                                    s.superseded_by_term, overlap_us_max_ / 1000),
                        time_us, node});
    }
  }
  s.leader_term = 0;
  s.superseded = false;
  s.paused_us = 0;
}

void SplitBrainBound::on_role(std::uint64_t time_us, NodeId node, const raft::SoftState& state) {
  NodeState& self = nodes_[node];
  if (state.role != raft::Role::kLeader) {
    leave_office(time_us, node, self);
    return;
  }
  if (self.leader_term == state.term) return;  // a repeated observation of the same office
  leave_office(time_us, node, self);
  self.leader_term = state.term;
  for (auto& [other, s] : nodes_) {
    if (other == node || s.leader_term == 0) continue;
    if (s.leader_term > state.term && !self.superseded) {
      // Observed late: a newer office already exists, so this one starts out superseded.
      self.superseded = true;
      self.superseded_at_us = time_us;
      self.superseded_by = other;
      self.superseded_by_term = s.leader_term;
      self.paused_us = 0;
    }
    if (s.leader_term >= state.term || s.superseded) continue;
    s.superseded = true;
    s.superseded_at_us = time_us;
    s.superseded_by = node;
    s.superseded_by_term = state.term;
    s.paused_us = 0;
  }
}

void SplitBrainBound::on_down(std::uint64_t time_us, NodeId node) {
  NodeState& s = nodes_[node];
  leave_office(time_us, node, s);
  s.paused = false;
}

void SplitBrainBound::on_pause(std::uint64_t time_us, NodeId node) {
  NodeState& s = nodes_[node];
  if (s.paused) return;
  s.paused = true;
  s.pause_start_us = time_us;
}

void SplitBrainBound::on_resume(std::uint64_t time_us, NodeId node) {
  NodeState& s = nodes_[node];
  if (!s.paused) return;
  if (s.superseded) s.paused_us += time_us - std::max(s.pause_start_us, s.superseded_at_us);
  s.paused = false;
}

void SplitBrainBound::finish(std::uint64_t time_us) {
  for (auto& [node, s] : nodes_) leave_office(time_us, node, s);
}

}  // namespace quorum::check
