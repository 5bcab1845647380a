// Progress. Core: std and fmt only.
#include "engine/core/raft/progress.h"

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::raft {

std::string_view progress_state_name(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe:
      return "probe";
    case ProgressState::kReplicate:
      return "replicate";
    case ProgressState::kSnapshot:
      return "snapshot";
  }
  QUORUM_UNREACHABLE();
}

Progress::Progress(LogIndex next_index, std::uint32_t inflight_messages_max, Ticks now_ticks)
    : last_heard_ticks(now_ticks),
      next_index_(next_index),
      inflights_(inflight_messages_max),
      state_since_ticks_(now_ticks),
      progress_ticks_(now_ticks) {
  QUORUM_ASSERT(next_index >= 1);
}

bool Progress::is_paused() const {
  switch (state_) {
    case ProgressState::kProbe:
      return probe_sent_;
    case ProgressState::kReplicate:
      return inflights_.full();
    case ProgressState::kSnapshot:
      return true;
  }
  QUORUM_UNREACHABLE();
}

void Progress::become_probe(Ticks now_ticks) {
  // After a snapshot, resume right after it (the follower has it, or the probe will say no).
  if (state_ == ProgressState::kSnapshot) {
    next_index_ = std::max(match_index_ + 1, pending_snapshot_index_ + 1);
  } else {
    next_index_ = match_index_ + 1;
  }
  state_ = ProgressState::kProbe;
  probe_sent_ = false;
  pending_snapshot_index_ = 0;
  inflights_.reset();
  state_since_ticks_ = now_ticks;
  progress_ticks_ = now_ticks;
  QUORUM_ASSERT(match_index_ < next_index_);
}

void Progress::become_replicate(Ticks now_ticks) {
  state_ = ProgressState::kReplicate;
  next_index_ = match_index_ + 1;
  probe_sent_ = false;
  pending_snapshot_index_ = 0;
  inflights_.reset();
  state_since_ticks_ = now_ticks;
  progress_ticks_ = now_ticks;
  QUORUM_ASSERT(match_index_ < next_index_);
}

void Progress::become_snapshot(LogIndex snapshot_index, Ticks now_ticks) {
  QUORUM_ASSERT(snapshot_index > match_index_);
  state_ = ProgressState::kSnapshot;
  pending_snapshot_index_ = snapshot_index;
  next_index_ = snapshot_index + 1;
  probe_sent_ = false;
  inflights_.reset();
  state_since_ticks_ = now_ticks;
  progress_ticks_ = now_ticks;
}

bool Progress::maybe_update(LogIndex match_index, Ticks now_ticks) {
  if (match_index <= match_index_) return false;
  match_index_ = match_index;
  next_index_ = std::max(next_index_, match_index + 1);
  probe_sent_ = false;
  inflights_.free_up_to(match_index);
  progress_ticks_ = now_ticks;
  QUORUM_ASSERT(match_index_ < next_index_);
  return true;
}

void Progress::on_append_sent(LogIndex last_index) {
  switch (state_) {
    case ProgressState::kReplicate:
      if (last_index >= next_index_) {
        // Pipelining: assume the append will succeed and keep going (optimistic next_index).
        next_index_ = last_index + 1;
        inflights_.add(last_index);
      }
      break;
    case ProgressState::kProbe:
      probe_sent_ = true;
      break;
    case ProgressState::kSnapshot:
      QUORUM_UNREACHABLE();
  }
  QUORUM_ASSERT(match_index_ < next_index_);
}

bool Progress::maybe_decrease_to(LogIndex rejected, LogIndex next_hint) {
  if (state_ == ProgressState::kReplicate) {
    // A rejection at or below match_index answers an old, reordered append. Otherwise the
    // pipeline is broken: fall back to probing from the hint.
    if (rejected <= match_index_) return false;
    state_ = ProgressState::kProbe;
    inflights_.reset();
    next_index_ = std::max(match_index_ + 1, std::min(rejected, next_hint));
    probe_sent_ = false;
    QUORUM_ASSERT(match_index_ < next_index_);
    return true;
  }
  // In probe (or snapshot) state only the answer to the probe we sent counts.
  if (next_index_ == 0 || rejected != next_index_ - 1) return false;
  next_index_ = std::max(match_index_ + 1, std::min(rejected, next_hint));
  probe_sent_ = false;
  QUORUM_ASSERT(match_index_ < next_index_);
  return true;
}

bool Progress::on_peer_answered(std::uint64_t answered_round) {
  if (answered_round <= sent_round) return false;
  if (state_ == ProgressState::kProbe && probe_sent_) {
    probe_sent_ = false;
    return true;
  }
  if (state_ == ProgressState::kReplicate && inflights_.full()) {
    inflights_.free_first();
    return true;
  }
  return false;
}

void Progress::on_heartbeat() {
  if (state_ == ProgressState::kReplicate && inflights_.full()) inflights_.free_first();
}

}  // namespace quorum::raft
