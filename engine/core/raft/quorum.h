// Pure majority arithmetic: the commit index and a vote's outcome as functions of a voter set and
// what each voter acknowledged (etcd's quorum package idea). Core: std and fmt only.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "engine/core/base/types.h"

namespace quorum::raft {

// The largest value v such that a majority of `acked` (one value per voter) is >= v.
// Used for the commit index (acked = match indexes, Raft §5.3) and for the heartbeat round a
// majority acknowledged (CheckQuorum, lease, ReadIndex). Requires a non-empty input. Reorders it.
std::uint64_t quorum_value(std::vector<std::uint64_t>& acked);

enum class VoteResult : std::uint8_t { kPending, kWon, kLost };

// The outcome of an election among `voters`, given the answers so far (true = granted).
// Answers from non-voters are ignored. Requires at least one voter.
VoteResult vote_result(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes);

}  // namespace quorum::raft
