// World: one seed -> one simulated run of a Quorum controller group.
//
// Every controller runs the production engine/host NodeHost::run() on its own fiber; the World's
// event loop (EventQueue, ordered by (time_us, seq)) is the only scheduler and exactly one fiber
// runs at a time. Ports: SimTransport (through Network, optionally through the real wire codec),
// SimStorage, SimClock (drift) and SimExecutor. The nemesis injects a seeded fault schedule,
// then a quiet period heals everything and the liveness checks start. The checkers and the
// workloads are one observer list (sim/observer/observer.h) that the World notifies from the
// hosts' hooks and its run loop; the first safety violation ends the run.
//
// Randomness comes only from the PrngTree; no wall time, no threads, no unordered containers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/base/mutation.h"
#include "engine/host/node_host.h"
#include "engine/check/findings.h"
#include "engine/check/log_model.h"
#include "sim/checkers/galera_fitness.h"
#include "sim/galera/galera_model.h"
#include "sim/clock/event_queue.h"
#include "sim/clock/sim_clock.h"
#include "sim/coverage/probes.h"
#include "sim/fiber/fiber.h"
#include "sim/history/history.h"
#include "sim/nemesis/schedule.h"
#include "sim/nemesis/swarm.h"
#include "sim/network/network.h"
#include "sim/ports/sim_executor.h"
#include "sim/ports/sim_storage.h"
#include "sim/ports/sim_transport.h"
#include "sim/random/prng_tree.h"
#include "sim/trace/html_timeline.h"
#include "sim/trace/trace.h"
#include "sim/observer/observer.h"
#include "sim/checkers/lease_feed.h"
#include "sim/checkers/ownership_feed.h"
#include "sim/checkers/raft_feed.h"
#include "sim/workload/client_workload.h"
#include "sim/workload/pool_workload.h"

namespace quorum::sim {

struct RunConfig {
  std::uint64_t seed = 0;
  std::size_t node_count = 3;
  // The first voter_count nodes bootstrap as Raft voters, the others as learners (0: all voters).
  // A pool can hold more controllers than voters: the learners own clusters too (issue 8 section
  // 2). Membership faults only take voters away, and only as many as leave the voters a majority.
  std::size_t voter_count = 0;
  Profile profile = Profile::kLan;
  std::uint64_t duration_us = 60'000'000;
  bool codec = true;          // messages go through wire::encode/decode_message
  bool faults = true;         // nemesis on (swarm draws which kinds)
  bool workload = true;
  // The controller pool: sessions on (L = 3 election timeouts, delta = the longest message delay,
  // rho = the drawn drift bound), the pool workload (sim/workload/pool_workload.h) and the
  // ownership checkers (sim/checkers/ownership.h). Off: the run of before the pool. Off by
  // default until the failures it finds are fixed (docs/simulation.md); `--pool`.
  bool pool = false;
  // Scenarios: the pool as given instead of drawn (events off unless event_mean_gap_us is set).
  std::optional<PoolOptions> pool_options;
  bool record_trace = false;  // keep text lines (for --trace / --html)
  bool check_linearizability = true;
  Mutation mutation = Mutation::kNone;
  // Shrinking: keep only these schedule positions (nullopt: all).
  std::optional<std::vector<std::uint32_t>> keep_faults;
  // Explicit schedule (scenarios): replaces the drawn one when set.
  std::optional<FaultSchedule> schedule;
  // Overrides of the drawn swarm knobs (scenarios, bench); 0 keeps the drawn value.
  std::uint64_t tick_interval_ms = 0;  // 0: drawn (10, 20 or 50 ms)
  std::uint64_t election_timeout_ticks = 0;
  std::uint64_t heartbeat_interval_ticks = 0;
  std::uint64_t message_bytes_max = 0;      // scenarios: soft bound on one append's entry bytes
  std::uint32_t inflight_messages_max = 0;  // scenarios: appends in flight per follower
  std::uint64_t ops_per_second = 50;
  // Benchmarks: the drift bound the core is told (rho, pairwise), replacing the drawn one; each
  // clock then drifts within +-rho/2 (nullopt: drawn).
  std::optional<std::uint32_t> lease_drift_ppm_max;
  // Scenarios: each node's clock drift in ppm (node 1 first), replacing the drawn ones; empty:
  // drawn. The caller keeps every value within +-lease_drift_ppm_max/2.
  std::vector<std::int64_t> clock_drift_ppm;
  // Also draw Raft Figure 8 episodes (sim/nemesis/figure8.h) in every seed; off by default.
  bool figure8 = false;
  // Galera model (sim/galera): each node's backend health follows the simulated network, the
  // swarm also draws galera-isolate-leader, and invariant 8 is checked. Off by default (keeps
  // every reference trace hash).
  bool galera = false;
  // The disruption judge (engine/check/disruption.h; scenarios with judge_disruptions). Off in
  // the swarm: its transfers, step-downs and membership changes ask for new terms.
  bool judge_disruptions = false;
  // Quiet period at the end: no new faults, everything heals, liveness must hold within
  // liveness_bound (10 election timeouts + recovery time).
  std::uint64_t quiet_us = 0;  // 0: 15 s or 30% of the run, whichever is longer
};

enum class RunStatus : std::uint8_t { kPass, kSafety, kLiveness };
std::string_view run_status_name(RunStatus status);

struct RunResult {
  RunStatus status = RunStatus::kPass;
  std::vector<check::InvariantViolation> violations;
  std::uint64_t trace_hash = 0;
  std::uint64_t events = 0;          // popped from the event queue
  std::uint64_t trace_events = 0;
  std::uint64_t sim_us = 0;
  Probes probes;
  std::size_t schedule_size = 0;
  FaultSchedule schedule;            // as executed (after keep_faults)
  std::string swarm;                 // SwarmConfig::describe()
  std::uint64_t messages_sent = 0;
  std::uint64_t client_ops = 0;
  std::uint64_t client_ops_ok = 0;
  std::uint64_t leader_after_heal_us = 0;
  std::uint64_t converged_after_heal_us = 0;
  std::string linearizability;       // verdict name, or the explanation on violation
  std::uint64_t history_ops = 0;
  // Ownership (pool runs): settle time after the heal (0 if it never settled), the longest time
  // a cluster had no controller able to act, pool commands answered, may_act calls made.
  std::string pool;                  // PoolOptions::describe()
  std::uint64_t ownership_settle_us = 0;
  std::uint64_t ownership_gap_us_max = 0;
  std::uint64_t pool_commands = 0;
  std::uint64_t ownership_checks = 0;
};

class World final : public Scheduler, public WorldTime, public PacketSink, public WorldContext {
 public:
  explicit World(RunConfig config);
  ~World() override;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  RunResult run();

  // Scheduler / WorldTime / WorldContext.
  std::uint64_t now_us() const override { return queue_.now_us(); }
  void schedule_wake(NodeId node, std::uint64_t at_us, std::uint64_t token) override;

  // Transport entry point (called on the sender's fiber).
  void send(NodeId from, const raft::Message& message) override;

  const Trace& trace() const { return trace_; }
  const History& history() const;
  const SwarmConfig& swarm() const { return swarm_; }
  const check::Findings& findings() const { return findings_; }
  std::size_t node_count() const override { return config_.node_count; }
  // Nodes 1..voter_count() bootstrap as voters, the rest as learners.
  std::size_t voter_count() const { return voter_count_; }
  // For scenario expectations: the current live leader (kNoNode if none or several).
  NodeId current_leader() const override;
  std::uint64_t node_clock_us(NodeId node) const override;
  // WorldContext (sim/observer/observer.h), for the observers.
  host::NodeHost* live_host(NodeId node) override;
  bool healed() const override { return healed_; }
  void schedule(std::uint64_t at_us, const WorldObserver& observer, std::uint32_t tag, NodeId node,
                std::uint64_t arg0, std::uint64_t arg1) override;
  Trace& trace() override { return trace_; }
  Probes& probes() override { return probes_; }
  // Adds an observer (fed after the ones added before it); call before begin(). Not owned.
  void add_observer(WorldObserver& observer);
  // Pool runs only (nullptr otherwise): the pool's operator (scenarios submit commands through
  // it) and the ownership checker (its gaps and settle time).
  PoolWorkload* pool() { return pool_.get(); }
  const OwnershipChecker* ownership() const {
    return ownership_ == nullptr ? nullptr : &ownership_->checker();
  }
  // The session parameters every host runs with (lease 0 when the pool is off).
  const raft::SessionParams& session_params() const { return session_; }
  bool node_up(NodeId node) const;
  const host::NodeHost* host(NodeId node) const;
  Term max_term() const { return max_term_; }
  // Messages handed to the network so far (every copy counted once, before loss).
  std::uint64_t messages_sent() const { return messages_sent_; }
  std::uint64_t heal_us() const { return heal_us_; }
  // Scenario hooks: begin(), run_until(t) and act/inspect between, then finish().
  void run_until(std::uint64_t time_us);
  void begin();
  RunResult finish();
  // Scenario control: immediate faults without an automatic end (sim/scenario).
  void crash(NodeId node);
  void restart(NodeId node);
  void isolate(NodeId node);
  void split(const std::vector<NodeId>& side);
  void one_way(NodeId from, NodeId to);
  void isolate_site(std::uint32_t site);
  void heal_network();
  void pause(NodeId node, std::uint64_t duration_us);
  void slow_disk(NodeId node, std::uint64_t duration_us);
  raft::RequestResult transfer_leader(NodeId target);
  // Scenario control of the Galera model (RunConfig::galera; world_galera.cc): Galera traffic
  // only, the Raft links stay as they are. No-ops without the model.
  void galera_isolate(NodeId node);
  void galera_split(const std::vector<NodeId>& side);
  void galera_heal();
  void galera_kill(NodeId node);   // the Galera process only; the controller keeps running
  void galera_start(NodeId node);
  const GaleraModel* galera() const { return galera_.get(); }
  // Scripted message rules (sim/network/message_rules.h); installs and removals are traced.
  std::uint32_t add_message_rule(MessageRule rule);
  std::size_t remove_message_rules(std::string_view label);  // empty label: all
  const MessageRules& message_rules() const { return network_.rules(); }
  // The checkers' model of every node's durable log (live or down).
  const check::LogModel& logs() const { return raft_->logs(); }
  std::uint64_t acked_writes() const;
  // A direct client request to a node, as from an operator's CLI (the demo). `done` runs on the
  // node's fiber when the host answers; false if the node is down.
  bool propose(NodeId node, config_sync::Command command, host::ReplyFn done);
  // Liveness (10) right now: every live node holds the current leader's config files.
  bool converged() const;
  const Network& network() const override { return network_; }
  // The HTML timeline of the run so far (sim/trace/html_timeline.h); empty unless record_trace.
  std::string timeline_html(const std::string& title, const std::vector<std::string>& summary);

 private:
  enum EventKind : std::uint32_t {
    kWake, kStart, kDeliver, kFault, kFaultEnd, kFlap, kRestart, kUnpause, kHeal, kEnd,
    kMembershipDrive,  // world_membership.cc
    // Observer events: kind = kObserverBase + (observer id << 8 | the observer's tag).
    kObserverBase = 64,
  };
  // What the nemesis wants a node to be in the membership (world_membership.cc).
  enum class MemberGoal : std::uint8_t { kVoter, kLearner, kAbsent };
  struct NodeSlot;
  struct Packet {
    NodeId from = kNoNode;
    NodeId to = kNoNode;
    std::string bytes;
    raft::Message message;
  };

  void dispatch(const Event& e);
  void run_ready();
  struct ReadyWake {
    NodeId node;
    std::uint64_t token;
    std::uint64_t incarnation;
  };
  std::vector<ReadyWake> ready_;
  std::uint64_t immediate_wakes_ = 0;
  // Nodes (world_nodes.cc).
  void start_node(NodeId node);
  void crash_node(NodeId node, std::uint64_t down_us, std::string_view why);
  void on_wake(NodeId node, std::uint64_t token, std::uint64_t incarnation);
  void on_fail_stop(NodeId node);
  void install_hooks(NodeId node);
  host::HostConfig host_config(NodeId node) const;
  void deliver(std::uint64_t packet_slot);
  // Faults (world_faults.cc).
  void fire_fault(std::size_t index);
  void end_fault(std::size_t index, std::uint64_t epoch);
  void flap(std::size_t index, std::uint64_t toggle);
  void apply_partition(const FaultAction& action);
  void figure8_phase(std::size_t index, std::uint64_t phase);
  void heal_all();
  // Galera (world_galera.cc).
  void update_galera();
  void galera_isolate_leader(std::size_t index);
  // Membership changes (world_membership.cc): the nemesis sets goals, the driver proposes the
  // single-server changes that reach them through the current leader.
  void membership_fault(std::size_t index);
  void membership_fault_end(std::size_t index, std::uint64_t epoch);
  void schedule_membership_drive(std::uint64_t delay_us);
  void drive_membership();
  std::optional<raft::MembershipChange> next_membership_change(const raft::Membership& m) const;
  void timeline_partition();

  RunConfig config_;
  std::size_t voter_count_;  // config_.voter_count, 0 resolved to node_count
  PrngTree tree_;
  SwarmConfig swarm_;
  EventQueue queue_;
  Network network_;
  Trace trace_;
  check::Findings findings_;
  std::unique_ptr<GaleraModel> galera_;  // null unless config_.galera
  GaleraFitness galera_fitness_;
  Probes probes_;
  Prng net_prng_;
  Prng crash_prng_;
  Prng fault_prng_;
  std::vector<std::unique_ptr<NodeSlot>> nodes_;  // by node id; [0] unused
  std::vector<Packet> packets_;
  std::vector<std::uint32_t> free_packets_;
  FaultSchedule schedule_;
  std::uint64_t partition_epoch_ = 0;
  std::uint64_t heal_us_ = 0;
  std::uint64_t liveness_bound_us_ = 0;
  bool healed_ = false;
  bool ended_ = false;
  Term max_term_ = 0;
  std::uint64_t messages_sent_ = 0;
  // Membership goals by node id ([0] unused), the epoch of the fault that set each, and whether
  // a kMembershipDrive event is queued.
  std::vector<MemberGoal> member_goal_;
  std::vector<std::uint64_t> member_epoch_;
  bool membership_drive_queued_ = false;
  bool membership_changed_ = false;  // a membership fault fired: the driver runs from then on
  // HTML timeline (only when recording).
  std::unique_ptr<TimelineBuilder> timeline_;
  std::size_t timeline_partition_ = 0;
  bool timeline_partition_open_ = false;
  // Observers (sim/observer/observer.h), in this order: the Raft checkers, the config clients,
  // the pool's operator, the ownership checker, the lease checker.
  std::vector<WorldObserver*> observers_;
  std::unique_ptr<RaftFeed> raft_;           // always
  std::unique_ptr<ClientWorkload> clients_;  // always built; started only with config.workload
  std::unique_ptr<PoolWorkload> pool_;       // pool runs
  std::unique_ptr<OwnershipFeed> ownership_;  // pool runs
  std::unique_ptr<LeaseFeed> leases_;         // always (the last observer)
  raft::SessionParams session_;
  void setup_pool();
};

// One call: build a World, run it, return the result.
RunResult run_seed(const RunConfig& config);

}  // namespace quorum::sim
