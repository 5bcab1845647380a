// Leader: proposals, replication with flow control and pipelining, commit, heartbeat rounds,
// CheckQuorum, the lease and ReadIndex. Core: std and fmt only.
#include <algorithm>

#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

void Node::Impl::tick_leader() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  ++heartbeat_elapsed_ticks_;
  ++check_elapsed_ticks_;
  if (maybe_step_down_for_check_quorum()) return;
  if (transfer_target_ != kNoNode) tick_transfer();
  if (check_elapsed_ticks_ >= config_.election_timeout_ticks) {
    check_elapsed_ticks_ = 0;
    maybe_transfer_to_priority();
  }
  if (heartbeat_elapsed_ticks_ >= config_.heartbeat_interval_ticks) {
    heartbeat_elapsed_ticks_ = 0;
    broadcast_heartbeat();
  }
  // Rounds whose lease would already be over are of no further use.
  while (!round_starts_.empty() && round_starts_.front().round < round_ &&
         round_starts_.front().send_ticks + lease_duration_ticks_ <= now_ticks_) {
    round_starts_.pop_front();
  }
  update_lease_trace();
}

bool Node::Impl::maybe_step_down_for_check_quorum() {
  // Thesis §6.2: a leader that has not heard from a majority (itself included) within an election
  // timeout steps down, so a partitioned leader stops taking requests. Checked on every tick, so
  // the bound is T, not 2T.
  if (!config_.check_quorum || mutation_on(config_.mutation, Mutation::kNoCheckQuorum)) {
    return false;
  }
  if (tracker_.voters().empty()) return false;
  const Ticks heard = tracker_.quorum_heard_ticks(now_ticks_);
  QUORUM_ASSERT(heard <= now_ticks_);
  if (now_ticks_ - heard < config_.election_timeout_ticks) return false;
  trace(TraceKind::kCheckQuorumStepDown);
  become_follower(current_term_, kNoNode);
  return true;
}

EntryId Node::Impl::append_entry(EntryKind kind, std::string data, Membership membership) {
  QUORUM_ASSERT(role_ == Role::kLeader);
  Entry e{current_term_, log_.last_index() + 1, kind, std::move(data), std::move(membership)};
  const EntryId id = e.id();
  uncommitted_bytes_ += e.data.size();
  const bool is_membership = kind == EntryKind::kMembership;
  log_.append(std::move(e));
  if (is_membership) on_membership_appended(log_.at(id.index));
  appends_pending_ = true;
  QUORUM_ASSERT(log_.last_index() == id.index);
  return id;
}

ProposeResult Node::Impl::propose(std::string data) {
  ProposeResult out;
  if (role_ != Role::kLeader) {
    // Fig. 2 / §8: clients talk to the leader; the hint is what the redirect uses.
    trace(TraceKind::kProposalRefused, leader_id_);
    out.code = ProposeResult::Code::kNotLeader;
    out.leader_hint = leader_id_;
    return out;
  }
  out.leader_hint = config_.id;
  if (transfer_target_ != kNoNode) {
    trace(TraceKind::kProposalRefused, transfer_target_);
    out.code = ProposeResult::Code::kTransferInProgress;
    return out;
  }
  if (refuse_when_unfit(out)) return out;
  if (data.size() > config_.message_bytes_max) {
    out.code = ProposeResult::Code::kTooLarge;
    return out;
  }
  if (uncommitted_bytes_ > 0 && uncommitted_bytes_ + data.size() > config_.uncommitted_bytes_max) {
    out.code = ProposeResult::Code::kBusy;
    out.reason = "uncommitted_bytes_max reached";
    return out;
  }
  const EntryId id = append_entry(EntryKind::kCommand, std::move(data), {});
  out.index = id.index;
  out.term = id.term;
  QUORUM_ASSERT(out.term == current_term_);
  return out;
}

bool Node::Impl::maybe_send_append(NodeId peer, bool send_if_empty) {
  QUORUM_ASSERT(role_ == Role::kLeader);
  Progress* pr = tracker_.progress(peer);
  QUORUM_ASSERT(pr != nullptr, "no progress for {}", peer);
  if (pr->is_paused()) return false;
  const LogIndex prev = pr->next_index() - 1;
  const std::optional<Term> prev_term = log_.term_at(prev);
  if (!prev_term.has_value()) {
    // The entries this follower needs were compacted away (Raft §7).
    send_snapshot(peer, *pr);
    return true;
  }
  std::vector<Entry> entries;
  if (pr->next_index() <= log_.last_index()) {
    entries = log_.slice(pr->next_index(), log_.last_index(), config_.message_bytes_max);
  }
  // An empty append still serves as a probe while prev_log_index is unconfirmed.
  const bool probing = pr->state() == ProgressState::kProbe && pr->match_index() < prev;
  if (entries.empty() && !send_if_empty && !probing) return false;
  const LogIndex last_sent = entries.empty() ? prev : entries.back().index;
  send(peer, AppendRequest{prev, *prev_term, std::move(entries), log_.commit_index(), round_});
  pr->commit_sent_index = std::max(pr->commit_sent_index, std::min(log_.commit_index(), last_sent));
  pr->on_append_sent(last_sent);
  pr->sent_round = round_;
  return true;
}

void Node::Impl::send_append_while_possible(NodeId peer) {
  // Pipelining: in replicate state keep sending until the window is full or nothing is left.
  // Each call either pauses the peer or advances next_index, so the loop ends.
  for (int guard = 0; maybe_send_append(peer, false); ++guard) {
    QUORUM_ASSERT(guard <= static_cast<int>(config_.inflight_messages_max) + 1);
  }
}

void Node::Impl::send_snapshot(NodeId peer, Progress& progress) {
  QUORUM_ASSERT(log_.snapshot_index() > 0);
  Snapshot snapshot{snapshot_meta(), snapshot_data_};
  const LogIndex index = snapshot.meta.last_index;
  send(peer, SnapshotRequest{std::move(snapshot), round_});
  progress.become_snapshot(index, now_ticks_);
  trace(TraceKind::kSnapshotSent, peer, index);
}

void Node::Impl::send_heartbeat(NodeId peer, Progress& progress) {
  // A heartbeat is an empty AppendRequest (Fig. 2). Its prev entry is the follower's known match,
  // so the consistency check passes and leader_commit advances the follower's commit only up to
  // what it is known to hold (rule 5 caps it at prev_log_index).
  LogIndex prev = progress.match_index();
  std::optional<Term> prev_term = log_.term_at(prev);
  if (!prev_term.has_value()) {
    prev = 0;
    prev_term = 0;
  }
  send(peer, AppendRequest{prev, *prev_term, {}, log_.commit_index(), round_});
  progress.commit_sent_index =
      std::max(progress.commit_sent_index, std::min(log_.commit_index(), prev));
}

void Node::Impl::broadcast_append() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  appends_pending_ = false;
  for (auto& kv : tracker_.progress_map()) send_append_while_possible(kv.first);
  maybe_commit();  // a single-voter group commits on its own persistence
}

void Node::Impl::start_round() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  ++round_;
  round_emitted_ = false;
  round_starts_.push_back({round_, now_ticks_});
  on_round_acked();  // with a single voter, the leader alone is a majority
}

void Node::Impl::broadcast_heartbeat() {
  if (timeout_now_outstanding()) {
    // Rounds stay frozen (see timeout_now_outstanding); the TimeoutNow is repeated in case it
    // was lost (a target that already campaigns is at a later term and drops it).
    send(transfer_target_, TimeoutNow{timeout_now_round_});
  } else {
    start_round();
  }
  for (auto& [peer, pr] : tracker_.progress_map()) {
    // Retransmission: a pipeline that made no progress for half an election timeout lost a
    // message; a snapshot that got no answer within a timeout is resent.
    const Ticks stalled = now_ticks_ - pr.progress_ticks();
    if (pr.state() == ProgressState::kReplicate && pr.match_index() < log_.last_index() &&
        stalled >= std::max<Ticks>(config_.election_timeout_ticks / 2, 1)) {
      pr.become_probe(now_ticks_);
    }
    if (pr.state() == ProgressState::kSnapshot && stalled >= config_.election_timeout_ticks) {
      pr.become_probe(now_ticks_);
    }
    pr.on_heartbeat();
    // A probe carries the round and the commit index as well as a heartbeat would. An
    // unanswered probe is not repeated here: see the pacing in on_append_response.
    const bool probed = pr.state() == ProgressState::kProbe && maybe_send_append(peer, false);
    if (!probed) send_heartbeat(peer, pr);
    send_append_while_possible(peer);
  }
}

void Node::Impl::on_append_response(const Message& m, const AppendResponse& response) {
  QUORUM_ASSERT(role_ == Role::kLeader);
  QUORUM_ASSERT(m.term == current_term_);
  Progress* pr = tracker_.progress(m.from);
  if (pr == nullptr) return;  // a removed member
  pr->last_heard_ticks = now_ticks_;
  if (response.round <= round_) pr->acked_round = std::max(pr->acked_round, response.round);
  bool progressed = false;
  if (response.success) {
    progressed = on_append_success(m.from, *pr, response);
  } else {
    // Fast back-off: the follower's hint names its last entry with term <= the rejected prev
    // term; our own last entry with term <= hint_term bounds the divergence point.
    const LogIndex next_hint =
        response.hint_term > 0
            ? log_.find_conflict_by_term(response.hint_index, response.hint_term) + 1
            : response.hint_index + 1;
    progressed = pr->maybe_decrease_to(response.reject_index, next_hint);
    if (progressed) send_append_while_possible(m.from);
  }
  // Pacing by answers, not by heartbeat ticks: an answer that moved nothing (a heartbeat's) but
  // answers a round later than our last append lets an unanswered probe go again and frees one
  // slot of a full window, so a lost append cannot stall a peer (Progress::on_peer_answered).
  // A follower slower than the heartbeat interval therefore gets no more appends than it
  // answers: resending a large probe on every heartbeat tick queued copies faster than a slow
  // follower drained them (livelock seen with 1 MiB appends to an unoptimised follower).
  if (!progressed && role_ == Role::kLeader) {
    Progress* answered = tracker_.progress(m.from);  // re-read: a commit may change membership
    if (answered != nullptr && answered->on_peer_answered(response.round)) {
      send_append_while_possible(m.from);
    }
  }
  on_round_acked();
  if (role_ == Role::kLeader) on_session_keepalive(m.from, response);
}

bool Node::Impl::on_append_success(NodeId peer, Progress& pr, const AppendResponse& response) {
  if (response.match_index > log_.last_index()) return true;  // impossible from an honest follower
  bool progressed = false;
  if (pr.maybe_update(response.match_index, now_ticks_)) {
    progressed = true;
    // It may hold committed entries it was not told are committed (sessions: told at once).
    if (prompt_session_hops()) commit_notify_pending_ = true;
    if (pr.state() != ProgressState::kReplicate) pr.become_replicate(now_ticks_);
    maybe_commit();
    if (role_ != Role::kLeader) return true;  // stepped down after its own removal committed
    if (transfer_target_ == peer && pr.match_index() == log_.last_index()) {
      send_timeout_now(peer);
    }
  } else if (pr.state() == ProgressState::kSnapshot &&
             response.match_index >= pr.pending_snapshot_index()) {
    progressed = true;
    pr.become_replicate(now_ticks_);
  }
  send_append_while_possible(peer);
  return progressed;
}

bool Node::Impl::maybe_commit() {
  QUORUM_ASSERT(role_ == Role::kLeader);
  if (tracker_.voters().empty()) return false;
  // The leader's own match counts only what the host has made durable.
  const LogIndex self_match = log_.persisted_index();
  const LogIndex committed = tracker_.committed_index(self_match);
  if (committed <= log_.commit_index()) return false;
  // Raft §5.4.2: only an entry of the current term is committed by counting replicas; earlier
  // entries are committed indirectly (Figure 8).
  if (log_.term_at(committed) != current_term_ &&
      !mutation_on(config_.mutation, Mutation::kCommitOldTerm)) {
    return false;
  }
  const LogIndex old_commit = log_.commit_index();
  log_.commit_to(committed);
  on_commit_advanced(old_commit);
  if (prompt_session_hops() && role_ == Role::kLeader) commit_notify_pending_ = true;
  return true;
}

void Node::Impl::on_commit_advanced(LogIndex old_commit) {
  QUORUM_ASSERT(log_.commit_index() > old_commit);
  for (LogIndex i = std::max(old_commit, term_start_index_ - 1) + 1; i <= log_.commit_index();
       ++i) {
    const std::uint64_t bytes = log_.at(i).data.size();
    uncommitted_bytes_ -= std::min(uncommitted_bytes_, bytes);
  }
  maybe_step_down_after_removal();
}

void Node::Impl::on_round_acked() {
  if (role_ != Role::kLeader) return;
  const std::uint64_t q = tracker_.quorum_round(round_);
  if (q <= quorum_round_) return;
  quorum_round_ = q;
  // The lease counts from the send tick of the newest round a majority acknowledged.
  while (!round_starts_.empty() && round_starts_.front().round < q) round_starts_.pop_front();
  if (!round_starts_.empty() && round_starts_.front().round == q && q >= lease_floor_round_) {
    const Ticks from_ticks = mutation_on(config_.mutation, Mutation::kLeaseFromAckReceipt)
                                 ? now_ticks_
                                 : round_starts_.front().send_ticks;
    const Ticks until = from_ticks + lease_duration_ticks_;
    lease_valid_until_ticks_ = std::max(lease_valid_until_ticks_, until);
    // The leader's own session: a majority answered a round sent then, so any later leader took
    // office after it (its grace period covers what this leader may do until the session ends).
    // Only once an entry of its term is committed: before that its commit index may miss a
    // takeover its predecessor committed, and its session's start must cover it.
    if (committed_in_current_term()) {
      session_.renew(round_starts_.front().send_ticks, now_ticks_, log_.commit_index());
    }
  }
  // ReadIndex (thesis §6.4): a read is confirmed once a round sent after it was acknowledged.
  while (!pending_reads_.empty() && pending_reads_.front().round <= q) {
    read_states_.push_back({pending_reads_.front().request_id, pending_reads_.front().index});
    pending_reads_.pop_front();
  }
  update_lease_trace();
}

bool Node::Impl::has_lease() const {
  // Item 4: acting (side effects) requires a lease; a transfer voids it: a TimeoutNow may elect
  // the target at any moment, even after the transfer was aborted here, until a majority
  // acknowledged a later round (lease_floor_round_; voters that saw it refuse the campaign).
  return role_ == Role::kLeader && config_.check_quorum && transfer_target_ == kNoNode &&
         now_ticks_ < lease_valid_until_ticks_;
}

Ticks Node::Impl::lease_remaining_ticks() const {
  return has_lease() ? lease_valid_until_ticks_ - now_ticks_ : 0;
}

void Node::Impl::update_lease_trace() {
  const bool valid = has_lease();
  if (valid == lease_reported_valid_) return;
  lease_reported_valid_ = valid;
  trace(valid ? TraceKind::kLeaseRenewed : TraceKind::kLeaseExpired);
}

bool Node::Impl::committed_in_current_term() const {
  return log_.term_at(log_.commit_index()) == current_term_;
}

ReadResult Node::Impl::read_index(std::uint64_t request_id) {
  ReadResult out;
  if (role_ != Role::kLeader) {
    out.code = ReadResult::Code::kNotLeader;
    out.leader_hint = leader_id_;
    return out;
  }
  out.leader_hint = config_.id;
  // Thesis §6.4 step 1: until an entry of its own term commits, a new leader does not know the
  // commit index of its predecessor.
  if (!committed_in_current_term()) {
    out.code = ReadResult::Code::kNoLeaseYet;
    return out;
  }
  // While a TimeoutNow is out, rounds are frozen and leadership is about to move: no new reads.
  if (timeout_now_outstanding()) {
    out.code = ReadResult::Code::kNoLeaseYet;
    return out;
  }
  const LogIndex index = log_.commit_index();
  if (tracker_.voters().size() == 1 && tracker_.self_is_voter()) {
    read_states_.push_back({request_id, index});
    return out;
  }
  // Step 2: one heartbeat round sent after the request. A round whose messages have not left
  // yet serves as well, which batches reads arriving between two Ready batches.
  if (round_emitted_) broadcast_heartbeat();
  pending_reads_.push_back({request_id, index, round_});
  out.code = ReadResult::Code::kPending;
  return out;
}

}  // namespace quorum::raft
