#include "sim/world.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"
#include "sim/checkers/linearizability.h"
#include "sim/world_internal.h"

namespace quorum::sim {

std::string_view run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kPass: return "pass";
    case RunStatus::kSafety: return "safety-violation";
    case RunStatus::kLiveness: return "liveness-violation";
  }
  QUORUM_UNREACHABLE();
}

namespace {
SwarmOptions swarm_options(const RunConfig& c) {
  return SwarmOptions{c.node_count, c.profile, c.faults, c.figure8, c.galera};
}

// Split-brain step-down bound (engine/check/split_brain.h): 2 election timeouts T plus 0.5 s of
// slack, T as the run uses it (the drawn swarm knobs, or the config's overrides).
std::uint64_t split_brain_overlap_us_max(const RunConfig& c, const SwarmConfig& swarm) {
  const std::uint64_t ticks =
      c.election_timeout_ticks != 0 ? c.election_timeout_ticks : swarm.election_timeout_ticks;
  const std::uint64_t tick_ms = c.tick_interval_ms != 0 ? c.tick_interval_ms : swarm.tick_interval_ms;
  return 2 * ticks * tick_ms * 1000 + 500'000;
}
}  // namespace

World::World(RunConfig config)
    : config_(std::move(config)),
      voter_count_(config_.voter_count == 0 ? config_.node_count : config_.voter_count),
      tree_(config_.seed),
      swarm_(draw_swarm(tree_.stream("swarm"), swarm_options(config_))),
      network_(config_.node_count, config_.profile, tree_.stream("topology")),
      trace_(config_.record_trace),
      galera_fitness_(findings_, split_brain_overlap_us_max(config_, swarm_)),
      net_prng_(tree_.stream("network")),
      crash_prng_(tree_.stream("crash")),
      fault_prng_(tree_.stream("nemesis/exec")) {
  QUORUM_ASSERT(voter_count_ >= 1 && voter_count_ <= config_.node_count,
                "voter_count {} of {} nodes", config_.voter_count, config_.node_count);
  galera_fitness_.resize(config_.node_count);
  if (config_.galera) galera_ = std::make_unique<GaleraModel>(config_.node_count);
  if (config_.tick_interval_ms != 0) swarm_.tick_interval_ms = config_.tick_interval_ms;
  if (config_.election_timeout_ticks != 0) swarm_.election_timeout_ticks = config_.election_timeout_ticks;
  if (config_.heartbeat_interval_ticks != 0) {
    swarm_.heartbeat_interval_ticks = config_.heartbeat_interval_ticks;
  }
  if (config_.message_bytes_max != 0) swarm_.message_bytes_max = config_.message_bytes_max;
  if (config_.inflight_messages_max != 0) swarm_.inflight_messages_max = config_.inflight_messages_max;
  if (config_.lease_drift_ppm_max) {
    swarm_.lease_drift_ppm_max = *config_.lease_drift_ppm_max;
    swarm_.clock_drift_ppm_max = *config_.lease_drift_ppm_max / 2;
  }
  QUORUM_ASSERT(swarm_.heartbeat_interval_ticks < swarm_.election_timeout_ticks);
  // Liveness bound: 10 election timeouts (as the run uses them), plus the longest round trip.
  liveness_bound_us_ = 10 * swarm_.election_timeout_ticks * swarm_.tick_interval_ms * 1000 +
                       2 * network_.latency_us_max();
  // Pool runs: sessions and the ownership settle bound (sim/checkers/ownership.h).
  std::uint64_t settle_us_max = 0;
  if (config_.pool) {
    const std::uint64_t tick_us = swarm_.tick_interval_ms * 1000;
    const std::uint64_t election_us = swarm_.election_timeout_ticks * tick_us;
    session_.lease_ticks = 3 * swarm_.election_timeout_ticks;
    // delta: the longest one-way delay the network can give a message, rounded up, plus a tick.
    const std::uint64_t delay_us = network_.latency_us_max() + swarm_.link.reorder_delay_us_max;
    session_.delay_ticks = (delay_us + tick_us - 1) / tick_us + 1;
    session_.drift_ppm = swarm_.lease_drift_ppm_max;  // the core's rho (host_config)
    session_.mutation = config_.mutation;
    // Every cluster owned by a live controller that may act: after the heal, a leader (the Raft
    // liveness bound), its grace L(1+rho) + delta, an owner's lapse and re-grant (2E), joiners'
    // stable time, plus 1 s.
    const std::uint64_t wait_us = raft::assigner_wait_ticks(session_) * tick_us;
    settle_us_max = liveness_bound_us_ + wait_us + 2 * election_us +
                    ownership::DriverConfig{}.stable_ticks * tick_us + 1'000'000;
  }
  // Quiet period: 15 s or 30% of the run, whichever is longer, and always at least 1 s longer
  // than the liveness bound (a drawn election timeout of 1.5 s makes the bound exceed 15 s: short
  // runs would otherwise be impossible to judge). An explicit quiet_us is taken as given.
  std::uint64_t quiet = config_.quiet_us;
  if (quiet == 0) {
    quiet = std::max<std::uint64_t>(15'000'000, config_.duration_us * 3 / 10);
    quiet = std::max<std::uint64_t>(quiet, liveness_bound_us_ + 1'000'000);
    quiet = std::max<std::uint64_t>(quiet, settle_us_max + 1'000'000);
  }
  QUORUM_ASSERT(quiet < config_.duration_us,
                "quiet period {} us >= duration {} us (liveness bound {} us): run longer",
                quiet, config_.duration_us, liveness_bound_us_);
  heal_us_ = config_.duration_us - quiet;
  QUORUM_ASSERT(liveness_bound_us_ < quiet, "liveness bound {} us exceeds the quiet period {} us",
                liveness_bound_us_, quiet);
  network_.set_faults(swarm_.link);
  if (config_.schedule) {
    schedule_ = *config_.schedule;
  } else if (config_.faults) {
    schedule_ = draw_schedule(tree_.stream("nemesis"), swarm_, config_.node_count, 1'000'000,
                              heal_us_);
  }
  if (config_.keep_faults) schedule_ = keep_actions(schedule_, *config_.keep_faults);
  // The observer list (sim/observer/observer.h): the Raft checkers first, the lease checker last.
  raft_ = std::make_unique<RaftFeed>(*this, findings_, config_.node_count,
                                     split_brain_overlap_us_max(config_, swarm_), liveness_bound_us_);
  add_observer(*raft_);
  WorkloadOptions workload;
  workload.ops_per_second = config_.ops_per_second;
  workload.timeout_us = config_.profile == Profile::kWan ? 5'000'000 : 3'000'000;
  clients_ = std::make_unique<ClientWorkload>(*this, tree_.stream("workload"), workload,
                                              raft_->durability());
  if (config_.workload) add_observer(*clients_);
  if (config_.pool) {
    PoolOptions pool = config_.pool_options
                           ? *config_.pool_options
                           : draw_pool(tree_.stream("pool/options"), config_.node_count,
                                       config_.profile == Profile::kWan);
    pool_ = std::make_unique<PoolWorkload>(*this, tree_.stream("pool"), pool);
    ownership_ = std::make_unique<OwnershipFeed>(*this, findings_, settle_us_max);
    add_observer(*pool_);
    add_observer(*ownership_);
  }
  // Stickiness: RaftConfig's election timeout (host_config).
  leases_ = std::make_unique<LeaseFeed>(*this, findings_, swarm_.election_timeout_ticks,
                                        config_.judge_disruptions);
  add_observer(*leases_);
  if (config_.record_trace) {
    std::vector<TimelineNode> lanes;
    for (NodeId n = 1; n <= config_.node_count; ++n) {
      lanes.push_back(TimelineNode{n, fmt::format("n{} (site {})", n, network_.site_of(n))});
    }
    timeline_ = std::make_unique<TimelineBuilder>(fmt::format("quorum-sim seed {}", config_.seed),
                                                  std::move(lanes));
  }
  nodes_.resize(config_.node_count + 1);
  member_goal_.assign(config_.node_count + 1, MemberGoal::kVoter);
  for (NodeId n = voter_count_ + 1; n <= config_.node_count; ++n) member_goal_[n] = MemberGoal::kLearner;
  member_epoch_.assign(config_.node_count + 1, 0);
  // Clock rates. The core's rho (RaftConfig::clock_drift_ppm_max, here lease_drift_ppm_max)
  // bounds the RATIO of any two clocks' rates: fast / slow <= 1 + rho; the leader lease divides
  // by it (node.cc). A clock runs at 1 + d / 10^6 with d in [-slow_max, +fast_max]: fast_max is
  // clock_drift_ppm_max and slow_max the largest value with (1 + fast_max) / (1 - slow_max) <=
  // 1 + rho. Symmetric drifts of +-rho/2 (what this did before) have the ratio (1 + rho/2) /
  // (1 - rho/2) = 1 + rho + rho^2/2 + ...: above the bound, by 2.2 % at rho = 20 %, which made a
  // leader's lease outlast the stickiness it rests on by about a tick (pool seed 840 of the CI
  // swarm, found by the new-leader-grace work). Pool runs: a third of the seeds run every clock
  // at the edge, fast (+rho/2) or slow (-slow_max), so a fast and a slow clock differ by exactly
  // the bound; the sessions' rules (each clock within [1 - rho, 1 + rho]) hold a fortiori.
  const std::int64_t ppm = 1'000'000;
  const auto rho_ppm = static_cast<std::int64_t>(swarm_.lease_drift_ppm_max);
  const auto slow_max_for = [&](std::int64_t fast_max_ppm) {
    return std::clamp<std::int64_t>((rho_ppm - fast_max_ppm) * ppm / (ppm + rho_ppm), 0,
                                    fast_max_ppm);
  };
  const auto fast_max = static_cast<std::int64_t>(swarm_.clock_drift_ppm_max);
  const std::int64_t slow_max = slow_max_for(fast_max);
  const std::int64_t edge_fast = rho_ppm / 2;
  const std::int64_t edge_slow = slow_max_for(edge_fast);
  const bool at_bound = tree_.stream("clock-edge").chance(1, 3);
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    auto slot = std::make_unique<NodeSlot>();
    slot->id = n;
    Prng clock_prng = tree_.node_stream("clock", n);
    std::int64_t drift =
        fast_max == 0 ? 0
                      : static_cast<std::int64_t>(clock_prng.uniform(0, 2 * fast_max + 1)) - fast_max;
    // The same draw as before, its slow side scaled into [-slow_max, 0] (unchanged when rho
    // leaves room for symmetric drifts, as with the production default and small drifts).
    if (drift < 0 && slow_max < fast_max) drift = drift * slow_max / fast_max;
    const std::uint64_t clock_offset = clock_prng.uniform(0, 1'000'000'000);
    if (config_.pool && at_bound) {
      // Drift at exactly the configured bound, fast or slow (the sessions' worst case).
      drift = tree_.node_stream("clock-edge", n).chance(1, 2) ? edge_fast : -edge_slow;
    }
    if (!config_.clock_drift_ppm.empty()) drift = config_.clock_drift_ppm.at(n - 1);  // scenario
    slot->clock = std::make_unique<SimClock>(*this, drift, clock_offset);
    slot->storage = std::make_unique<SimStorage>(n, tree_.node_stream("disk", n));
    slot->storage->set_profile(swarm_.disk);
    nodes_[n] = std::move(slot);
  }
}

World::~World() {
  // Unwind every fiber before the hosts and ports they use go away.
  for (auto& slot : nodes_) {
    if (slot == nullptr) continue;
    slot->fiber.reset();
    slot->host.reset();
  }
}

void World::schedule_wake(NodeId node, std::uint64_t at_us, std::uint64_t token) {
  // Immediate wake-ups (a message or request arrived) skip the heap: they run, in FIFO order,
  // right after the current event, before time advances. Same order every run.
  if (at_us == now_us()) {
    ready_.push_back(ReadyWake{node, token, nodes_[node]->incarnation});
    return;
  }
  queue_.push(at_us, kWake, static_cast<std::uint32_t>(node), token, nodes_[node]->incarnation);
}

void World::run_ready() {
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    const ReadyWake w = ready_[i];
    ++immediate_wakes_;
    on_wake(w.node, w.token, w.incarnation);
    if (findings_.any_safety()) break;
  }
  ready_.clear();
}

void World::begin() {
  trace_.event(0, kNoNode, TraceKind::kNote, config_.seed, config_.node_count);
  if (trace_.recording()) {
    trace_.line(0, kNoNode, TraceKind::kNote,
                fmt::format("seed={} nodes={} profile={} codec={} swarm: {}", config_.seed,
                            config_.node_count, profile_name(config_.profile), config_.codec,
                            swarm_.describe()));
    for (std::size_t i = 0; i < schedule_.size(); ++i) {
      trace_.line(0, kNoNode, TraceKind::kNote,
                  fmt::format("fault #{}: {}", i, describe_action(schedule_[i])));
    }
  }
  for (NodeId n = 1; n <= config_.node_count; ++n) start_node(n);
  for (std::size_t i = 0; i < schedule_.size(); ++i) {
    queue_.push(schedule_[i].at_us, kFault, 0, i);
  }
  queue_.push(heal_us_, kHeal, 0);
  queue_.push(config_.duration_us, kEnd, 0);
  for (WorldObserver* o : observers_) o->on_begin(now_us());
}

void World::add_observer(WorldObserver& observer) {
  QUORUM_ASSERT(observers_.size() < (1U << 16), "too many observers");
  observer.set_observer_id(static_cast<std::uint32_t>(observers_.size()));
  observers_.push_back(&observer);
}

void World::schedule(std::uint64_t at_us, const WorldObserver& observer, std::uint32_t tag,
                     NodeId node, std::uint64_t arg0, std::uint64_t arg1) {
  QUORUM_ASSERT(tag < 256 && observers_.at(observer.observer_id()) == &observer);
  queue_.push(at_us, kObserverBase + (observer.observer_id() << 8 | tag),
              static_cast<std::uint32_t>(node), arg0, arg1);
}

host::NodeHost* World::live_host(NodeId node) {
  NodeSlot& s = *nodes_[node];
  return s.up ? s.host.get() : nullptr;
}

const History& World::history() const { return clients_->history(); }

std::uint64_t World::acked_writes() const { return clients_->acked_writes(); }

void World::run_until(std::uint64_t time_us) {
  while (!queue_.empty() && !ended_ && queue_.next_time_us() <= time_us) {
    dispatch(queue_.pop());
    if (!ready_.empty()) run_ready();
    if (galera_ != nullptr) update_galera();
    if (findings_.any_safety()) break;
  }
}

RunResult World::run() {
  begin();
  run_until(config_.duration_us);
  return finish();
}

void World::dispatch(const Event& e) {
  switch (static_cast<EventKind>(e.kind)) {
    case kWake: on_wake(e.node, e.arg0, e.arg1); return;
    case kStart: on_wake(e.node, nodes_[e.node]->executor->token(), e.arg0); return;
    case kDeliver: deliver(e.arg0); return;
    case kFault: fire_fault(e.arg0); return;
    case kFaultEnd: end_fault(e.arg0, e.arg1); return;
    case kFlap: flap(e.arg0, e.arg1); return;
    case kRestart:
      if (!nodes_[e.node]->up && nodes_[e.node]->incarnation == e.arg0) start_node(e.node);
      return;
    case kUnpause: {
      NodeSlot& s = *nodes_[e.node];
      if (s.paused && s.pause_epoch == e.arg0) {
        s.paused = false;
        for (WorldObserver* o : observers_) o->on_resume(now_us(), e.node);
        galera_fitness_.on_resume(e.node, now_us());
        trace_.event(now_us(), e.node, TraceKind::kResume);
        trace_.line(now_us(), e.node, TraceKind::kResume, "process resumes");
      }
      return;
    }
    case kHeal: heal_all(); return;
    case kEnd: ended_ = true; return;
    case kMembershipDrive: drive_membership(); return;
    case kObserverBase: break;
  }
  QUORUM_ASSERT(e.kind >= kObserverBase, "unknown event kind {}", e.kind);
  const std::uint32_t code = e.kind - kObserverBase;
  observers_.at(code >> 8)->on_timer(now_us(), code & 0xFF, e.node, e.arg0, e.arg1);
}

void World::send(NodeId from, const raft::Message& sent) {
  ++messages_sent_;
  const NodeId to = sent.to;
  // Scripted message rules (sim/network/message_rules.h): one branch when none is installed.
  const raft::Message* out = &sent;
  std::optional<raft::Message> stripped;
  std::uint64_t rule_delay_us = 0;
  if (!network_.rules().empty()) {
    stripped.emplace();
    const RuleVerdict v = network_.rules().apply(from, sent, *stripped);
    if (v.rule_id != 0) {
      trace_.event(now_us(), from, TraceKind::kDrop, to, v.rule_id,
                   static_cast<std::uint64_t>(v.action) + 1);
      if (trace_.recording()) {
        trace_.line(now_us(), from, TraceKind::kDrop,
                    MessageRules::describe_verdict(v, from, sent));
      }
      if (v.action == RuleAction::kDrop) return;
      if (v.action == RuleAction::kStrip) out = &*stripped;
      rule_delay_us = v.delay_us;
    }
  }
  const raft::Message& message = *out;
  std::uint64_t delays[Network::kCopiesMax];
  const std::size_t copies = network_.plan_send(from, to, net_prng_, delays);
  for (std::size_t c = 0; c < copies; ++c) delays[c] += rule_delay_us;
  trace_.event(now_us(), from, TraceKind::kSend, to, message.body.index(), copies);
  if (copies == 0) {
    if (trace_.recording()) {
      trace_.line(now_us(), from, TraceKind::kDrop,
                  fmt::format("{} -> n{} t{} lost", raft::message_kind_name(message), to,
                              message.term));
    }
    return;
  }
  if (copies > 1) probes_.hit(Probe::kMessageDuplicated);
  std::string bytes;
  if (config_.codec) bytes = wire::encode_message(message);
  for (std::size_t c = 0; c < copies; ++c) {
    std::uint32_t slot;
    if (free_packets_.empty()) {
      slot = static_cast<std::uint32_t>(packets_.size());
      packets_.emplace_back();
    } else {
      slot = free_packets_.back();
      free_packets_.pop_back();
    }
    Packet& p = packets_[slot];
    p.from = from;
    p.to = to;
    if (config_.codec) {
      p.bytes = (c + 1 == copies) ? std::move(bytes) : bytes;
    } else {
      p.message = message;
    }
    queue_.push(now_us() + delays[c], kDeliver, static_cast<std::uint32_t>(to), slot);
  }
}

void World::deliver(std::uint64_t packet_slot) {
  Packet& p = packets_[packet_slot];
  const NodeId from = p.from;
  const NodeId to = p.to;
  free_packets_.push_back(static_cast<std::uint32_t>(packet_slot));
  NodeSlot& dst = *nodes_[to];
  if (!network_.can_deliver(from, to) || !dst.up) {
    trace_.event(now_us(), to, TraceKind::kDrop, from);
    return;
  }
  raft::Message message;
  if (config_.codec) {
    Result<raft::Message> decoded = wire::decode_message(p.bytes);
    QUORUM_ASSERT(decoded.has_value(), "codec round trip failed: {}", decoded.error().to_string());
    message = std::move(decoded).value();
  } else {
    message = std::move(p.message);
  }
  trace_.event(now_us(), to, TraceKind::kDeliver, from, message.body.index(), message.term);
  if (trace_.recording()) {
    trace_.line(now_us(), to, TraceKind::kDeliver,
                fmt::format("{} from n{} t{}", raft::message_kind_name(message), from,
                            message.term));
  }
  dst.host->deliver(std::move(message));
}

NodeId World::current_leader() const {
  NodeId leader = kNoNode;
  Term term = 0;
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    const NodeSlot& s = *nodes_[n];
    if (!s.up || s.host == nullptr || s.host->node().role() != raft::Role::kLeader) continue;
    if (s.host->node().term() >= term) {
      term = s.host->node().term();
      leader = n;
    }
  }
  return leader;
}

bool World::node_up(NodeId node) const { return nodes_[node]->up; }

std::uint64_t World::node_clock_us(NodeId node) const { return nodes_[node]->clock->now_us(); }

const host::NodeHost* World::host(NodeId node) const { return nodes_[node]->host.get(); }

RunResult World::finish() {
  RunResult r;
  // Final verdicts, in the list's order (the Raft checkers' split-brain bound, liveness and
  // durability first); none after a safety violation.
  for (WorldObserver* o : observers_) {
    if (findings_.any_safety()) break;
    o->on_finish(now_us());
  }
  const History& history = clients_->history();
  if (config_.check_linearizability && !findings_.any_safety() && history.size() > 0) {
    const LinearizabilityResult lin = check_linearizability(history);
    r.linearizability = std::string(verdict_name(lin.verdict));
    if (lin.verdict == Verdict::kViolation) {
      findings_.report({check::ViolationClass::kSafety, "linearizability", lin.explain(), now_us(),
                        kNoNode});
    }
  }
  for (const check::InvariantViolation& v : findings_.all()) {
    if (timeline_ != nullptr) {
      timeline_->mark(v.node, v.time_us, MarkerKind::kViolation,
                      fmt::format("{}: {}", v.invariant, v.detail));
    }
    trace_.event(v.time_us, v.node, TraceKind::kViolation);
    trace_.line(v.time_us, v.node, TraceKind::kViolation,
                fmt::format("{}: {}", v.invariant, v.detail));
  }
  r.status = findings_.any_safety() ? RunStatus::kSafety
             : findings_.any()      ? RunStatus::kLiveness
                                    : RunStatus::kPass;
  r.violations = findings_.all();
  r.trace_hash = trace_.hash();
  r.events = queue_.popped_count() + immediate_wakes_;
  r.trace_events = trace_.events();
  r.sim_us = now_us();
  r.probes = probes_;
  r.schedule_size = schedule_.size();
  r.schedule = schedule_;
  r.swarm = swarm_.describe();
  r.messages_sent = messages_sent_;
  r.client_ops = history.size();
  r.client_ops_ok = clients_->acked_writes();
  r.leader_after_heal_us = raft_->liveness().leader_after_heal_us();
  r.converged_after_heal_us = raft_->liveness().converged_after_heal_us();
  r.history_ops = history.size();
  if (pool_ != nullptr) {
    r.pool = pool_->options().describe();
    r.pool_commands = pool_->stats().commands;
    const OwnershipChecker& own = ownership_->checker();
    r.ownership_settle_us = own.settled() ? own.settle_us() : 0;
    r.ownership_gap_us_max = own.longest_gap_us();
    r.ownership_checks = own.checks();
  }
  return r;
}

std::string World::timeline_html(const std::string& title,
                                 const std::vector<std::string>& summary) {
  if (timeline_ == nullptr) return {};
  for (const std::string& line : summary) timeline_->add_summary(line);
  TimelineInput input = timeline_->finish(std::max<std::uint64_t>(now_us(), 1));
  input.title = title;
  return render_html_timeline(input);
}

void World::timeline_partition() {
  if (timeline_ == nullptr) return;
  if (timeline_partition_open_) timeline_->partition_end(timeline_partition_, now_us());
  timeline_partition_open_ = !network_.is_healed();
  if (!timeline_partition_open_) return;
  std::vector<NodeId> affected;
  for (NodeId a = 1; a <= config_.node_count; ++a) {
    for (NodeId b = 1; b <= config_.node_count; ++b) {
      if (a != b && (!network_.can_deliver(a, b) || !network_.can_deliver(b, a))) {
        affected.push_back(a);
        break;
      }
    }
  }
  timeline_partition_ = timeline_->partition_begin(now_us(), network_.describe(), affected);
}

bool World::propose(NodeId node, config_sync::Command command, host::ReplyFn done) {
  NodeSlot& s = *nodes_[node];
  if (!s.up || s.host == nullptr) return false;
  s.host->propose(std::move(command), std::move(done));
  return true;
}

RunResult run_seed(const RunConfig& config) {
  World world(config);
  return world.run();
}

}  // namespace quorum::sim
