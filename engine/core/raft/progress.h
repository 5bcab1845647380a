// Progress: the leader's replication state for one follower or learner (Fig. 2 nextIndex and
// matchIndex, plus flow control). Core: std and fmt only. Owned by the Tracker.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/core/base/types.h"
#include "engine/core/raft/inflights.h"
#include "engine/core/raft/session.h"

namespace quorum::raft {

enum class ProgressState : std::uint8_t {
  // The leader does not know where the follower's log diverges: one append per heartbeat
  // interval (or per response) until one succeeds.
  kProbe,
  // The follower accepted an append: appends are pipelined, next_index advances optimistically,
  // bounded by the inflight window.
  kReplicate,
  // A snapshot was sent; appends pause until the follower reports it installed.
  kSnapshot,
};

std::string_view progress_state_name(ProgressState state);

class Progress {
 public:
  Progress(LogIndex next_index, std::uint32_t inflight_messages_max, Ticks now_ticks);

  // Fig. 2 matchIndex: highest index known to be replicated on the follower.
  // Invariant: match_index < next_index.
  LogIndex match_index() const { return match_index_; }
  // Fig. 2 nextIndex: the next entry to send. In kSnapshot: pending_snapshot_index + 1.
  LogIndex next_index() const { return next_index_; }
  ProgressState state() const { return state_; }
  LogIndex pending_snapshot_index() const { return pending_snapshot_index_; }
  const Inflights& inflights() const { return inflights_; }
  Ticks state_since_ticks() const { return state_since_ticks_; }
  Ticks progress_ticks() const { return progress_ticks_; }

  // Whether the leader should hold back new appends (probe sent, window full, or snapshot).
  bool is_paused() const;

  void become_probe(Ticks now_ticks);
  void become_replicate(Ticks now_ticks);
  void become_snapshot(LogIndex snapshot_index, Ticks now_ticks);

  // A success response acknowledged `match_index`. Returns whether match_index advanced.
  bool maybe_update(LogIndex match_index, Ticks now_ticks);
  // An append ending at `last_index` was sent (pipelining in kReplicate, pause in kProbe).
  void on_append_sent(LogIndex last_index);
  // A rejection of the append whose prev_log_index was `rejected`; `next_hint` is the leader's
  // computed next_index. Returns false if the rejection is stale (ignored).
  bool maybe_decrease_to(LogIndex rejected, LogIndex next_hint);
  // The peer answered, in heartbeat round `answered_round`, without moving its progress. If
  // that round is later than the one of our last append (`sent_round`), the peer has handled
  // (or lost) that append: an unanswered probe may be re-sent and a full window frees one slot.
  // Older answers (duplicates, reordered ones) free nothing, so resends are paced by the peer's
  // answers at one per round at most and can never multiply. Returns whether appends may go now.
  bool on_peer_answered(std::uint64_t answered_round);
  // A new heartbeat round: a full replicate window frees one slot, so a lost append costs one
  // heartbeat interval, not an answer's round trip (a bounded extra: one append per heartbeat).
  void on_heartbeat();

  // Leader-side liveness of this peer: the last tick it answered, and the highest heartbeat round
  // it echoed (CheckQuorum, lease, ReadIndex).
  Ticks last_heard_ticks = 0;
  std::uint64_t acked_round = 0;
  // The heartbeat round in which the last append (probe or pipelined) was sent to this peer.
  std::uint64_t sent_round = 0;
  // Controller session (session.h): what its keepalives said, and the newest round whose answer
  // arrived while this leader held its lease (echoed as AppendRequest::session_acked_round).
  PeerSession session;
  std::uint64_t session_confirmed_round = 0;
  // The highest commit index sent to this peer that its log could take (an append's
  // leader_commit capped at its last entry, Fig. 2 rule 5). With sessions on, a peer whose match
  // is past it is told the commit index at once (Node::Impl::send_commit_notifications).
  LogIndex commit_sent_index = 0;

 private:
  LogIndex match_index_ = 0;
  LogIndex next_index_ = 1;
  ProgressState state_ = ProgressState::kProbe;
  bool probe_sent_ = false;
  LogIndex pending_snapshot_index_ = 0;
  Inflights inflights_;
  Ticks state_since_ticks_ = 0;
  Ticks progress_ticks_ = 0;  // last tick match_index advanced or the state changed
};

}  // namespace quorum::raft
