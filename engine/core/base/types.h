// Basic identifiers of the consensus core. Plain integers by decision
// (docs/decisions/0002-plain-integer-ids.md); names carry the meaning and the unit.
#pragma once

#include <cstdint>

namespace quorum {

// A controller's id in the Raft group. 0 is never a member: it means "none".
using NodeId = std::uint64_t;
inline constexpr NodeId kNoNode = 0;

// A Raft term. 0 is the term before any election.
using Term = std::uint64_t;
// The largest term a node accepts or reaches. Terms grow by one per election, so no real group
// gets near it; a term above it comes from a hostile or broken peer or record, and is refused
// at the boundary (engine/wire check_message and the record checks; Node::step drops it too),
// so `current_term + 1` can never overflow. A node at kTermMax stops campaigning.
inline constexpr Term kTermMax = Term{1} << 62;

// A 1-based position in the Raft log. 0 means "before the first entry".
using LogIndex = std::uint64_t;

// Core time: the host calls Node::tick() once per tick_interval_ms.
using Ticks = std::uint64_t;

}  // namespace quorum
