// Messages between Raft nodes. A heartbeat is an AppendRequest with no entries (Figure 2).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"

namespace quorum::raft {

// RequestVote (§5.2) and PreVote (thesis §9.6). A pre-vote request carries the term the sender
// would campaign in (current_term + 1) without having bumped its own term.
struct VoteRequest {
  bool pre_vote = false;
  LogIndex last_log_index = 0;
  Term last_log_term = 0;
  // Set by a candidate campaigning because of TimeoutNow: it bypasses leader stickiness, unless
  // the voter has seen a leader round newer than `transfer_round` (the TimeoutNow's round): the
  // transfer was then aborted and the old leader may hold a lease again.
  bool leadership_transfer = false;
  std::uint64_t transfer_round = 0;
  friend bool operator==(const VoteRequest&, const VoteRequest&) = default;
};

struct VoteResponse {
  bool pre_vote = false;
  bool granted = false;
  friend bool operator==(const VoteResponse&, const VoteResponse&) = default;
};

// AppendEntries (§5.3). `round` numbers the leader's heartbeat rounds; the follower echoes it
// so the leader can tell which round a majority acknowledged (CheckQuorum, lease, ReadIndex).
struct AppendRequest {
  LogIndex prev_log_index = 0;
  Term prev_log_term = 0;
  std::vector<Entry> entries;
  LogIndex leader_commit = 0;
  std::uint64_t round = 0;
  // Controller sessions (session.h): the newest round whose answer from this follower the leader
  // received while it held its lease. The follower's session is anchored at the time it sent
  // that answer. 0: none confirmed.
  std::uint64_t session_acked_round = 0;
  friend bool operator==(const AppendRequest&, const AppendRequest&) = default;
};

// On success match_index is the last index known to match the leader's log. On rejection
// reject_index is the prev_log_index that failed, and (hint_index, hint_term) let the leader
// skip back past a whole conflicting term at once (fast back-off, §5.3 end).
struct AppendResponse {
  bool success = false;
  LogIndex match_index = 0;
  LogIndex reject_index = 0;
  LogIndex hint_index = 0;
  Term hint_term = 0;
  std::uint64_t round = 0;
  // Every answer is a session keepalive (session.h). The sender's applied index (a releasing
  // owner has applied its Release once it reports an index at or past it) and its session:
  // grants at or below session_start_index predate its current session generation.
  LogIndex applied_index = 0;
  LogIndex session_start_index = 0;
  std::uint64_t session_generation = 0;
  // The sender's database backend is not healthy (Galera issue): the leader does not hand
  // leadership to it. Set on every AppendResponse by send_at(), from the sender's own input.
  bool backend_unfit = false;
  friend bool operator==(const AppendResponse&, const AppendResponse&) = default;
};

// InstallSnapshot (§7), sent whole. The follower answers with an AppendResponse.
struct SnapshotRequest {
  Snapshot snapshot;
  std::uint64_t round = 0;
  friend bool operator==(const SnapshotRequest&, const SnapshotRequest&) = default;
};

// Leadership transfer (thesis §3.10): "campaign now, even though you have a leader". `round` is
// the leader's heartbeat round when it sent this; the target ignores a TimeoutNow older than a
// round it has already seen from that leader, and passes it on in VoteRequest::transfer_round.
struct TimeoutNow {
  std::uint64_t round = 0;
  friend bool operator==(const TimeoutNow&, const TimeoutNow&) = default;
};

using MessageBody = std::variant<VoteRequest, VoteResponse, AppendRequest, AppendResponse,
                                 SnapshotRequest, TimeoutNow>;

struct Message {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  MessageBody body;
  friend bool operator==(const Message&, const Message&) = default;
};

std::string_view message_kind_name(const Message& m);

}  // namespace quorum::raft
