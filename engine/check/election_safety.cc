#include "engine/check/election_safety.h"

#include <fmt/format.h>

namespace quorum::check {

void ElectionSafety::on_role(std::uint64_t time_us, NodeId node, const raft::SoftState& state) {
  if (state.role != raft::Role::kLeader) return;
  const auto [it, inserted] = leader_of_term_.emplace(state.term, node);
  if (!inserted && it->second != node) {
    findings_.report({ViolationClass::kSafety, "election-safety",
                      fmt::format("two leaders in term {}: node {} and node {}", state.term,
                                  it->second, node),
                      time_us, node});
  }
}

}  // namespace quorum::check
