#include "sim/checkers/liveness.h"

#include <fmt/format.h>

namespace quorum::sim {

void Liveness::begin(std::uint64_t heal_us, std::uint64_t bound_us) {
  active_ = true;
  heal_us_ = heal_us;
  bound_us_ = bound_us;
}

void Liveness::observe(std::uint64_t now_us, const std::vector<NodeView>& nodes) {
  if (!active_ || converged_us_ != 0) return;
  const NodeView* leader = nullptr;
  int leaders = 0;
  for (const NodeView& n : nodes) {
    if (n.up && n.role == raft::Role::kLeader) {
      ++leaders;
      leader = &n;
    }
  }
  if (leaders != 1 || leader->commit_term != leader->term) {
    last_problem_ = leaders == 0   ? "no live leader"
                    : leaders > 1 ? fmt::format("{} live leaders", leaders)
                                  : fmt::format("leader {} has not committed an entry of term {}",
                                                leader->id, leader->term);
    return;
  }
  if (leader_us_ == 0) leader_us_ = now_us;
  leader_ = leader->id;
  for (const NodeView& n : nodes) {
    if (!n.up || n.id == leader->id) continue;
    if (*n.files != *leader->files) {
      last_problem_ = fmt::format("node {} (applied {}) has other config files than leader {} "
                                  "(applied {})",
                                  n.id, n.applied_index, leader->id, leader->applied_index);
      return;
    }
  }
  converged_us_ = now_us;
}

void Liveness::finish(std::uint64_t now_us) {
  if (!active_) return;
  if (converged_us_ != 0) {
    if (converged_us_ - heal_us_ > bound_us_) {
      findings_.report({check::ViolationClass::kLiveness, "liveness",
                        fmt::format("converged only {} ms after the heal (bound {} ms)",
                                    (converged_us_ - heal_us_) / 1000, bound_us_ / 1000),
                        now_us, kNoNode});
    }
    return;
  }
  findings_.report({check::ViolationClass::kLiveness, "liveness",
                    fmt::format("not converged {} ms after the heal (bound {} ms): {}",
                                (now_us - heal_us_) / 1000, bound_us_ / 1000, last_problem_),
                    now_us, kNoNode});
}

}  // namespace quorum::sim
