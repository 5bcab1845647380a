// Tracker. Core: std and fmt only.
#include "engine/core/raft/tracker.h"

#include "engine/core/base/assert.h"

namespace quorum::raft {

void Tracker::set_membership(const Membership& membership, LogIndex next_index, Ticks now_ticks) {
  // An empty membership is allowed: a node that joins learns its configuration from the leader.
  QUORUM_ASSERT(membership.members.empty() || membership.validate().empty(), "{}",
                membership.validate());
  membership_ = membership;
  voters_ = membership_.voters();
  if (!has_progress_) return;
  std::erase_if(progress_, [&](const auto& kv) { return membership_.find(kv.first) == nullptr; });
  for (const Member& m : membership_.members) {
    if (m.id == self_ || progress_.contains(m.id)) continue;
    progress_.emplace(m.id, Progress(next_index, inflight_messages_max_, now_ticks));
  }
  QUORUM_ASSERT(!progress_.contains(self_));
}

void Tracker::reset_progress(LogIndex next_index, Ticks now_ticks) {
  progress_.clear();
  has_progress_ = true;
  for (const Member& m : membership_.members) {
    if (m.id == self_) continue;
    progress_.emplace(m.id, Progress(next_index, inflight_messages_max_, now_ticks));
  }
  QUORUM_ASSERT(progress_.size() + (membership_.find(self_) != nullptr ? 1 : 0) ==
                membership_.members.size());
}

Progress* Tracker::progress(NodeId id) {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

const Progress* Tracker::progress(NodeId id) const {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

LogIndex Tracker::committed_index(LogIndex self_match) const {
  QUORUM_ASSERT(has_progress_);
  scratch_.clear();
  for (NodeId v : voters_) {
    if (v == self_) {
      scratch_.push_back(self_match);
    } else {
      const Progress* p = progress(v);
      QUORUM_ASSERT(p != nullptr, "voter {} has no progress", v);
      scratch_.push_back(p->match_index());
    }
  }
  return quorum_value(scratch_);
}

std::uint64_t Tracker::quorum_round(std::uint64_t self_round) const {
  QUORUM_ASSERT(has_progress_);
  scratch_.clear();
  for (NodeId v : voters_) {
    scratch_.push_back(v == self_ ? self_round : progress(v)->acked_round);
  }
  return quorum_value(scratch_);
}

Ticks Tracker::quorum_heard_ticks(Ticks now_ticks) const {
  QUORUM_ASSERT(has_progress_);
  scratch_.clear();
  for (NodeId v : voters_) {
    scratch_.push_back(v == self_ ? now_ticks : progress(v)->last_heard_ticks);
  }
  return quorum_value(scratch_);
}

}  // namespace quorum::raft
