// Membership queries, validation and single-server changes (thesis §4.1). Core: std and fmt only.
#include "engine/core/raft/membership.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::raft {

const Member* Membership::find(NodeId id) const {
  // Members are sorted by id (invariant), so a binary search finds the one member with this id.
  auto it = std::lower_bound(members.begin(), members.end(), id,
                             [](const Member& m, NodeId key) { return m.id < key; });
  if (it == members.end() || it->id != id) return nullptr;
  return &*it;
}

bool Membership::is_voter(NodeId id) const {
  const Member* m = find(id);
  return m != nullptr && m->role == MemberRole::kVoter;
}

bool Membership::is_learner(NodeId id) const {
  const Member* m = find(id);
  return m != nullptr && m->role == MemberRole::kLearner;
}

std::vector<NodeId> Membership::voters() const {
  std::vector<NodeId> out;
  for (const Member& m : members) {
    if (m.role == MemberRole::kVoter) out.push_back(m.id);
  }
  return out;
}

std::vector<NodeId> Membership::learners() const {
  std::vector<NodeId> out;
  for (const Member& m : members) {
    if (m.role == MemberRole::kLearner) out.push_back(m.id);
  }
  return out;
}

std::size_t Membership::voter_count() const {
  return static_cast<std::size_t>(
      std::count_if(members.begin(), members.end(),
                    [](const Member& m) { return m.role == MemberRole::kVoter; }));
}

std::string Membership::validate() const {
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].id == kNoNode) return fmt::format("member {} has id 0 (none)", i);
    if (i > 0 && members[i - 1].id >= members[i].id) {
      return fmt::format("members not sorted by unique id at {} ({} then {})", i, members[i - 1].id,
                         members[i].id);
    }
  }
  if (voter_count() == 0) return "membership has no voter";
  return {};
}

namespace {

std::optional<Membership> refuse(std::string* reason, std::string why) {
  if (reason != nullptr) *reason = std::move(why);
  return std::nullopt;
}

}  // namespace

std::optional<Membership> apply_change(const Membership& current, const MembershipChange& change,
                                       std::string* reason) {
  QUORUM_ASSERT(current.validate().empty(), "{}", current.validate());
  if (change.node == kNoNode) return refuse(reason, "node id 0 is not a member id");
  Membership next = current;
  const Member* existing = current.find(change.node);
  switch (change.kind) {
    case MembershipChange::Kind::kAddVoter:
    case MembershipChange::Kind::kAddLearner: {
      if (existing != nullptr) {
        return refuse(reason, fmt::format("node {} is already a member", change.node));
      }
      const MemberRole role = change.kind == MembershipChange::Kind::kAddVoter
                                  ? MemberRole::kVoter
                                  : MemberRole::kLearner;
      Member member{change.node, role, change.priority};
      auto it = std::lower_bound(next.members.begin(), next.members.end(), change.node,
                                 [](const Member& m, NodeId key) { return m.id < key; });
      next.members.insert(it, member);
      break;
    }
    case MembershipChange::Kind::kRemove: {
      if (existing == nullptr) {
        return refuse(reason, fmt::format("node {} is not a member", change.node));
      }
      if (existing->role == MemberRole::kVoter && current.voter_count() == 1) {
        return refuse(reason, fmt::format("node {} is the last voter", change.node));
      }
      std::erase_if(next.members, [&](const Member& m) { return m.id == change.node; });
      break;
    }
    case MembershipChange::Kind::kPromoteLearner: {
      if (existing == nullptr || existing->role != MemberRole::kLearner) {
        return refuse(reason, fmt::format("node {} is not a learner", change.node));
      }
      for (Member& m : next.members) {
        if (m.id == change.node) m.role = MemberRole::kVoter;
      }
      break;
    }
    case MembershipChange::Kind::kSetPriority: {
      if (existing == nullptr) {
        return refuse(reason, fmt::format("node {} is not a member", change.node));
      }
      if (existing->priority == change.priority) {
        return refuse(reason,
                      fmt::format("node {} already has priority {}", change.node, change.priority));
      }
      for (Member& m : next.members) {
        if (m.id == change.node) m.priority = change.priority;
      }
      break;
    }
  }
  QUORUM_ASSERT(next.validate().empty(), "{}", next.validate());
  QUORUM_ASSERT(next != current);
  return next;
}

}  // namespace quorum::raft
