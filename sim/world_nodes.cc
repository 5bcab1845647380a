// World: node lifecycle (start, crash, restart, fail-stop) and the hooks the checkers observe.
#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "sim/world.h"
#include "sim/world_internal.h"

namespace quorum::sim {

host::HostConfig World::host_config(NodeId node) const {
  host::HostConfig c;
  c.raft.id = node;
  c.raft.election_timeout_ticks = swarm_.election_timeout_ticks;
  c.raft.heartbeat_interval_ticks = swarm_.heartbeat_interval_ticks;
  c.raft.inflight_messages_max = swarm_.inflight_messages_max;
  c.raft.message_bytes_max = swarm_.message_bytes_max;
  c.raft.pre_vote = true;
  c.raft.check_quorum = true;
  c.raft.clock_drift_ppm_max = swarm_.lease_drift_ppm_max;
  c.raft.mutation = config_.mutation;
  c.tick_interval_ms = swarm_.tick_interval_ms;
  c.snapshot_interval_entries = swarm_.snapshot_interval_entries;
  c.mutation = config_.mutation;
  if (config_.pool) {
    // Sessions (docs/ownership.md): the lease and delta; rho is clock_drift_ppm_max above. The
    // host's ownership driver takes its session and mutation from `raft`.
    c.raft.session_lease_ticks = session_.lease_ticks;
    c.raft.session_delay_ticks = session_.delay_ticks;
  }
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    const raft::MemberRole role = n <= voter_count_ ? raft::MemberRole::kVoter : raft::MemberRole::kLearner;
    c.bootstrap.members.push_back(raft::Member{n, role, 1});
  }
  return c;
}

void World::start_node(NodeId node) {
  NodeSlot& s = *nodes_[node];
  QUORUM_ASSERT(!s.up && s.host == nullptr && s.fiber == nullptr, "node {} already running", node);
  Result<host::LoadedState> loaded = s.storage->load();
  if (!loaded.has_value()) {
    // A corrupted disk is detected, never repaired: the node stays down.
    trace_.event(now_us(), node, TraceKind::kFailStop, 1);
    trace_.line(now_us(), node, TraceKind::kFailStop,
                fmt::format("cannot restart: {}", loaded.error().to_string()));
    return;
  }
  for (WorldObserver* o : observers_) o->on_start(now_us(), node, *loaded);
  max_term_ = std::max(max_term_, loaded->persisted.hard_state.current_term);

  s.executor = std::make_unique<SimExecutor>(node, *this, *s.clock);
  s.storage->attach(s.executor.get());
  s.transport = std::make_unique<SimTransport>(node, *this);
  host::Ports ports{*s.transport, *s.clock, *s.storage, *s.executor, &s.backend};
  s.host = std::make_unique<host::NodeHost>(host_config(node), ports,
                                            tree_.node_stream("raft", node).fork(s.incarnation));
  install_hooks(node);
  // start() only loads and restores (it never waits), so it runs here and the host is
  // observable at once; the fiber runs the task body, NodeHost::run().
  const Status started = s.host->start();
  if (!started.is_ok()) {
    trace_.event(now_us(), node, TraceKind::kFailStop, 2);
    trace_.line(now_us(), node, TraceKind::kFailStop,
                fmt::format("start failed: {}", started.to_string()));
    s.host.reset();
    s.transport.reset();
    s.storage->attach(nullptr);
    s.executor.reset();
    return;
  }
  s.fiber = std::make_unique<Fiber>([this, node] { nodes_[node]->host->run(); });
  s.executor->set_fiber(s.fiber.get());
  s.up = true;
  s.paused = false;
  s.soft = raft::SoftState{};
  if (timeline_ != nullptr && s.incarnation > 0) {
    timeline_->restart(node, now_us(), loaded->persisted.hard_state.current_term,
                       fmt::format("restart (incarnation {})", s.incarnation));
  }
  trace_.event(now_us(), node, TraceKind::kRestart, s.incarnation);
  trace_.line(now_us(), node, TraceKind::kRestart,
              fmt::format("start (incarnation {}, log {}..{}, term {})", s.incarnation,
                          logs().snapshot_index(node), logs().last_index(node),
                          loaded->persisted.hard_state.current_term));
  queue_.push(now_us(), kStart, static_cast<std::uint32_t>(node), s.incarnation);
}

void World::install_hooks(NodeId node) {
  host::NodeHost& h = *nodes_[node]->host;
  h.on_persist([this, node](const host::PersistBatch& batch) {
    for (WorldObserver* o : observers_) o->on_persist(now_us(), node, batch);
    if (batch.hard_state) max_term_ = std::max(max_term_, batch.hard_state->current_term);
    trace_.event(now_us(), node, TraceKind::kPersist, batch.entries.size(),
                 batch.entries.empty() ? 0 : batch.entries.back().index, batch.sync ? 1 : 0);
  });
  h.on_apply([this, node](const raft::Entry& e) {
    for (WorldObserver* o : observers_) o->on_apply(now_us(), node, e);
    trace_.event(now_us(), node, TraceKind::kApply, e.index, e.term);
    if (timeline_ != nullptr && nodes_[node]->soft.role == raft::Role::kLeader) {
      timeline_->commit(node, now_us(), e.index);
    }
  });
  h.on_role_change([this, node](const raft::SoftState& ss) {
    NodeSlot& s = *nodes_[node];
    s.soft = ss;
    galera_fitness_.on_leader(node, ss.role == raft::Role::kLeader, now_us());
    for (WorldObserver* o : observers_) o->on_role(now_us(), node, ss);
    if (ss.role == raft::Role::kLeader) probes_.hit(Probe::kLeaderElected);
    if (timeline_ != nullptr) {
      timeline_->role(node, now_us(), static_cast<TimelineRole>(ss.role), ss.term,
                      fmt::format("leader seen: n{}", ss.leader_id));
    }
    trace_.event(now_us(), node, TraceKind::kRole, static_cast<std::uint64_t>(ss.role), ss.term,
                 ss.leader_id);
    if (trace_.recording()) {
      trace_.line(now_us(), node, TraceKind::kRole,
                  fmt::format("{} term={} leader={}", raft::role_name(ss.role), ss.term,
                              ss.leader_id));
    }
  });
  h.on_trace([this, node](const raft::TraceEvent& ev) {
    switch (ev.kind) {
      case raft::TraceKind::kCheckQuorumStepDown: probes_.hit(Probe::kCheckQuorumStepDown); break;
      case raft::TraceKind::kPreVoteRefused: probes_.hit(Probe::kPreVoteRefused); break;
      case raft::TraceKind::kSnapshotInstalled: probes_.hit(Probe::kSnapshotInstalled); break;
      case raft::TraceKind::kTransferCompleted: probes_.hit(Probe::kTransferCompleted); break;
      case raft::TraceKind::kConflictTruncated: probes_.hit(Probe::kConflictTruncated); break;
      case raft::TraceKind::kLeaseExpired: probes_.hit(Probe::kLeaseExpired); break;
      default: break;
    }
    if (timeline_ != nullptr && (ev.kind == raft::TraceKind::kCheckQuorumStepDown ||
                                 ev.kind == raft::TraceKind::kForcedStepDown)) {
      timeline_->mark(node, now_us(), MarkerKind::kStepDown, std::string(raft::trace_kind_name(ev.kind)));
    } else if (timeline_ != nullptr && (ev.kind == raft::TraceKind::kTransferStarted ||
                                        ev.kind == raft::TraceKind::kTransferCompleted)) {
      timeline_->mark(node, now_us(), MarkerKind::kTransfer, std::string(raft::trace_kind_name(ev.kind)));
    }
    // The peer takes the low 4 bits (a node id <= Network::kNodesMax < 16).
    static_assert(Network::kNodesMax < 16);
    trace_.event(now_us(), node, TraceKind::kRaft, static_cast<std::uint64_t>(ev.kind), ev.term,
                 ev.index * 16 + ev.peer);
    if (trace_.recording()) {
      trace_.line(now_us(), node, TraceKind::kRaft,
                  fmt::format("{} term={} peer={} index={}", raft::trace_kind_name(ev.kind),
                              ev.term, ev.peer, ev.index));
    }
  });
}

void World::on_wake(NodeId node, std::uint64_t token, std::uint64_t incarnation) {
  NodeSlot& s = *nodes_[node];
  if (!s.up || s.incarnation != incarnation || s.fiber == nullptr) return;
  if (token != s.executor->token()) return;  // stale: the task already woke for another reason
  if (s.paused) {
    queue_.push(s.pause_end_us, kWake, static_cast<std::uint32_t>(node), token, incarnation);
    return;
  }
  s.fiber->resume();
  if (s.fiber->finished()) {
    on_fail_stop(node);
    return;
  }
  // The core's invariants first (RaftFeed), the lease beliefs last (LeaseFeed).
  for (WorldObserver* o : observers_) o->on_step(now_us(), node);
}

void World::on_fail_stop(NodeId node) {
  NodeSlot& s = *nodes_[node];
  const Status& failure = s.host->failure();
  trace_.event(now_us(), node, TraceKind::kFailStop);
  trace_.line(now_us(), node, TraceKind::kFailStop,
              fmt::format("host stopped: {}", failure.to_string()));
  // The process is gone: like a crash, but the task already returned.
  crash_node(node, 0, "fail-stop");
}

void World::crash_node(NodeId node, std::uint64_t down_us, std::string_view why) {
  NodeSlot& s = *nodes_[node];
  if (!s.up) return;
  s.fiber.reset();  // unwinds the host task's stack (forced_unwind) if it is suspended
  s.host.reset();
  s.transport.reset();
  s.executor.reset();
  s.storage->attach(nullptr);
  const std::size_t lost = s.storage->crash(crash_prng_);
  if (lost > 0) probes_.hit(Probe::kCrashLostUnsyncedWrites);
  s.up = false;
  s.paused = false;
  galera_fitness_.on_down(node);
  for (WorldObserver* o : observers_) o->on_down(now_us(), node);
  ++s.incarnation;
  s.soft = raft::SoftState{};
  if (timeline_ != nullptr) {
    timeline_->crash(node, now_us(), fmt::format("{}: lost {} unsynced writes", why, lost));
  }
  trace_.event(now_us(), node, TraceKind::kCrash, lost, down_us);
  trace_.line(now_us(), node, TraceKind::kCrash,
              fmt::format("{}: lost {} unsynced writes, restart in {} ms", why, lost,
                          down_us / 1000));
  if (down_us > 0 && !healed_) {
    queue_.push(now_us() + down_us, kRestart, static_cast<std::uint32_t>(node), s.incarnation);
  }
}

}  // namespace quorum::sim
