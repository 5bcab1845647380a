// Tracker: the current membership, the leader's Progress for every other member, and the votes of
// the current campaign. Core: std and fmt only. Owned by Node::Impl.
#pragma once

#include <map>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/membership.h"
#include "engine/core/raft/progress.h"
#include "engine/core/raft/quorum.h"

namespace quorum::raft {

class Tracker {
 public:
  explicit Tracker(NodeId self) : self_(self) {}

  NodeId self() const { return self_; }
  const Membership& membership() const { return membership_; }
  const std::vector<NodeId>& voters() const { return voters_; }
  bool self_is_voter() const { return membership_.is_voter(self_); }

  // Installs a membership. Keeps the Progress of members that stay; new members get one at
  // `next_index` in probe state. Progress exists only while leading (has_progress()).
  void set_membership(const Membership& membership, LogIndex next_index, Ticks now_ticks);
  // Leader start/stop: Progress for every member except self, or none.
  void reset_progress(LogIndex next_index, Ticks now_ticks);
  void clear_progress() {
    progress_.clear();
    has_progress_ = false;
  }
  bool has_progress() const { return has_progress_; }
  Progress* progress(NodeId id);
  const Progress* progress(NodeId id) const;
  std::map<NodeId, Progress>& progress_map() { return progress_; }
  const std::map<NodeId, Progress>& progress_map() const { return progress_; }

  // Majority arithmetic over the voters; self's value is passed in.
  LogIndex committed_index(LogIndex self_match) const;
  std::uint64_t quorum_round(std::uint64_t self_round) const;
  // The latest tick by which a majority of voters (self at now) had been heard from.
  Ticks quorum_heard_ticks(Ticks now_ticks) const;

  void reset_votes() { votes_.clear(); }
  void record_vote(NodeId from, bool granted) { votes_.emplace(from, granted); }
  VoteResult tally() const { return vote_result(voters_, votes_); }
  const std::map<NodeId, bool>& votes() const { return votes_; }

 private:
  NodeId self_;
  std::uint32_t inflight_messages_max_ = 1;
  Membership membership_;
  std::vector<NodeId> voters_;  // cached membership_.voters()
  std::map<NodeId, Progress> progress_;
  bool has_progress_ = false;
  std::map<NodeId, bool> votes_;
  mutable std::vector<std::uint64_t> scratch_;  // reused by the majority functions

 public:
  void set_inflight_messages_max(std::uint32_t n) { inflight_messages_max_ = n; }
};

}  // namespace quorum::raft
