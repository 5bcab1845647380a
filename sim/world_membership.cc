// World: membership changes in every swarm run (issue 8 section 0): a voter is removed, or
// demoted to a learner, for a while, then re-added as a learner and promoted back to voter. The
// pool runs on learners and a standby's promotion is a membership change, so the checkers must
// hold while they happen, mixed with every other fault.
//
// The nemesis only sets a goal per node; a driver event compares the goals with the current
// leader's (latest, possibly uncommitted) membership and proposes the one single-server change
// that comes next, through NodeHost::propose_membership as an operator would. The core accepts
// one change at a time (kBusy otherwise), so the driver simply looks again every
// kMembershipDriveEveryUs, from the first membership fault to the end of the run (runs without
// one, such as scenarios, never see a driver event). At most (v - 1) / 2 of the v bootstrap
// voters are away at once, so the voters left can still form a majority among themselves; nodes
// that bootstrap as learners (RunConfig::voter_count) stay learners.
#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "sim/world.h"
#include "sim/world_internal.h"

namespace quorum::sim {
namespace {

constexpr std::uint64_t kMembershipDriveEveryUs = 250'000;
// First field of the membership trace events (the rest: index/kind, node/code).
constexpr std::uint64_t kTraceSkipped = 0x4d00;
constexpr std::uint64_t kTracePropose = 0x4d01;
constexpr std::uint64_t kTraceReply = 0x4d02;

std::string_view change_kind_name(raft::MembershipChange::Kind kind) {
  switch (kind) {
    case raft::MembershipChange::Kind::kAddVoter: return "add-voter";
    case raft::MembershipChange::Kind::kAddLearner: return "add-learner";
    case raft::MembershipChange::Kind::kRemove: return "remove";
    case raft::MembershipChange::Kind::kPromoteLearner: return "promote";
    case raft::MembershipChange::Kind::kSetPriority: return "set-priority";
  }
  QUORUM_UNREACHABLE();
}

}  // namespace

void World::membership_fault(std::size_t index) {
  const FaultAction& a = schedule_[index];
  QUORUM_ASSERT(a.node >= 1 && a.node <= config_.node_count);
  // Only voters are taken away (bootstrap learners stay learners), at most (voters - 1) / 2.
  std::size_t away = 0;
  for (NodeId n = 1; n <= voter_count_; ++n) away += member_goal_[n] != MemberGoal::kVoter;
  if (member_goal_[a.node] != MemberGoal::kVoter || away >= (voter_count_ - 1) / 2) {
    trace_.event(now_us(), a.node, TraceKind::kNote, kTraceSkipped, index);
    trace_.line(now_us(), a.node, TraceKind::kNote,
                fmt::format("membership: skipped ({} of {} voters away already)", away,
                            voter_count_));
    return;
  }
  membership_changed_ = true;
  member_goal_[a.node] = a.param % 2 == 0 ? MemberGoal::kAbsent : MemberGoal::kLearner;
  const std::uint64_t epoch = ++member_epoch_[a.node];
  queue_.push(now_us() + a.duration_us, kFaultEnd, 0, index, epoch);
  schedule_membership_drive(0);
}

void World::membership_fault_end(std::size_t index, std::uint64_t epoch) {
  const NodeId node = schedule_[index].node;
  if (member_epoch_[node] != epoch) return;  // superseded (heal)
  member_goal_[node] = MemberGoal::kVoter;
  schedule_membership_drive(0);
}

void World::schedule_membership_drive(std::uint64_t delay_us) {
  if (membership_drive_queued_ || !membership_changed_) return;
  membership_drive_queued_ = true;
  queue_.push(now_us() + delay_us, kMembershipDrive, 0);
}

std::optional<raft::MembershipChange> World::next_membership_change(
    const raft::Membership& m) const {
  using Kind = raft::MembershipChange::Kind;
  // Restore first (add, promote), then take away: the group never shrinks below its goal.
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    const raft::Member* member = m.find(n);
    if (member_goal_[n] == MemberGoal::kAbsent) continue;
    if (member == nullptr) return raft::MembershipChange{Kind::kAddLearner, n, 1};
    if (member_goal_[n] == MemberGoal::kVoter && member->role == raft::MemberRole::kLearner) {
      return raft::MembershipChange{Kind::kPromoteLearner, n, 1};
    }
  }
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    const raft::Member* member = m.find(n);
    if (member == nullptr) continue;
    const bool remove = member_goal_[n] == MemberGoal::kAbsent ||
                        (member_goal_[n] == MemberGoal::kLearner &&
                         member->role == raft::MemberRole::kVoter);
    if (remove) return raft::MembershipChange{Kind::kRemove, n, 1};
  }
  return std::nullopt;
}

void World::drive_membership() {
  membership_drive_queued_ = false;
  // Periodic from the first membership fault on: a change the leader appended may still be lost
  // with its term, so "the goals are met" is never final.
  schedule_membership_drive(kMembershipDriveEveryUs);
  const NodeId leader = current_leader();
  if (leader == kNoNode || nodes_[leader]->paused) return;
  NodeSlot& s = *nodes_[leader];
  const std::optional<raft::MembershipChange> change =
      next_membership_change(s.host->node().membership());
  if (!change.has_value()) return;
  const std::string what = fmt::format("{} n{}", change_kind_name(change->kind), change->node);
  trace_.event(now_us(), leader, TraceKind::kTransfer, kTracePropose,
               static_cast<std::uint64_t>(change->kind), change->node);
  trace_.line(now_us(), leader, TraceKind::kTransfer, "membership: propose " + what);
  s.host->propose_membership(*change, [this, leader, what](const host::ClientReply& reply) {
    if (reply.code == host::ClientReply::Code::kOk) probes_.hit(Probe::kMembershipChanged);
    trace_.event(now_us(), leader, TraceKind::kTransfer, kTraceReply,
                 static_cast<std::uint64_t>(reply.code), reply.index);
    if (trace_.recording()) {
      trace_.line(now_us(), leader, TraceKind::kTransfer,
                  fmt::format("membership: {} -> {} {}", what,
                              host::client_reply_code_name(reply.code), reply.reason));
    }
  });
}

}  // namespace quorum::sim
