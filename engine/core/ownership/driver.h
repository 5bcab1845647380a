// The leader-side ownership driver: turns the leader's view of the pool (its sessions, its clock)
// and the replicated state into the commands to propose: grants, re-grants after a session
// lapse, takeovers, hand-over completions, activations and rebalancing (through plan()).
// Pure and deterministic; the host calls step() on the leader and proposes what it returns.
// Core: std and fmt only.
//
// Safety rules it enforces (docs/ownership.md): a cluster held by controller o is granted to
// someone else only when
//  * o released it (kHandingOver) and o reported an applied index at or past the Release, or
//  * o is silent: now >= t'(o) + W and now >= took_office + W, with W = assigner_wait_ticks.
// plan() may propose an Assign that does not meet these yet; step() holds it back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "engine/core/base/mutation.h"
#include "engine/core/base/types.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/core/raft/session.h"

namespace quorum::ownership {

struct DriverConfig {
  raft::SessionParams session;
  // How often the leader plans (ticks); a plan waits for the previous one's entries to apply.
  Ticks plan_interval_ticks = 10;
  // A plan whose entries did not apply within this many ticks is given up (lost proposals).
  Ticks plan_timeout_ticks = 100;
  // A controller heard within this window counts as alive for receiving load (not for safety:
  // its clusters are taken away only after W of silence).
  Ticks alive_window_ticks = 20;
  // A joining or restarted (new session generation) controller receives load only after being
  // alive this long (flapping controllers get nothing).
  Ticks stable_ticks = 100;
  // Hand-overs (Release) per plan: no rebalance storms.
  std::size_t moves_per_plan_max = 4;
  // The standby promotion rule (promote.h): a standby is caught up when its reported applied
  // index is at most this many entries behind the leader's commit index.
  LogIndex promote_lag_entries_max = 8;
  Mutation mutation = Mutation::kNone;
};

// What the leader sees at one instant. `peers` holds every member's session as the leader's Raft
// node reports it (the leader itself is not in it).
struct LeaderView {
  NodeId self = kNoNode;
  Ticks now_ticks = 0;
  Ticks leader_since_ticks = 0;
  bool has_lease = false;          // the Raft leader lease (the driver acts only with it)
  bool committed_in_term = false;  // an entry of this term is committed: the state is current
  const raft::Session* self_session = nullptr;
  std::map<NodeId, raft::PeerSession> peers;
  // Controllers whose database backend is reported unfit (rule 8: the peers' latest heartbeat
  // answers; the leader itself when its own is): they receive no cluster, and the clusters they
  // own are handed over to fit receivers.
  std::set<NodeId> unfit;
  // For the standby promotion rule (promote.h): the leader's commit index.
  LogIndex commit_index = 0;
  // The cap on the applied index this node reports (raft::Node::set_applied_report_cap): a
  // hand-over from the leader itself completes, like one from a follower, only once that index
  // reaches the Release. No cap (the default) for a leader without guard holds.
  LogIndex self_applied_report_cap = ~LogIndex{0};
};

// Counters for metrics and benchmarks. Monotonic.
struct DriverStats {
  std::uint64_t plans = 0;
  std::uint64_t grants = 0;      // Assign of an unowned cluster
  std::uint64_t takeovers = 0;   // Assign away from a silent owner
  std::uint64_t handovers = 0;   // Assign completing a hand-over
  std::uint64_t regrants = 0;    // Assign to the same owner after its session lapsed
  std::uint64_t releases = 0;
  std::uint64_t held_back = 0;   // plan() Assigns not yet safe
  // Longest gap, while this driver led, during which a cluster that had an owner had none that
  // may act: from its owner's last keepalive (once silent for an owner lease) or the hand-over
  // seen, until an owner heard recently holds it in the current session. Measured at every
  // applied index the leader polls with, and at every plan.
  Ticks longest_unowned_ticks = 0;
};

class Driver {
 public:
  explicit Driver(DriverConfig config) : config_(config) {}

  // Called by the leader's host at every poll (cheap when nothing is due). Returns the commands
  // to propose now, in order. Returns nothing unless the view has the lease and a committed
  // entry of its term. Plans every plan_interval_ticks, and at once (same poll) when a
  // hand-over's releasing owner has just reported the Release applied or a held-back takeover's
  // wait (rules 2 and 3) has just run out: those two hops are the pool's no-actor gaps.
  std::vector<Command> step(const StateMachine& state, const LeaderView& view);
  // The host proposed the last batch; its last entry got `index`. No new plan before the state
  // applied it (or plan_timeout_ticks passed).
  void on_proposed(LogIndex index, Ticks now_ticks);
  // Leadership ended (or a new term began): every volatile fact is the old leader's.
  void reset();

  const DriverStats& stats() const { return stats_; }
  const DriverConfig& config() const { return config_; }

  // Exposed for tests and the simulator's checkers.
  bool may_take_from(NodeId owner, const LeaderView& view) const;
  bool alive_recent(NodeId id, const LeaderView& view) const;

 private:
  void observe(const StateMachine& state, const LeaderView& view);
  bool released(const Cluster& cluster, const LeaderView& view) const;
  bool assign_is_safe(const StateMachine& state, const Assign& assign, const LeaderView& view);
  void add_regrants(const StateMachine& state, const LeaderView& view, std::vector<Command>& out);
  void add_activations(const StateMachine& state, const LeaderView& view,
                       std::vector<Command>& out) const;
  LogIndex session_start_of(NodeId id, const LeaderView& view) const;
  bool stable(NodeId id, const LeaderView& view) const;
  void track_unowned(const StateMachine& state, const LeaderView& view);
  // The tick from which may_take_from(owner) holds if nothing more is heard from it.
  Ticks take_due_ticks(NodeId owner, const LeaderView& view) const;
  // A silent controller's wait (rules 2 and 3) ran out since the last plan: take over now.
  bool takeover_came_due(const StateMachine& state, const LeaderView& view) const;
  // A hand-over became completable (its owner reported the Release applied) since the last plan.
  bool new_release_ready(const StateMachine& state, const LeaderView& view) const;
  // Rule 8: a controller whose backend turned fit again starts its stable time anew (a flapping
  // backend does not pull clusters back and forth); remembers who is unfit now.
  void note_backend_fitness(const LeaderView& view);
  // A controller reported unfit since the last plan: plan now (its clusters wait unserved).
  bool new_unfit(const LeaderView& view) const;

  DriverConfig config_;
  DriverStats stats_;
  Ticks leader_since_ticks_ = 0;
  bool started_ = false;
  // Volatile, leader-side. Key order is deterministic.
  std::map<NodeId, Ticks> alive_since_ticks_;
  // Active and alive when this leader took office: stable under its predecessor already.
  std::set<NodeId> inherited_stable_;
  std::map<NodeId, std::uint64_t> generation_seen_;
  // t' per controller, kept across membership changes: the tracker re-creates a member's
  // PeerSession (heard = false) when the configuration changes and has none for a removed member,
  // but this leader did hear it, and must wait W from that before taking its clusters.
  std::map<NodeId, Ticks> last_heard_ticks_;
  // For each cluster seen handing over: the leader's applied index when first seen (at or past
  // the Release entry), the index the releasing owner must report before the Assign.
  std::map<ClusterId, LogIndex> release_index_;
  // The applied index of the last hand-over scan in observe() (valid once started_scan_).
  LogIndex release_scan_index_ = 0;
  bool started_scan_ = false;
  // Clusters without an owner that may act, since when (track_unowned).
  std::map<ClusterId, Ticks> unowned_since_ticks_;
  LogIndex unowned_scan_index_ = 0;  // applied index of the last track_unowned
  LogIndex wait_applied_index_ = 0;
  Ticks wait_until_ticks_ = 0;
  Ticks next_plan_ticks_ = 0;
  // Prompt plans: when the last plan ran, and the hand-overs already completable then.
  static constexpr Ticks kNeverTicks = ~Ticks{0};
  Ticks last_plan_ticks_ = 0;
  std::set<ClusterId> released_planned_;
  // Rule 8: the controllers unfit at the last poll, and at the last plan.
  std::set<NodeId> unfit_seen_;
  std::set<NodeId> unfit_planned_;
};

}  // namespace quorum::ownership
