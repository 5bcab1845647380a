// Majority arithmetic. Core: std and fmt only.
#include "engine/core/raft/quorum.h"

#include <algorithm>
#include <functional>

#include "engine/core/base/assert.h"

namespace quorum::raft {

std::uint64_t quorum_value(std::vector<std::uint64_t>& acked) {
  QUORUM_ASSERT(!acked.empty());
  // With n voters a majority is n/2 + 1: the (n/2)-th largest value (0-based) is held by at least
  // that many voters, and no larger value is.
  const std::size_t k = acked.size() / 2;
  std::nth_element(acked.begin(), acked.begin() + static_cast<std::ptrdiff_t>(k), acked.end(),
                   std::greater<>());
  const std::uint64_t value = acked[k];
  QUORUM_ASSERT_EXPENSIVE(
      static_cast<std::size_t>(std::count_if(
          acked.begin(), acked.end(), [&](std::uint64_t a) { return a >= value; })) >= k + 1);
  return value;
}

VoteResult vote_result(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes) {
  QUORUM_ASSERT(!voters.empty());
  std::size_t granted = 0;
  std::size_t refused = 0;
  for (NodeId v : voters) {
    auto it = votes.find(v);
    if (it == votes.end()) continue;
    if (it->second) {
      ++granted;
    } else {
      ++refused;
    }
  }
  const std::size_t majority = voters.size() / 2 + 1;
  if (granted >= majority) return VoteResult::kWon;
  if (refused > voters.size() - majority) return VoteResult::kLost;
  return VoteResult::kPending;
}

}  // namespace quorum::raft
