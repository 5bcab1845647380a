// PeerAcks: what the leader knows about each follower's responsiveness, for the controller
// table. Fed with every Raft message this node receives (before the host sees it) and with role
// changes. An acknowledgement is an AppendResponse of the current term — the answer to a
// heartbeat or an append, success or rejection: either proves the follower is alive and talking
// to this leader; a successful one also carries the follower's match index. Tools layer.
//
// Wall-clock time (steady_clock) is passed in, so the class and the comment rules are pure and
// unit-tested without waiting. Thread safety: io thread only.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "engine/core/base/types.h"
#include "engine/core/raft/message.h"

namespace quorum::quorumd {

class PeerAcks {
 public:
  using Time = std::chrono::steady_clock::time_point;

  // This node became leader of `term` at `now`: acknowledgements of older terms no longer count.
  void on_leader(Term term, Time now);
  // A message this node received while in `current_term`.
  void on_message(const raft::Message& message, Term current_term, Time now);

  struct View {
    bool acked = false;          // at least once since on_leader
    std::chrono::milliseconds silent_for{0};  // since the last ack, or since on_leader
    LogIndex match_index = 0;    // highest acknowledged index (0: none yet)
  };
  View view(NodeId peer, Time now) const;
  Term term() const { return term_; }
  // Since the last AppendRequest or SnapshotRequest (only a leader sends them) this node
  // received, of any term; nullopt if none since the start. The "last contact" of status.
  std::optional<std::chrono::milliseconds> since_leader_contact(Time now) const;

 private:
  struct Ack {
    Time at;
    LogIndex match_index = 0;
  };
  Term term_ = 0;
  Time leader_since_{};
  std::map<NodeId, Ack> acks_;
  std::optional<Time> last_leader_contact_;
};

// The table row of a follower, from the leader's point of view.
struct FollowerRow {
  bool online = false;  // S column 'f' when true, '-' when false
  std::string comment;  // COMMENT column
};

// "Responding to heartbeats." when it acknowledged within `election_timeout` (with "N entries
// behind." if its match index is below `leader_last_index`); "Waiting for a first
// acknowledgement." (or "Connecting." without a link) within an election timeout of the
// election; otherwise "Not responding for N ms." (and "No connection." when the link is down).
// online is false when not responding, and when connecting.
FollowerRow follower_row(const PeerAcks::View& view, LogIndex leader_last_index,
                         std::chrono::milliseconds election_timeout, bool connected);

}  // namespace quorum::quorumd
