// Node::Impl: the state and handlers of one Raft node. Internal to engine/core/raft (tests and
// invariants.cc include it; nothing outside this folder may). Core: std and fmt only.
//
// Handlers are split by role (STYLE 6.1): node.cc (term settlement, dispatch, transitions),
// node_follower.cc, node_candidate.cc, node_leader.cc, node_transfer.cc, node_membership.cc,
// node_ready.cc.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/core/base/prng.h"
#include "engine/core/raft/config.h"
#include "engine/core/raft/log.h"
#include "engine/core/raft/node.h"
#include "engine/core/raft/tracker.h"

namespace quorum::raft {

// A heartbeat round the leader started, and the tick it was sent at (the lease counts from it).
struct RoundStart {
  std::uint64_t round = 0;
  Ticks send_ticks = 0;
};

// A ReadIndex request waiting for a majority to acknowledge `round` (thesis §6.4).
struct PendingRead {
  std::uint64_t request_id = 0;
  LogIndex index = 0;
  std::uint64_t round = 0;
};

// A configuration and the log index of the entry that introduced it (0: bootstrap).
struct MembershipEpoch {
  LogIndex index = 0;
  Membership membership;
};

struct Node::Impl {
  Impl(const RaftConfig& config, const PersistedState& state, Prng prng);

  // ---- node.cc: inputs, term settlement, dispatch, transitions.
  void tick();
  void step(const Message& m);
  // Fig. 2 "Rules for all servers" (term) + leader stickiness. False: the message was consumed.
  bool settle_term(const Message& m);
  void on_lower_term(const Message& m);
  bool refuses_for_stickiness(const VoteRequest& request) const;
  bool ignores_append_from_non_voter(const Message& m) const;
  void step_follower(const Message& m);
  void step_candidate(const Message& m);
  void step_leader(const Message& m);
  void become_follower(Term term, NodeId leader);
  void become_pre_candidate();
  void become_candidate(bool leadership_transfer);
  void become_leader();
  void send(NodeId to, MessageBody body);
  void send_at(NodeId to, Term term, MessageBody body);
  // Session keepalive fields of outgoing appends and answers (node_session.cc).
  void stamp_session(NodeId to, Term term, MessageBody& body);
  void on_session_confirmed(NodeId leader, std::uint64_t acked_round, LogIndex leader_commit);
  void on_session_keepalive(NodeId peer, const AppendResponse& response);
  // Sessions on (the pool's hand-overs wait on these two hops): the leader sends a commit index
  // that advanced at once, a follower reports an applied index when the host asks.
  bool prompt_session_hops() const { return config_.session_params().enabled(); }
  void send_commit_notifications();
  void report_applied();
  void trace(TraceKind kind, NodeId peer = kNoNode, LogIndex index = 0);
  void reset_election_timer();
  bool can_campaign() const;
  bool is_leader() const { return role_ == Role::kLeader; }
  // A transfer is running and its TimeoutNow has left: heartbeat rounds are frozen until it
  // completes or aborts, so that a newer round means "aborted" to every voter.
  bool timeout_now_outstanding() const {
    return transfer_target_ != kNoNode && timeout_now_target_ == transfer_target_;
  }
  Ticks stickiness_window_ticks() const { return config_.election_timeout_ticks; }

  // ---- node_follower.cc: what every non-leader does.
  void tick_election();
  void heard_from_leader(NodeId leader);
  void on_vote_request(const Message& m, const VoteRequest& request);
  void on_append_request(const Message& m, const AppendRequest& request);
  void reject_append(const Message& m, const AppendRequest& request);
  void on_snapshot_request(const Message& m, const SnapshotRequest& request);
  void on_timeout_now(const Message& m, const TimeoutNow& timeout_now);

  // ---- node_candidate.cc: PreVote and elections.
  void campaign(bool leadership_transfer);
  void broadcast_vote_request(bool pre_vote, bool leadership_transfer);
  void on_vote_response(const Message& m, const VoteResponse& response);
  void on_vote_result();

  // ---- node_leader.cc: replication, commit, heartbeats, CheckQuorum, lease, ReadIndex.
  void tick_leader();
  bool maybe_step_down_for_check_quorum();
  EntryId append_entry(EntryKind kind, std::string data, Membership membership);
  ProposeResult propose(std::string data);
  bool maybe_send_append(NodeId peer, bool send_if_empty);
  void send_append_while_possible(NodeId peer);
  void send_snapshot(NodeId peer, Progress& progress);
  void send_heartbeat(NodeId peer, Progress& progress);
  void broadcast_append();
  void broadcast_heartbeat();
  void start_round();
  void on_append_response(const Message& m, const AppendResponse& response);
  // Returns whether the response moved the peer's progress (match advanced, or it left snapshot).
  bool on_append_success(NodeId peer, Progress& progress, const AppendResponse& response);
  bool maybe_commit();
  void on_commit_advanced(LogIndex old_commit);
  void on_round_acked();
  void update_lease_trace();
  bool has_lease() const;
  Ticks lease_remaining_ticks() const;
  ReadResult read_index(std::uint64_t request_id);
  bool committed_in_current_term() const;

  // ---- node_transfer.cc: leadership transfer, forced step-down, priority.
  RequestResult transfer_leadership(NodeId target);
  RequestResult step_down();
  void start_transfer(NodeId target);
  void send_timeout_now(NodeId target);
  void tick_transfer();
  void abort_transfer();
  void maybe_transfer_to_priority();
  // The most up-to-date voter with priority > 0 (ties: higher priority, then lower id), among
  // those not reported unfit; with only_reported_fit, among those that reported themselves fit
  // in this term (the degraded-mode hand-over target).
  NodeId best_transfer_target(bool only_reported_fit = false) const;
  std::uint32_t priority_of(NodeId id) const;

  // ---- node_membership.cc: configuration changes and snapshots.
  ProposeResult propose_membership(const MembershipChange& change);
  void on_membership_appended(const Entry& entry);
  void on_entries_appended(const std::vector<Entry>& entries, LogIndex truncated_from);
  void apply_membership(const Membership& membership);
  const Membership& membership_at(LogIndex index) const;
  bool membership_change_pending() const;
  void maybe_step_down_after_removal();
  void compact(LogIndex index, std::string data);
  SnapshotMeta snapshot_meta() const;

  // ---- node_health.cc: the database backend's health (Galera issue, invariant 8).
  void set_backend_healthy(bool healthy);
  void note_peer_backend(NodeId peer, Term term, const AppendResponse& response);
  // tick_election's part: counts an unfit node's timeouts without a leader (degraded mode).
  void note_unfit_election_timeout();
  bool peer_backend_unfit(NodeId peer) const { return backend_unfit_peers_.contains(peer); }
  void maybe_leave_for_backend();
  // A fit voter that answered in this term, caught up or not (the hand-over target), else none.
  NodeId fit_transfer_target() const { return best_transfer_target(/*only_reported_fit=*/true); }
  // Refuses a proposal while this leader is unfit (degraded mode); false when it may go ahead.
  bool refuse_when_unfit(ProposeResult& out);
  // Election timeouts in a row an unfit node saw without a leader before it may campaign.
  static constexpr std::uint32_t kUnfitTimeoutsBeforeCampaign = 2;

  // ---- node_ready.cc: the Ready/advance contract.
  bool has_ready() const;
  Ready ready();
  void advance(const ReadyAck& ack);
  SoftState soft_state() const { return {role_, leader_id_, current_term_}; }
  HardState hard_state() const { return {current_term_, voted_for_, log_.commit_index()}; }

  // ---- State. Persisted (Fig. 2): current_term_, voted_for_, the log (via Ready).
  RaftConfig config_;
  Prng prng_;
  Ticks lease_duration_ticks_ = 1;  // < T / (1 + drift); see node.cc
  Term current_term_ = 0;           // Persisted. Invariant: never decreases.
  NodeId voted_for_ = kNoNode;      // Persisted. Invariant: at most one per term.
  RaftLog log_;
  Tracker tracker_;
  // Configurations introduced by entries still in the log, oldest first; front() is the one in
  // force at the snapshot boundary (or the bootstrap). Invariant: non-empty, indexes increase.
  std::deque<MembershipEpoch> membership_history_;

  // Volatile, every role.
  Role role_ = Role::kFollower;
  NodeId leader_id_ = kNoNode;
  Ticks now_ticks_ = 0;
  Ticks election_elapsed_ticks_ = 0;
  Ticks randomized_election_timeout_ticks_ = 0;  // in [T, 2T), redrawn on every reset
  // Ticks since this node last heard from a live leader (or since it started: a restarted node
  // must not grant a vote it might have refused before the crash). Leader stickiness.
  Ticks leader_contact_elapsed_ticks_ = 0;
  bool campaign_is_transfer_ = false;
  std::uint64_t campaign_transfer_round_ = 0;  // TimeoutNow round behind a transfer campaign
  // After a forced step-down: no campaign before this tick unless a new leader is heard first.
  Ticks no_campaign_until_ticks_ = 0;
  // The highest round seen from leader_id_ in this term (stale TimeoutNow and transfer-vote
  // filter). A restarted node starts at "everything seen": it cannot know what it acknowledged.
  std::uint64_t leader_round_seen_ = 0;
  // Controller session (session.h): this node's own lease, and, as a follower, when it sent its
  // first answer to each recent round of leader_id_ in this term (the anchor a confirmation
  // names). Bounded; cleared when the leader or the term changes.
  Session session_;
  std::deque<RoundStart> answer_sends_;
  static constexpr std::size_t kAnswerSendsMax = 64;
  // Node::set_applied_report_cap: answers report min(applied index, this).
  LogIndex applied_report_cap_ = kNoAppliedReportCap;

  // Leader only.
  Ticks heartbeat_elapsed_ticks_ = 0;
  Ticks check_elapsed_ticks_ = 0;  // priority checks happen every election timeout
  std::uint64_t round_ = 0;        // current heartbeat round; never decreases across terms
  bool round_emitted_ = true;      // the current round's messages left in a Ready
  std::deque<RoundStart> round_starts_;
  std::uint64_t quorum_round_ = 0;  // highest round a majority acknowledged in this term
  Ticks lease_valid_until_ticks_ = 0;
  bool lease_reported_valid_ = false;
  // After a TimeoutNow left at round r, only rounds > r renew the lease: voters that saw such a
  // round refuse the transfer campaign (refuses_for_stickiness). 0: no TimeoutNow this term.
  std::uint64_t lease_floor_round_ = 0;
  NodeId timeout_now_target_ = kNoNode;
  std::uint64_t timeout_now_round_ = 0;
  NodeId transfer_target_ = kNoNode;
  Ticks transfer_elapsed_ticks_ = 0;
  std::deque<PendingRead> pending_reads_;
  std::uint64_t uncommitted_bytes_ = 0;
  LogIndex term_start_index_ = 0;  // index of this leader's no-op
  Ticks leader_since_ticks_ = 0;   // when this node took office (new-leader grace, session.h)
  bool appends_pending_ = false;   // proposals appended since the last broadcast
  // Sessions on: the commit index or a follower's match advanced since the last Ready; the
  // followers that could take a higher commit index than they were sent are told at once (an
  // empty append) instead of at the next heartbeat.
  bool commit_notify_pending_ = false;

  // Database backend health (node_health.cc). Volatile: the host pushes it again after a restart.
  bool backend_healthy_ = true;
  // Peers whose latest AppendResponse said their backend is unfit. Ordered: no hash iteration.
  std::set<NodeId> backend_unfit_peers_;
  // Peers whose AppendResponse in this leader's term said their backend is fit (cleared when
  // this node takes office): the only peers an unfit leader hands over to.
  std::set<NodeId> backend_fit_peers_;
  // Unfit and eligible: election timeouts seen in a row without a leader, and whether the node
  // may campaign (degraded mode). Cleared when a leader is heard or the health changes.
  std::uint32_t unfit_timeouts_without_leader_ = 0;
  bool unfit_campaign_allowed_ = false;
  // The term in which this leader, unfit, started a transfer; a second chance is not given.
  Term backend_transfer_term_ = 0;

  // Snapshot data this node holds (from compact(), an install, or the host at restart).
  std::string snapshot_data_;
  std::optional<Snapshot> snapshot_to_report_;
  bool snapshot_received_ = false;

  // Ready bookkeeping.
  std::vector<Message> messages_;
  std::vector<Message> messages_after_persist_;
  std::vector<ReadState> read_states_;
  std::vector<TraceEvent> trace_events_;
  SoftState reported_soft_;
  HardState reported_hard_;
  std::uint64_t seq_ = 0;
  bool ready_outstanding_ = false;
  EntryId handed_last_;
  LogIndex handed_applying_ = 0;
};

}  // namespace quorum::raft
