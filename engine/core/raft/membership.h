// Membership: who votes, who only learns, and each member's leader priority.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/base/types.h"

namespace quorum::raft {

enum class MemberRole : std::uint8_t { kVoter, kLearner };

struct Member {
  NodeId id = kNoNode;
  MemberRole role = MemberRole::kVoter;
  // Leader priority. 0 never campaigns; among caught-up voters the leader hands leadership to
  // one of strictly higher priority than itself (priority transfer).
  std::uint32_t priority = 1;

  friend bool operator==(const Member&, const Member&) = default;
};

// Invariant: members sorted by id, ids unique and != kNoNode, at least one voter.
struct Membership {
  std::vector<Member> members;

  const Member* find(NodeId id) const;
  bool is_voter(NodeId id) const;
  bool is_learner(NodeId id) const;
  std::vector<NodeId> voters() const;
  std::vector<NodeId> learners() const;
  std::size_t voter_count() const;
  // Empty string if valid, otherwise the reason.
  std::string validate() const;

  friend bool operator==(const Membership&, const Membership&) = default;
};

// One change at a time (single-server changes, Raft thesis §4.1): add a voter or learner,
// remove a member, promote a learner, or change a member's priority.
struct MembershipChange {
  enum class Kind : std::uint8_t { kAddVoter, kAddLearner, kRemove, kPromoteLearner, kSetPriority };
  Kind kind = Kind::kAddVoter;
  NodeId node = kNoNode;
  std::uint32_t priority = 1;

  friend bool operator==(const MembershipChange&, const MembershipChange&) = default;
};

// Applies a change; nullopt with *reason set if it is not allowed (unknown node, removing the
// last voter, adding an existing member, ...). Pure.
std::optional<Membership> apply_change(const Membership& current, const MembershipChange& change,
                                       std::string* reason);

}  // namespace quorum::raft
