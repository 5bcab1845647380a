// Node: construction, inputs, term settlement (Fig. 2 "Rules for all servers"), dispatch by role
// and the four role transitions. Core: std and fmt only.
#include "engine/core/raft/node.h"

#include <algorithm>
#include <limits>

#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {
namespace {

// The lease must end before any follower that acknowledged the round can grant a vote to someone
// else. Such a follower refuses votes for T of its ticks after receipt; one of them may pass
// almost at once (tick phase), so only T - 1 full ticks are certain, and its clock may run faster
// than ours by clock_drift_ppm_max. Hence (T - 1) / (1 + drift), rounded down, and at least one
// tick. Computed in integers.
Ticks compute_lease_duration_ticks(const RaftConfig& config) {
  const Ticks t = config.election_timeout_ticks;
  const std::uint64_t ppm = 1'000'000;
  const Ticks d = (t - 1) * ppm / (ppm + config.clock_drift_ppm_max);
  const Ticks out = std::clamp<Ticks>(d, 1, t - 1);
  QUORUM_ASSERT(out >= 1);
  QUORUM_ASSERT(out < t);
  return out;
}

void check_persisted_state(const PersistedState& state) {
  QUORUM_ASSERT(validate_slice(state.entries).empty(), "{}", validate_slice(state.entries));
  const LogIndex base = state.snapshot ? state.snapshot->last_index : 0;
  if (!state.entries.empty()) {
    QUORUM_ASSERT(state.entries.front().index == base + 1, "log starts at {} after snapshot {}",
                  state.entries.front().index, base);
  }
  const LogIndex last = state.entries.empty() ? base : state.entries.back().index;
  QUORUM_ASSERT(state.hard_state.commit_index <= last, "commit {} beyond last {}",
                state.hard_state.commit_index, last);
  const Term last_term = state.entries.empty() ? (state.snapshot ? state.snapshot->last_term : 0)
                                               : state.entries.back().term;
  QUORUM_ASSERT(state.hard_state.current_term >= last_term, "term {} below last log term {}",
                state.hard_state.current_term, last_term);
  QUORUM_ASSERT(state.hard_state.current_term <= kTermMax, "term {} above kTermMax",
                state.hard_state.current_term);
}

}  // namespace

Node::Impl::Impl(const RaftConfig& config, const PersistedState& state, Prng prng)
    : config_(config), prng_(prng), tracker_(config.id), session_(config.session_params()) {
  QUORUM_ASSERT(config.validate().empty(), "{}", config.validate());
  check_persisted_state(state);
  lease_duration_ticks_ = compute_lease_duration_ticks(config_);
  tracker_.set_inflight_messages_max(config_.inflight_messages_max);
  const LogIndex snapshot_index = state.snapshot ? state.snapshot->last_index : 0;
  const Term snapshot_term = state.snapshot ? state.snapshot->last_term : 0;
  log_.restore_persisted(snapshot_index, snapshot_term, state.entries,
                         state.hard_state.commit_index);
  current_term_ = state.hard_state.current_term;
  voted_for_ = state.hard_state.voted_for;
  // Membership: the last membership entry in the log, else the snapshot's, else the bootstrap.
  membership_history_.push_back(
      {snapshot_index, state.snapshot ? state.snapshot->membership : state.bootstrap});
  for (const Entry& e : state.entries) {
    if (e.kind == EntryKind::kMembership) membership_history_.push_back({e.index, e.membership});
  }
  tracker_.set_membership(membership_history_.back().membership, log_.last_index() + 1, 0);
  snapshot_data_ = state.snapshot_data;
  reported_hard_ = state.hard_state;
  reported_soft_ = soft_state();
  // Restart stickiness: act as if a leader was heard just now (leader_contact_elapsed_ticks_ = 0),
  // and as if it had sent any round (no transfer campaign can claim to be newer).
  leader_contact_elapsed_ticks_ = 0;
  leader_round_seen_ = std::numeric_limits<std::uint64_t>::max();
  reset_election_timer();
  QUORUM_ASSERT(role_ == Role::kFollower);
  QUORUM_ASSERT(log_.persisted_index() == log_.last_index());
}

void Node::Impl::tick() {
  ++now_ticks_;
  if (leader_contact_elapsed_ticks_ < stickiness_window_ticks()) ++leader_contact_elapsed_ticks_;
  switch (role_) {
    case Role::kFollower:
    case Role::kPreCandidate:
    case Role::kCandidate:
      tick_election();
      return;
    case Role::kLeader:
      tick_leader();
      if (is_leader()) maybe_leave_for_backend();
      return;
  }
  QUORUM_UNREACHABLE();
}

void Node::Impl::step(const Message& m) {
  QUORUM_ASSERT(m.to == config_.id, "message to {} stepped on node {}", m.to, config_.id);
  QUORUM_ASSERT(m.from != config_.id, "message from self");
  QUORUM_ASSERT(m.from != kNoNode);
  // The codec refuses such terms; a message that bypassed it must not push current_term_
  // towards overflow either.
  if (m.term > kTermMax) return;
  const Term term_before = current_term_;
  if (const auto* r = std::get_if<AppendResponse>(&m.body)) note_peer_backend(m.from, m.term, *r);
  if (!settle_term(m)) return;
  QUORUM_ASSERT(current_term_ >= term_before);
  switch (role_) {
    case Role::kFollower:
      step_follower(m);
      return;
    case Role::kPreCandidate:
    case Role::kCandidate:
      step_candidate(m);
      return;
    case Role::kLeader:
      step_leader(m);
      return;
  }
  QUORUM_UNREACHABLE();
}

bool Node::Impl::refuses_for_stickiness(const VoteRequest& request) const {
  // Leader stickiness (thesis §4.2.3, §6.2): a node that heard from a live leader within the
  // election timeout (or is the leader) ignores higher-term (pre-)votes, so a node that cannot
  // reach the leader cannot depose it. A transfer's campaign is invited by the leader itself.
  // The lease (item 4) relies on this refusal, which is why it is tied to CheckQuorum.
  if (!config_.check_quorum) return false;
  if (request.leadership_transfer) {
    // The campaign was invited, but maybe by a transfer that was aborted since; then a round
    // newer than the invitation was seen, and the old leader may hold a lease again.
    // The leader grants only the campaign of the transfer it is running: after an abort it has
    // moved on (and may hold a lease again).
    if (role_ == Role::kLeader) {
      return !timeout_now_outstanding() || request.transfer_round < timeout_now_round_;
    }
    return leader_contact_elapsed_ticks_ < stickiness_window_ticks() &&
           request.transfer_round < leader_round_seen_;
  }
  if (role_ == Role::kLeader) return true;
  // Planted bug: the pre-vote of a node that cannot hear the leader is granted anyway; its real
  // campaign then moves its term past the healthy leader's (engine/check/disruption.h).
  if (request.pre_vote && mutation_on(config_.mutation, Mutation::kPreVoteIgnoresStickiness)) {
    return false;
  }
  return leader_contact_elapsed_ticks_ < stickiness_window_ticks();
}

bool Node::Impl::ignores_append_from_non_voter(const Message& m) const {
  // A higher-term append or snapshot from a node that is not a voter here (a removed member, or
  // a hostile peer) would depose the live leader this node follows. Ignored only while such a
  // leader is heard from: a node that knows no live leader (just started, or lagging behind a
  // membership change that added the new leader) accepts it, else it could never catch up.
  // The cost: a follower that missed the change adding a new leader ignores that leader for at
  // most one election timeout after its old leader fell silent.
  const bool from_leader = std::holds_alternative<AppendRequest>(m.body) ||
                           std::holds_alternative<SnapshotRequest>(m.body);
  if (!from_leader || tracker_.membership().is_voter(m.from)) return false;
  return leader_id_ != kNoNode && leader_id_ != m.from &&
         leader_contact_elapsed_ticks_ < stickiness_window_ticks();
}

bool Node::Impl::settle_term(const Message& m) {
  const auto* vote_request = std::get_if<VoteRequest>(&m.body);
  // Vote requests are answered whatever this node's configuration says of the candidate (thesis
  // §4.2.3: requests are processed without consulting the configuration). The candidate may be a
  // voter in entries this node lacks: ignoring learners and non-members deadlocked 3-node groups
  // in the swarm with membership changes (seed 1056: n3 lacked n2's promotion; seed 1104: n2
  // lacked n3's re-add). Removed nodes cannot disturb a live group anyway: PreVote keeps their
  // term, stickiness refuses them while a leader is heard, their logs lack the committed
  // removal, and a candidate counts only the votes of voters of its own configuration.
  if (m.term > current_term_ && ignores_append_from_non_voter(m)) return false;
  if (m.term > current_term_) {
    if (vote_request != nullptr && refuses_for_stickiness(*vote_request)) {
      trace(vote_request->pre_vote ? TraceKind::kPreVoteRefused : TraceKind::kVoteRefused, m.from);
      return false;
    }
    // A pre-vote request, or the grant of one, does not move anyone's term (thesis §9.6).
    if (vote_request != nullptr && vote_request->pre_vote) return true;
    const auto* vote_response = std::get_if<VoteResponse>(&m.body);
    if (vote_response != nullptr && vote_response->pre_vote && vote_response->granted) return true;
    // Fig. 2, all servers: "If RPC request or response contains term T > currentTerm: set
    // currentTerm = T, convert to follower". The sender of an append is the term's leader.
    const bool from_leader = std::holds_alternative<AppendRequest>(m.body) ||
                             std::holds_alternative<SnapshotRequest>(m.body);
    become_follower(m.term, from_leader ? m.from : kNoNode);
    return true;
  }
  if (m.term < current_term_) {
    on_lower_term(m);
    return false;
  }
  return true;
}

void Node::Impl::on_lower_term(const Message& m) {
  // A stale leader (or a node partitioned while the group moved on) learns the current term from
  // our answer and steps down; without it, a leader cut off in one direction keeps its followers
  // stuck. A stale pre-candidate likewise learns it is behind (etcd#8501's deadlock).
  if (std::holds_alternative<AppendRequest>(m.body) ||
      std::holds_alternative<SnapshotRequest>(m.body)) {
    send(m.from, AppendResponse{});
    return;
  }
  if (const auto* r = std::get_if<VoteRequest>(&m.body); r != nullptr && r->pre_vote) {
    send(m.from, VoteResponse{true, false});
  }
}

void Node::Impl::step_follower(const Message& m) {
  QUORUM_ASSERT(role_ == Role::kFollower);
  QUORUM_ASSERT(m.term == current_term_ || std::holds_alternative<VoteRequest>(m.body) ||
                std::holds_alternative<VoteResponse>(m.body));
  if (const auto* r = std::get_if<VoteRequest>(&m.body)) return on_vote_request(m, *r);
  if (const auto* r = std::get_if<AppendRequest>(&m.body)) return on_append_request(m, *r);
  if (const auto* r = std::get_if<SnapshotRequest>(&m.body)) return on_snapshot_request(m, *r);
  if (const auto* r = std::get_if<TimeoutNow>(&m.body)) return on_timeout_now(m, *r);
  // Vote and append responses are stale here (a former campaign or leadership): dropped.
}

void Node::Impl::step_candidate(const Message& m) {
  QUORUM_ASSERT(role_ == Role::kPreCandidate || role_ == Role::kCandidate);
  if (const auto* r = std::get_if<VoteRequest>(&m.body)) return on_vote_request(m, *r);
  if (const auto* r = std::get_if<VoteResponse>(&m.body)) return on_vote_response(m, *r);
  if (std::holds_alternative<AppendRequest>(m.body) ||
      std::holds_alternative<SnapshotRequest>(m.body)) {
    // Fig. 2, candidates: "If AppendEntries RPC received from new leader: convert to follower".
    QUORUM_ASSERT(m.term == current_term_);
    become_follower(current_term_, m.from);
    return step_follower(m);
  }
}

void Node::Impl::step_leader(const Message& m) {
  QUORUM_ASSERT(role_ == Role::kLeader);
  if (const auto* r = std::get_if<VoteRequest>(&m.body)) return on_vote_request(m, *r);
  if (const auto* r = std::get_if<AppendResponse>(&m.body)) return on_append_response(m, *r);
  if (std::holds_alternative<AppendRequest>(m.body) ||
      std::holds_alternative<SnapshotRequest>(m.body)) {
    // Two leaders in one term: impossible unless a planted bug broke election safety, in which
    // case the simulator's checker, not this node, must report it.
    QUORUM_ASSERT(config_.mutation != Mutation::kNone, "second leader {} in term {}", m.from,
                  current_term_);
  }
}

void Node::Impl::become_follower(Term term, NodeId leader) {
  QUORUM_ASSERT(term >= current_term_);
  const Role before = role_;
  if (term > current_term_) {
    current_term_ = term;
    voted_for_ = kNoNode;
    leader_round_seen_ = 0;
    answer_sends_.clear();  // a leader restarted in a new term numbers its rounds afresh
  }
  if (before == Role::kLeader) {
    // A leader that stops leading heard no one; it may now vote for a successor.
    leader_contact_elapsed_ticks_ = stickiness_window_ticks();
    tracker_.clear_progress();
    pending_reads_.clear();
    round_starts_.clear();
    transfer_target_ = kNoNode;
    lease_valid_until_ticks_ = 0;
    if (lease_reported_valid_) trace(TraceKind::kLeaseExpired);
    lease_reported_valid_ = false;
    appends_pending_ = false;
    commit_notify_pending_ = false;
  }
  role_ = Role::kFollower;
  // Rounds seen are forgotten only for a new term or a new leader, never by losing the leader.
  if (leader != kNoNode && leader_id_ != leader) leader_round_seen_ = 0;
  leader_id_ = leader;
  campaign_is_transfer_ = false;
  reset_election_timer();
  if (before != Role::kFollower) trace(TraceKind::kRoleChanged, leader);
  QUORUM_ASSERT(!tracker_.has_progress());
  QUORUM_ASSERT(transfer_target_ == kNoNode);
}

void Node::Impl::become_pre_candidate() {
  QUORUM_ASSERT(role_ != Role::kLeader, "pre-candidate from leader");
  QUORUM_ASSERT(can_campaign());
  role_ = Role::kPreCandidate;
  // Forget the leader: this node stopped hearing from it (etcd#8334).
  leader_id_ = kNoNode;
  tracker_.reset_votes();
  tracker_.record_vote(config_.id, true);
  reset_election_timer();
  trace(TraceKind::kRoleChanged);
  trace(TraceKind::kPreVoteStarted);
}

void Node::Impl::become_candidate(bool leadership_transfer) {
  QUORUM_ASSERT(role_ != Role::kLeader, "candidate from leader");
  QUORUM_ASSERT(can_campaign());
  // Fig. 2, candidates: increment currentTerm, vote for self, reset election timer.
  ++current_term_;
  voted_for_ = config_.id;
  role_ = Role::kCandidate;
  leader_id_ = kNoNode;
  campaign_is_transfer_ = leadership_transfer;
  if (!leadership_transfer) campaign_transfer_round_ = 0;
  tracker_.reset_votes();
  tracker_.record_vote(config_.id, true);
  reset_election_timer();
  trace(TraceKind::kRoleChanged);
  trace(TraceKind::kElectionStarted);
  QUORUM_ASSERT(voted_for_ == config_.id);
}

void Node::Impl::become_leader() {
  QUORUM_ASSERT(role_ == Role::kCandidate, "leader from {}", role_name(role_));
  QUORUM_ASSERT(voted_for_ == config_.id);
  role_ = Role::kLeader;
  leader_id_ = config_.id;
  heartbeat_elapsed_ticks_ = 0;
  check_elapsed_ticks_ = 0;
  quorum_round_ = 0;
  lease_valid_until_ticks_ = 0;  // no lease until a majority acknowledges a round of this term
  lease_reported_valid_ = false;
  lease_floor_round_ = 0;
  timeout_now_target_ = kNoNode;
  timeout_now_round_ = 0;
  transfer_target_ = kNoNode;
  uncommitted_bytes_ = 0;
  leader_since_ticks_ = now_ticks_;
  round_starts_.clear();
  pending_reads_.clear();
  tracker_.reset_progress(log_.last_index() + 1, now_ticks_);
  backend_fit_peers_.clear();  // fitness heard in this term only
  trace(TraceKind::kRoleChanged, config_.id);
  if (campaign_is_transfer_) trace(TraceKind::kTransferCompleted);
  // Raft §8: a no-op entry of the new term lets the leader learn what is committed.
  const EntryId noop = append_entry(EntryKind::kNoop, {}, {});
  term_start_index_ = noop.index;
  start_round();
  broadcast_append();
  QUORUM_ASSERT(leader_id_ == config_.id);
}

void Node::Impl::send(NodeId to, MessageBody body) {
  send_at(to, current_term_, std::move(body));
}

void Node::Impl::send_at(NodeId to, Term term, MessageBody body) {
  QUORUM_ASSERT(to != config_.id);
  QUORUM_ASSERT(to != kNoNode);
  stamp_session(to, term, body);
  Message m{config_.id, to, term, std::move(body)};
  if (auto* r = std::get_if<AppendResponse>(&m.body)) r->backend_unfit = !backend_healthy_;
  // Answers that promise durable state (a vote, an append acknowledgement) and real vote
  // requests (which rest on the persisted self-vote) leave only after the Ready is persisted.
  const bool after_persist =
      std::holds_alternative<AppendResponse>(m.body) ||
      (std::holds_alternative<VoteResponse>(m.body) && !std::get<VoteResponse>(m.body).pre_vote) ||
      (std::holds_alternative<VoteRequest>(m.body) && !std::get<VoteRequest>(m.body).pre_vote);
  (after_persist ? messages_after_persist_ : messages_).push_back(std::move(m));
}

void Node::Impl::trace(TraceKind kind, NodeId peer, LogIndex index) {
  trace_events_.push_back(TraceEvent{kind, current_term_, peer, index, role_});
}

void Node::Impl::reset_election_timer() {
  election_elapsed_ticks_ = 0;
  const Ticks t = config_.election_timeout_ticks;
  randomized_election_timeout_ticks_ = prng_.uniform(t, 2 * t);
  QUORUM_ASSERT(randomized_election_timeout_ticks_ >= t);
  QUORUM_ASSERT(randomized_election_timeout_ticks_ < 2 * t);
}

bool Node::Impl::can_campaign() const {
  // Learners, removed nodes and priority-0 members never campaign; nor does a node at the
  // largest term (a campaign would go beyond it; types.h kTermMax). A node whose backend is
  // unhealthy campaigns only in degraded mode (node_health.cc: no leader heard for
  // kUnfitTimeoutsBeforeCampaign election timeouts).
  const Member* self = tracker_.membership().find(config_.id);
  return self != nullptr && self->role == MemberRole::kVoter && self->priority > 0 &&
         (backend_healthy_ || unfit_campaign_allowed_) && current_term_ < kTermMax;
}

// ---- Public API: thin forwarding to Impl.

Node::Node(const RaftConfig& config, const PersistedState& state, Prng prng)
    : impl_(std::make_unique<Impl>(config, state, prng)) {}
Node::~Node() = default;
void Node::tick() {
  impl_->tick();
}
void Node::step(const Message& message) {
  impl_->step(message);
}
ProposeResult Node::propose(std::string data) {
  return impl_->propose(std::move(data));
}
ProposeResult Node::propose_membership(const MembershipChange& change) {
  return impl_->propose_membership(change);
}
ReadResult Node::read_index(std::uint64_t request_id) {
  return impl_->read_index(request_id);
}
RequestResult Node::transfer_leadership(NodeId target) {
  return impl_->transfer_leadership(target);
}
RequestResult Node::step_down() {
  return impl_->step_down();
}
void Node::compact(LogIndex index, std::string snapshot_data) {
  impl_->compact(index, std::move(snapshot_data));
}
void Node::set_backend_healthy(bool healthy) {
  impl_->set_backend_healthy(healthy);
}
bool Node::peer_backend_unfit(NodeId peer) const { return impl_->peer_backend_unfit(peer); }

bool Node::backend_healthy() const {
  return impl_->backend_healthy_;
}
void Node::report_applied() {
  impl_->report_applied();
}
void Node::set_applied_report_cap(LogIndex cap) {
  impl_->applied_report_cap_ = cap;
}
LogIndex Node::applied_report_cap() const {
  return impl_->applied_report_cap_;
}
bool Node::has_ready() const {
  return impl_->has_ready();
}
Ready Node::ready() {
  return impl_->ready();
}
void Node::advance(const ReadyAck& ack) {
  impl_->advance(ack);
}
NodeId Node::id() const {
  return impl_->config_.id;
}
Role Node::role() const {
  return impl_->role_;
}
Term Node::term() const {
  return impl_->current_term_;
}
NodeId Node::leader_id() const {
  return impl_->leader_id_;
}
LogIndex Node::commit_index() const {
  return impl_->log_.commit_index();
}
LogIndex Node::last_index() const {
  return impl_->log_.last_index();
}
LogIndex Node::applied_index() const {
  return impl_->log_.applied_index();
}
const Membership& Node::membership() const {
  return impl_->tracker_.membership();
}
bool Node::has_lease() const {
  return impl_->has_lease();
}
Ticks Node::lease_remaining_ticks() const {
  return impl_->lease_remaining_ticks();
}
Ticks Node::lease_duration_ticks() const {
  return impl_->lease_duration_ticks_;
}
bool Node::transfer_in_progress() const {
  return impl_->transfer_target_ != kNoNode;
}
Ticks Node::now_ticks() const {
  return impl_->now_ticks_;
}
const Session& Node::session() const {
  return impl_->session_;
}
bool Node::committed_in_current_term() const {
  return impl_->is_leader() && impl_->committed_in_current_term();
}
Ticks Node::leader_since_ticks() const {
  return impl_->is_leader() ? impl_->leader_since_ticks_ : 0;
}
const PeerSession* Node::peer_session(NodeId peer) const {
  if (!impl_->is_leader()) return nullptr;
  const Progress* pr = impl_->tracker_.progress(peer);
  return pr != nullptr ? &pr->session : nullptr;
}
Ticks Node::leader_contact_elapsed_ticks() const {
  return impl_->leader_contact_elapsed_ticks_;
}
const Node::Impl& Node::internals() const {
  return *impl_;
}

}  // namespace quorum::raft
