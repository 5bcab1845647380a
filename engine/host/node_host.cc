// NodeHost: one raft::Node, its ports and its loop. Host layer: core + wire.
#include "engine/host/node_host.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/base/assert.h"
#include "engine/host/apply_loop.h"
#include "engine/host/guard_holds.h"
#include "engine/host/hooks.h"
#include "engine/host/ownership_host.h"
#include "engine/host/ready_handler.h"
#include "engine/host/snapshot_check.h"
#include "engine/host/ticker.h"

namespace quorum::host {
namespace {

// Readys handled per poll() before returning; the rest wait for the next poll (bounded work).
constexpr std::size_t kReadysPerPollMax = 256;

struct CommandRequest {
  AppCommand command;
  ReplyFn done;
};
struct MembershipRequest {
  raft::MembershipChange change;
  ReplyFn done;
};
struct ReadRequest {
  ReplyFn done;
};
using Request = std::variant<CommandRequest, MembershipRequest, ReadRequest>;

ClientReply reply_with(ClientReply::Code code, std::string reason) {
  ClientReply reply;
  reply.code = code;
  reply.reason = std::move(reason);
  return reply;
}

// Maps a refused proposal to what the client is told. kAccepted is handled by the caller.
ClientReply refused_proposal_reply(const raft::ProposeResult& result) {
  ClientReply reply;
  reply.leader_hint = result.leader_hint;
  reply.reason = result.reason;
  switch (result.code) {
    case raft::ProposeResult::Code::kAccepted:
      QUORUM_UNREACHABLE();
    case raft::ProposeResult::Code::kNotLeader:
      reply.code = ClientReply::Code::kNotLeader;
      break;
    case raft::ProposeResult::Code::kTransferInProgress:
      reply.code = ClientReply::Code::kTransferInProgress;
      break;
    case raft::ProposeResult::Code::kTooLarge:
    case raft::ProposeResult::Code::kBusy:
    case raft::ProposeResult::Code::kInvalid:
    case raft::ProposeResult::Code::kDegraded:  // reason names degraded mode
      reply.code = ClientReply::Code::kRejected;
      if (reply.reason.empty()) reply.reason = "refused by the leader (too large or busy)";
      break;
  }
  return reply;
}

}  // namespace

struct NodeHost::Impl {
  Impl(HostConfig host_config, Ports host_ports, Prng host_prng)
      : config(std::move(host_config)),
        ports(host_ports),
        prng(host_prng),
        apply_loop(hooks),
        ticker(config.tick_interval_ms * 1000),
        ownership(driver_config(config)) {
    apply_loop.set_mutation(config.mutation);  // planted bug (l) reaches the ownership machine
    // The first subscriber: the history record's reason (record_leadership).
    hooks.trace.push_back([this](const raft::TraceEvent& event) {
      if (event.kind == raft::TraceKind::kTransferCompleted) transfer_completed_term = event.term;
    });
  }

  static ownership::DriverConfig driver_config(const HostConfig& c) {
    ownership::DriverConfig d = c.ownership_driver;
    d.session = c.raft.session_params();
    d.mutation = c.raft.mutation;
    return d;
  }

  HostConfig config;
  Ports ports;
  Prng prng;
  HostHooks hooks;
  HostStats stats;
  ApplyLoop apply_loop;
  Ticker ticker;
  OwnershipHost ownership;
  std::unique_ptr<raft::Node> node;
  // Inputs queued since the last poll. Vectors, swapped with the *_batch scratch vectors at each
  // poll (no allocation once their capacity settles: a poll runs for every message delivered).
  std::vector<raft::Message> inbox;
  std::vector<Request> requests;
  std::vector<raft::Message> inbox_batch;
  std::vector<Request> requests_batch;
  Status failure;
  bool started = false;
  bool stopped = false;
  // True while poll() runs: a reply callback or hook that calls poll() again would handle a
  // second Ready before the first was advanced (a contract breach): asserted.
  bool polling = false;
  // Index of the last snapshot (taken here or installed); compaction is due
  // snapshot_interval_entries after it.
  LogIndex snapshot_index = 0;
  std::uint64_t next_read_id = 1;
  // The last handle_readys() stopped at kReadysPerPollMax with Readys left.
  bool readys_left = false;
  // Backend health pushed since the last poll (ports.backend's subscriber), fed to the core
  // at the start of the next poll.
  std::optional<BackendHealth> backend_pushed;

  void subscribe_backend();
  void feed_backend();

  void poll_once();
  // Feeds at most catch_up_ticks_per_poll_max due ticks. Returns true if the core has then
  // caught up with the clock's reading (no tick due at it remains unfed).
  bool feed_ticks();
  void feed_inbox();
  void feed_requests();
  // On the leader: proposes what the ownership driver asks for (ownership_host.h).
  void drive_ownership();
  // Sessions on: after an ownership entry applied, the core reports the applied index to the
  // leader at once (a hand-over's Assign waits for the releasing owner's report).
  void maybe_report_ownership_applied();
  LogIndex ownership_reported_index = 0;
  // Holds of local guards (guard_holds.h) and the cap they put on the applied index the core
  // reports. Called after every batch the core applied (before it can send anything else) and
  // once per poll (holds dropped or expired since). Without holds it changes nothing.
  void update_report_cap();
  GuardHolds guard_holds;
  // On the leader, once per term: proposes its leadership history record (wall_clock_ms set).
  void record_leadership();
  // The term this node last recorded itself as leader in, and the term it became leader in
  // through TimeoutNow (a transfer), from the trace.
  Term history_recorded_term = 0;
  Term transfer_completed_term = 0;
  void propose(CommandRequest& request);
  // The leader's rules judged before a command is proposed (the standby promotion rule,
  // ownership/promote.h): the reply to give instead of proposing, or nullopt to propose.
  std::optional<ClientReply> refused_by_rule(const AppCommand& command) const;
  void propose(MembershipRequest& request);
  void propose(ReadRequest& request);
  void accept(const raft::ProposeResult& result, ReplyFn& done);
  // Handles Readys until the core has none (or kReadysPerPollMax). Returns !stopped.
  bool handle_readys();
  // Returns true if it compacted the log.
  bool maybe_compact();
  void fail_stop(Status status);
  void answer_all_stopped(const std::string& reason);
  ReadyContext ready_context() {
    return ReadyContext{ports.transport, ports.storage, apply_loop, hooks, config.mutation};
  }
};

NodeHost::NodeHost(HostConfig config, Ports ports, Prng prng)
    : impl_(std::make_unique<Impl>(std::move(config), ports, prng)) {
  QUORUM_ASSERT(impl_->config.tick_interval_ms > 0);
  QUORUM_ASSERT(impl_->config.catch_up_ticks_per_poll_max > 0);
  HostStats& stats = impl_->stats;
  impl_->hooks.persist.push_back([&stats](const PersistBatch& batch) {
    ++stats.persists_count;
    stats.syncs_count += batch.sync ? 1 : 0;
  });
  impl_->hooks.apply.push_back([&stats](const raft::Entry&) { ++stats.entries_applied_count; });
}

NodeHost::~NodeHost() {
  if (impl_->started && impl_->ports.backend != nullptr) impl_->ports.backend->subscribe(nullptr);
}

Status NodeHost::start() {
  Impl& h = *impl_;
  QUORUM_ASSERT(!h.started, "NodeHost::start called twice");
  Result<LoadedState> loaded = h.ports.storage.load();
  if (!loaded.has_value()) return loaded.error();
  if (loaded->snapshot.has_value()) {
    const raft::Snapshot& snapshot = *loaded->snapshot;
    QUORUM_ASSERT(loaded->persisted.snapshot.has_value());
    QUORUM_ASSERT(*loaded->persisted.snapshot == snapshot.meta);
    Status restored = h.apply_loop.restore(snapshot);
    if (!restored.is_ok()) return restored;
    h.snapshot_index = snapshot.meta.last_index;
  }
  raft::PersistedState persisted = std::move(loaded->persisted);
  persisted.bootstrap = h.config.bootstrap;
  // A restarted leader may have to send its snapshot to a lagging follower.
  if (loaded->snapshot.has_value()) persisted.snapshot_data = loaded->snapshot->data;
  h.node = std::make_unique<raft::Node>(h.config.raft, persisted, h.prng);
  // Committed entries after the snapshot are handed out by the core's first Readys (replay).
  QUORUM_ASSERT(h.node->applied_index() == h.apply_loop.applied_index(),
                "core applied {} != host applied {}", h.node->applied_index(),
                h.apply_loop.applied_index());
  h.ticker.start(h.ports.clock.now_us());
  if (h.ports.backend != nullptr) h.subscribe_backend();
  h.started = true;
  return Status::ok();
}

void NodeHost::run() {
  QUORUM_ASSERT(impl_->started);
  while (!impl_->stopped) {
    poll();
    if (impl_->stopped) break;
    impl_->ports.executor.wait_until(next_deadline_us());
  }
}

void NodeHost::poll() {
  Impl& h = *impl_;
  QUORUM_ASSERT(h.started, "poll() before start()");
  QUORUM_ASSERT(!h.polling, "poll() re-entered from a callback or hook");
  if (h.stopped) return;
  h.polling = true;
  h.poll_once();
  h.polling = false;
}

void NodeHost::Impl::poll_once() {
  feed_backend();
  const bool caught_up = feed_ticks();
  if (!handle_readys()) return;
  // A lease (and every other timer) is judged against the clock's reading now, never against
  // ticks not yet fed: a host that woke late (a pause, a slow disk) only catches up on time, one
  // bounded batch per poll with its Readys handled, and leaves messages and client requests in
  // their bounded queues until it has caught up. Otherwise a paused leader would, for that
  // poll, answer appends and requests under a lease that ran out long ago in real time.
  // next_deadline_us() is in the past meanwhile, so run() polls again at once.
  if (!caught_up) return;
  feed_inbox();
  feed_requests();
  if (!handle_readys()) return;
  update_report_cap();
  drive_ownership();
  record_leadership();
  if (!handle_readys()) return;
  // The core has no Ready now unless the loop above stopped at its bound; only a compaction can
  // make one (a snapshot to persist), so skip the has_ready() probe otherwise.
  if (maybe_compact() || readys_left) handle_readys();
}

std::uint64_t NodeHost::next_deadline_us() const {
  const Impl& h = *impl_;
  if (h.stopped) return std::numeric_limits<std::uint64_t>::max();
  if (!h.started) return 0;
  if (!h.inbox.empty() || !h.requests.empty() || h.backend_pushed || h.node->has_ready()) return 0;
  return h.ticker.next_tick_us();
}

void NodeHost::stop() {
  Impl& h = *impl_;
  if (h.stopped) return;
  h.stopped = true;
  h.answer_all_stopped("host stopped");
  h.ports.executor.notify();
}

bool NodeHost::stopped() const {
  return impl_->stopped;
}

const Status& NodeHost::failure() const {
  return impl_->failure;
}

void NodeHost::deliver(raft::Message message) {
  Impl& h = *impl_;
  if (h.stopped) return;
  if (h.inbox.size() >= h.config.inbox_messages_max) {
    ++h.stats.messages_dropped_count;  // Raft tolerates loss
    return;
  }
  h.inbox.push_back(std::move(message));
  h.ports.executor.notify();
}

void NodeHost::propose(AppCommand command, ReplyFn done) {
  Impl& h = *impl_;
  QUORUM_ASSERT(done != nullptr);
  if (h.stopped) return done(reply_with(ClientReply::Code::kStopped, "host stopped"));
  if (!app_command_encodable(command)) {
    return done(reply_with(ClientReply::Code::kRejected,
                           fmt::format("the {} family has no codec in this build",
                                       app_command_family_name(command))));
  }
  if (h.requests.size() >= h.config.pending_requests_max) {
    return done(reply_with(ClientReply::Code::kRejected, "too many pending requests"));
  }
  h.requests.emplace_back(CommandRequest{std::move(command), std::move(done)});
  h.ports.executor.notify();
}

void NodeHost::read(ReplyFn done) {
  Impl& h = *impl_;
  QUORUM_ASSERT(done != nullptr);
  if (h.stopped) return done(reply_with(ClientReply::Code::kStopped, "host stopped"));
  if (h.requests.size() >= h.config.pending_requests_max) {
    return done(reply_with(ClientReply::Code::kRejected, "too many pending requests"));
  }
  h.requests.emplace_back(ReadRequest{std::move(done)});
  h.ports.executor.notify();
}

void NodeHost::propose_membership(raft::MembershipChange change, ReplyFn done) {
  Impl& h = *impl_;
  QUORUM_ASSERT(done != nullptr);
  if (h.stopped) return done(reply_with(ClientReply::Code::kStopped, "host stopped"));
  if (h.requests.size() >= h.config.pending_requests_max) {
    return done(reply_with(ClientReply::Code::kRejected, "too many pending requests"));
  }
  h.requests.emplace_back(MembershipRequest{change, std::move(done)});
  h.ports.executor.notify();
}

raft::RequestResult NodeHost::transfer_leadership(NodeId target) {
  QUORUM_ASSERT(impl_->started);
  if (impl_->stopped) return raft::RequestResult::kNotLeader;
  const raft::RequestResult result = impl_->node->transfer_leadership(target);
  impl_->ports.executor.notify();
  return result;
}

raft::RequestResult NodeHost::step_down() {
  QUORUM_ASSERT(impl_->started);
  if (impl_->stopped) return raft::RequestResult::kNotLeader;
  const raft::RequestResult result = impl_->node->step_down();
  impl_->ports.executor.notify();
  return result;
}

const raft::Node& NodeHost::node() const {
  QUORUM_ASSERT(impl_->node != nullptr, "node() before start()");
  return *impl_->node;
}

const AppState& NodeHost::state() const {
  return impl_->apply_loop.state();
}

Ticks NodeHost::clock_now_ticks() const {
  QUORUM_ASSERT(impl_->started, "clock_now_ticks() before start()");
  return impl_->ticker.ticks_at(impl_->ports.clock.now_us());
}

ownership::MayAct NodeHost::may_act(ownership::ClusterId cluster) const {
  const Impl& h = *impl_;
  ownership::MayAct no;
  if (!h.started || h.stopped) {
    no.reason = ownership::MayAct::Reason::kNoValidLease;
    return no;
  }
  return OwnershipHost::may_act(*h.node, h.apply_loop.state().ownership, cluster,
                                clock_now_ticks());
}

NodeHost::HeldMayAct NodeHost::may_act_holding(ownership::ClusterId cluster, const std::string& holder,
                                               Ticks hold_ticks) {
  Impl& h = *impl_;
  QUORUM_ASSERT(valid_holder(holder));
  HeldMayAct out;
  out.answer = may_act(cluster);
  if (!out.answer.ok()) return out;
  // The guard's deadline is at most min(N, a + X) for an answer given at clock time a; the
  // tick count lags the clock by less than one tick, so one tick more keeps the hold's end at
  // or after that deadline.
  const Ticks now = clock_now_ticks();
  const Ticks until = std::min(out.answer.valid_until_ticks, now + hold_ticks) + 1;
  if (h.guard_holds.hold(cluster, holder, until) == GuardHolds::Added::kFull) {
    out.holds_full = true;
    return out;
  }
  out.hold_until_ticks = h.guard_holds.held_until(cluster);
  return out;
}

bool NodeHost::drop_guard_hold(ownership::ClusterId cluster, const std::string& holder) {
  Impl& h = *impl_;
  const bool dropped = h.guard_holds.drop(cluster, holder);
  if (dropped) h.ports.executor.notify();  // the cap may lift: poll soon
  return dropped;
}

std::size_t NodeHost::guard_holds() const {
  return impl_->guard_holds.size();
}

const ownership::DriverStats& NodeHost::ownership_driver_stats() const {
  return impl_->ownership.driver().stats();
}

bool NodeHost::behind_clock(std::uint64_t clock_now_us) const {
  const Impl& h = *impl_;
  QUORUM_ASSERT(h.started);
  return h.ticker.behind(clock_now_us);
}

Ticks NodeHost::ticks_behind(std::uint64_t clock_now_us) const {
  QUORUM_ASSERT(impl_->started);
  return impl_->ticker.due(clock_now_us);
}

LogIndex NodeHost::applied_index() const {
  return impl_->apply_loop.applied_index();
}

const HostStats& NodeHost::stats() const {
  return impl_->stats;
}

void NodeHost::on_role_change(std::function<void(const raft::SoftState&)> fn) {
  impl_->hooks.role_change.push_back(std::move(fn));
}

void NodeHost::on_trace(std::function<void(const raft::TraceEvent&)> fn) {
  impl_->hooks.trace.push_back(std::move(fn));
}

void NodeHost::on_apply(std::function<void(const raft::Entry&)> fn) {
  impl_->hooks.apply.push_back(std::move(fn));
}

void NodeHost::on_persist(std::function<void(const PersistBatch&)> fn) {
  impl_->hooks.persist.push_back(std::move(fn));
}

void NodeHost::on_snapshot_refused(std::function<void(NodeId from, const Status& why)> fn) {
  impl_->hooks.snapshot_refused.push_back(std::move(fn));
}

// --- Impl -------------------------------------------------------------------------------------

// With a backend the core follows every pushed value and is unfit until the first one (health
// unknown). The push may come at once (simulator) or later, posted to the host's executor
// (quorumd); a value pushed during subscribe() is applied here, so it leaves no trace.
void NodeHost::Impl::subscribe_backend() {
  ports.backend->subscribe([this](BackendHealth health) {
    backend_pushed = health;
    ports.executor.notify();
  });
  node->set_backend_healthy(backend_pushed.value_or(BackendHealth::kUnknown) ==
                            BackendHealth::kHealthy);
  backend_pushed.reset();
}

void NodeHost::Impl::feed_backend() {
  if (!backend_pushed) return;
  node->set_backend_healthy(*backend_pushed == BackendHealth::kHealthy);
  backend_pushed.reset();
}

bool NodeHost::Impl::feed_ticks() {
  const std::uint64_t now_us = ports.clock.now_us();
  const Ticks due = ticker.take(now_us, config.catch_up_ticks_per_poll_max);
  QUORUM_ASSERT(due <= config.catch_up_ticks_per_poll_max);
  for (Ticks i = 0; i < due; ++i) node->tick();
  stats.ticks_count += due;
  return !ticker.behind(now_us);
}

void NodeHost::Impl::feed_inbox() {
  // Only what is queued now: messages delivered by a reply callback wait for the next poll.
  if (inbox.empty()) return;
  inbox_batch.swap(inbox);
  const NodeId self = node->id();
  for (const raft::Message& message : inbox_batch) {
    // Misrouted or looped back by a transport: the core asserts on these, so they stop here.
    if (message.to != self || message.from == self || message.from == kNoNode) {
      ++stats.messages_dropped_count;
      continue;
    }
    // Validated before the core may store and acknowledge it (snapshot_check.h).
    if (const auto* request = std::get_if<raft::SnapshotRequest>(&message.body)) {
      Status valid = check_received_snapshot(request->snapshot);
      if (!valid.is_ok()) {
        ++stats.snapshots_refused_count;
        hooks.refused_snapshot(message.from, valid);
        continue;
      }
    }
    node->step(message);
  }
  inbox_batch.clear();  // keeps the capacity
}

void NodeHost::Impl::drive_ownership() {
  if (!config.raft.session_params().enabled() || stopped) return;
  std::vector<ownership::Command> commands =
      ownership.drive(*node, apply_loop.state().ownership);
  LogIndex last_index = 0;
  for (ownership::Command& command : commands) {
    AppCommand app{std::move(command)};
    if (!app_command_encodable(app)) return;  // a build without the ownership codec
    const raft::ProposeResult result = node->propose(encode_app_command(app));
    // Refused (busy, a transfer began): the rest waits for the next plan, which re-derives it.
    if (result.code != raft::ProposeResult::Code::kAccepted) break;
    last_index = result.index;
  }
  if (last_index != 0) ownership.on_proposed(last_index, node->now_ticks());
}

void NodeHost::Impl::maybe_report_ownership_applied() {
  const LogIndex applied = apply_loop.state().ownership.applied_index();
  if (applied <= ownership_reported_index) return;
  ownership_reported_index = applied;
  if (config.raft.session_params().enabled()) node->report_applied();
}

void NodeHost::Impl::update_report_cap() {
  // Without holds no clock is read and nothing changes (the simulator's traces stay the same).
  const Ticks now = guard_holds.empty() ? 0 : ticker.ticks_at(ports.clock.now_us());
  const LogIndex cap =
      guard_holds.report_cap(apply_loop.state().ownership, node->id(), node->applied_index(), now);
  const LogIndex before = node->applied_report_cap();
  if (cap == before) return;
  node->set_applied_report_cap(cap);
  // Lifted (the last hold on a Release of ours went): report now, so that the leader's prompt
  // hop follows (a leader's own driver reads the cap in this poll).
  if (cap > before && config.raft.session_params().enabled()) node->report_applied();
}

void NodeHost::Impl::record_leadership() {
  if (!config.wall_clock_ms || stopped) return;
  const Term term = node->term();
  if (node->role() != raft::Role::kLeader || history_recorded_term == term) return;
  // Only once an entry of the term committed: before that the node may not be the leader the
  // others follow, and the record would be appended behind an uncommitted no-op anyway.
  if (!node->committed_in_current_term()) return;
  const history::Reason reason = transfer_completed_term == term ? history::Reason::kTransfer
                                                                 : history::Reason::kElection;
  const history::Record record{term, node->id(), reason, config.wall_clock_ms()};
  // Refused (busy, a transfer began): tried again at the next poll. A record that commits twice
  // (a retry after a lost reply cannot happen here, but a re-elected term cannot either) is
  // refused as stale by the state machine, so the history holds each term once.
  if (node->propose(encode_app_command(AppCommand{record})).code ==
      raft::ProposeResult::Code::kAccepted) {
    history_recorded_term = term;
  }
}

void NodeHost::Impl::feed_requests() {
  // Requests queued by a reply callback below land in `requests` and wait for the next poll.
  if (requests.empty()) return;
  requests_batch.swap(requests);
  for (Request& request : requests_batch) {
    if (stopped) {
      std::visit([](auto& r) { r.done(reply_with(ClientReply::Code::kStopped, "host stopped")); },
                 request);
      continue;
    }
    std::visit([this](auto& r) { propose(r); }, request);
  }
  requests_batch.clear();  // keeps the capacity
}

void NodeHost::Impl::accept(const raft::ProposeResult& result, ReplyFn& done) {
  if (result.code != raft::ProposeResult::Code::kAccepted) {
    done(refused_proposal_reply(result));
    return;
  }
  QUORUM_ASSERT(result.index > apply_loop.applied_index() || kMutationsCompiled);
  QUORUM_ASSERT(result.term == node->term());
  apply_loop.proposals().add(result.index, result.term, std::move(done));
}

void NodeHost::Impl::propose(CommandRequest& request) {
  if (std::optional<ClientReply> refused = refused_by_rule(request.command)) {
    request.done(*refused);
    return;
  }
  accept(node->propose(encode_app_command(request.command)), request.done);
}

std::optional<ClientReply> NodeHost::Impl::refused_by_rule(const AppCommand& command) const {
  // Followers propose nothing (node->propose answers kNotLeader with the hint).
  if (node->role() != raft::Role::kLeader) return std::nullopt;
  const auto* pool_command = std::get_if<ownership::Command>(&command);
  const auto* promote =
      pool_command == nullptr ? nullptr : std::get_if<ownership::Promote>(pool_command);
  if (promote == nullptr) return std::nullopt;
  const ownership::StateMachine& state = apply_loop.state().ownership;
  const ownership::PromoteVerdict verdict = ownership.judge_promote(*node, state, *promote);
  if (verdict.ok()) return std::nullopt;
  return reply_with(ClientReply::Code::kRefused,
                    ownership::promote_explain(verdict, state, *promote,
                                               ownership.driver().config().promote_lag_entries_max));
}

void NodeHost::Impl::propose(MembershipRequest& request) {
  accept(node->propose_membership(request.change), request.done);
}

void NodeHost::Impl::propose(ReadRequest& request) {
  const std::uint64_t request_id = next_read_id++;
  const raft::ReadResult result = node->read_index(request_id);
  switch (result.code) {
    case raft::ReadResult::Code::kPending:
      apply_loop.reads().add_requested(request_id, std::move(request.done));
      return;
    case raft::ReadResult::Code::kNotLeader: {
      ClientReply reply = reply_with(ClientReply::Code::kNotLeader, "not the leader");
      reply.leader_hint = result.leader_hint;
      request.done(reply);
      return;
    }
    case raft::ReadResult::Code::kNoLeaseYet:
      request.done(reply_with(ClientReply::Code::kRejected,
                              "the leader has not committed an entry of its term yet; retry"));
      return;
  }
  QUORUM_UNREACHABLE();
}

bool NodeHost::Impl::handle_readys() {
  ReadyContext context = ready_context();
  readys_left = false;
  for (std::size_t i = 0; !stopped && node->has_ready(); ++i) {
    if (i == kReadysPerPollMax) {
      readys_left = true;
      break;
    }
    raft::Ready ready = node->ready();
    Status handled = handle_ready_taking_entries(ready, context);  // ready.entries moved out
    if (!handled.is_ok()) {
      fail_stop(std::move(handled));
      return false;
    }
    if (ready.snapshot.has_value() && ready.snapshot_received) {
      snapshot_index = ready.snapshot->meta.last_index;
      ++stats.snapshots_installed_count;
    }
    ++stats.readys_count;
    stats.messages_sent_count += ready.messages.size() + ready.messages_after_persist.size();
    node->advance(raft::ReadyAck{ready.seq});
    update_report_cap();
    maybe_report_ownership_applied();
  }
  return !stopped;
}

bool NodeHost::Impl::maybe_compact() {
  const LogIndex applied = apply_loop.applied_index();
  if (config.snapshot_interval_entries == 0) return false;
  if (applied < snapshot_index + config.snapshot_interval_entries) return false;
  // Compact only what the core agrees was applied (a planted apply-before-commit bug may run the
  // state machines ahead of the core; never snapshot uncommitted state).
  if (node->applied_index() != applied) return false;
  node->compact(applied, apply_loop.snapshot_data());
  snapshot_index = applied;
  ++stats.snapshots_taken_count;
  return true;
}

void NodeHost::Impl::fail_stop(Status status) {
  QUORUM_ASSERT(!status.is_ok());
  QUORUM_ASSERT(failure.is_ok(), "fail-stop twice");
  failure = std::move(status);
  stopped = true;
  answer_all_stopped("storage failed: " + failure.to_string());
}

void NodeHost::Impl::answer_all_stopped(const std::string& reason) {
  std::vector<Request> batch;
  batch.swap(requests);
  for (Request& request : batch) {
    std::visit([&reason](auto& r) { r.done(reply_with(ClientReply::Code::kStopped, reason)); },
               request);
  }
  apply_loop.proposals().fail_all(ClientReply::Code::kStopped, reason);
  apply_loop.reads().fail_all(ClientReply::Code::kStopped, reason);
  inbox.clear();
}

}  // namespace quorum::host
