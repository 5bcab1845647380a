// NodeHost: owns one raft::Node and drives it through the ports. The same code runs in quorumd
// (Asio coroutine, RocksDB, TCP) and in the simulator (fiber, simulated disk and network).
//
// The loop (run()): wait for input or the next tick deadline -> feed the core -> for each Ready:
// send, persist, send what needed persistence, apply, advance. Persist-before-promise is the
// Ready contract (engine/core/raft/ready.h) executed by ready_handler.cc.
//
// Two ways to drive a host:
//  * run(): the task body, `while (!stopped) { poll(); executor.wait_until(next_deadline_us()); }`
//    (quorumd's coroutine, the simulator's fiber);
//  * poll() directly, without any task (unit tests, the in-process cluster test): each call
//    does all the work that is due now and returns.
//
// Hooks are called synchronously, on the host's executor, at the moment the fact becomes true:
// on_role_change/on_trace when the Ready that reports them is received, on_persist right after
// Storage::persist() returned ok, on_apply right after the state machines applied the entry.
//
// Thread safety: every method is called on the host's executor (see ports/executor.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/core/base/mutation.h"
#include "engine/core/base/prng.h"
#include "engine/core/base/status.h"
#include "engine/core/raft/config.h"
#include "engine/core/raft/membership.h"
#include "engine/core/raft/node.h"
#include "engine/core/ownership/driver.h"
#include "engine/core/ownership/may_act.h"
#include "engine/host/app_command.h"
#include "engine/host/client_reply.h"
#include "engine/host/ports/backend.h"
#include "engine/host/ports/clock.h"
#include "engine/host/ports/executor.h"
#include "engine/host/ports/storage.h"
#include "engine/host/ports/transport.h"

namespace quorum::host {

struct HostConfig {
  raft::RaftConfig raft;
  // Wall (or simulated) time per core tick.
  std::uint64_t tick_interval_ms = 10;
  // Configured peers: used only when storage holds no membership yet.
  raft::Membership bootstrap;
  // Take a snapshot and compact the log after this many applied entries.
  std::uint64_t snapshot_interval_entries = 1000;
  // Planted host bugs (ack-before-persist, apply-before-commit); see base/mutation.h.
  Mutation mutation = Mutation::kNone;
  // After a pause (GC-like stall, slow disk), due ticks are fed to the core at most this many per
  // poll(), with Ready handling in between. Time is never dropped: the remaining ticks are due at
  // once (next_deadline_us() <= now). A host behind the clock by more than this steps no message
  // and no client request until it has caught up (they wait in their bounded queues): a lease is
  // judged against the clock's reading now, never against ticks not yet fed, so a paused
  // leader's lease has run out before it acts on any input.
  Ticks catch_up_ticks_per_poll_max = 16;
  // Bounds on queued inputs (STYLE: every queue has a _max). Messages beyond the bound are dropped
  // (Raft tolerates loss); client requests beyond it are answered kRejected.
  std::size_t inbox_messages_max = 4096;
  std::size_t pending_requests_max = 4096;
  // The controller pool (docs/ownership.md): the leader's ownership driver runs after every poll
  // when sessions are on (raft.session_lease_ticks > 0). Its `session` and `mutation` fields are
  // taken from `raft`.
  ownership::DriverConfig ownership_driver;
  // The leadership history (engine/core/history): when set, a leader records its term once an
  // entry of that term has committed, stamped with this wall clock (Unix ms). Unset (the
  // simulator's default): no history entry is ever proposed, so the log holds only what clients
  // and the ownership driver propose.
  std::function<std::uint64_t()> wall_clock_ms;
};

// Counters since start() (metrics, benchmarks). Monotonic; never reset.
struct HostStats {
  std::uint64_t readys_count = 0;         // Readys handled
  std::uint64_t persists_count = 0;       // Storage::persist calls that returned ok
  std::uint64_t syncs_count = 0;          // ... of which with sync=true
  std::uint64_t messages_sent_count = 0;  // messages + messages_after_persist
  std::uint64_t entries_applied_count = 0;
  std::uint64_t snapshots_taken_count = 0;      // Node::compact calls
  std::uint64_t snapshots_installed_count = 0;  // snapshots received from a leader
  std::uint64_t snapshots_refused_count = 0;    // received, invalid, dropped (snapshot_check.h)
  std::uint64_t ticks_count = 0;
  std::uint64_t messages_dropped_count = 0;  // inbox full, or misrouted
};

struct Ports {
  Transport& transport;
  Clock& clock;
  Storage& storage;
  Executor& executor;
  Backend* backend = nullptr;  // optional until the Galera issue
};

class NodeHost {
 public:
  NodeHost(HostConfig config, Ports ports, Prng prng);
  ~NodeHost();
  NodeHost(const NodeHost&) = delete;
  NodeHost& operator=(const NodeHost&) = delete;

  // Loads persisted state and restores the state machines. Must succeed before run() or poll().
  // The clock's current time is tick 0.
  Status start();
  // The task body: returns after stop(), or after a storage failure (see failure()).
  void run();
  // Non-blocking step: feeds the core every tick due by the clock (bounded, see HostConfig),
  // then, once it has caught up with the clock, every queued message and request; handles every
  // Ready (persist, send, apply, advance) and takes a snapshot if snapshot_interval_entries were
  // applied since the last one. A host further behind than one batch returns after the batch's
  // Readys (next_deadline_us() is then in the past). No-op once stopped.
  void poll();
  // Clock time (us) at which poll() has work to do without new input: the next tick, or a time
  // in the past if ticks or inputs are pending.
  std::uint64_t next_deadline_us() const;
  // Stops the host: pending requests are answered kStopped; run() returns. Idempotent.
  void stop();
  bool stopped() const;
  // Non-ok once the host fail-stopped (a persist failed: nothing more may be promised).
  const Status& failure() const;

  // Inputs from the transport and from clients. Each queues and notifies the executor.
  void deliver(raft::Message message);
  // A command of any family (app_command.h): done(kOk) with the family's result in
  // ClientReply::result once the entry is applied here, or why not. A family this build cannot
  // encode is answered kRejected.
  void propose(AppCommand command, ReplyFn done);
  // Linearizable read of the replicated state: done(kOk) once the leader confirmed its
  // leadership and applied through the read index; then state() is current.
  void read(ReplyFn done);
  // Membership change (add voter/learner, remove, promote, priority): done(kOk) once applied.
  void propose_membership(raft::MembershipChange change, ReplyFn done);
  raft::RequestResult transfer_leadership(NodeId target);
  raft::RequestResult step_down();

  // Observers and hooks (the simulator's checkers and quorumd's logs and metrics use these).
  const raft::Node& node() const;
  // The replicated state, one state machine per family (config files, ownership).
  const AppState& state() const;
  // True if ticks due at `clock_now_us` (a reading of this host's Clock) have not been fed to the
  // core yet: its timers and lease then lag that reading (checkers judge a lease only when
  // false). After start().
  bool behind_clock(std::uint64_t clock_now_us) const;
  // May this controller act on `cluster` now? Judged at the Clock's reading now (a paused host
  // does not act on time it has not seen); the answer carries the (term, epoch) fencing token
  // and the deadline in ticks of this host's clock (ownership/may_act.h).
  ownership::MayAct may_act(ownership::ClusterId cluster) const;
  // may_act, and on a yes a hold by the local guard `holder` on the cluster until
  // min(the permission's end, now + hold_ticks) plus one tick (guard_holds.h): while the hold
  // lasts, a Release of that cluster by this controller is not reported applied to the leader,
  // so the next owner is not granted it before the guard stopped its COMMAND. `holder` must be
  // valid_holder(). hold_until_ticks is 0 when no hold was recorded (a no, or holds_full).
  struct HeldMayAct {
    ownership::MayAct answer;
    Ticks hold_until_ticks = 0;
    bool holds_full = false;  // GuardHolds::kHoldsMax reached: the yes is not backed by a hold
  };
  HeldMayAct may_act_holding(ownership::ClusterId cluster, const std::string& holder, Ticks hold_ticks);
  // The guard's COMMAND is gone: its hold ends now (false if it had none). The host reports its
  // applied index to the leader at its next poll if that was the last hold on a Release.
  bool drop_guard_hold(ownership::ClusterId cluster, const std::string& holder);
  // Holds recorded and not yet dropped or expired (as of the last poll).
  std::size_t guard_holds() const;
  // The Clock's reading now, in ticks since start() (taken by the core or not).
  Ticks clock_now_ticks() const;
  // The leader-side driver's counters (zero on a node that never led).
  const ownership::DriverStats& ownership_driver_stats() const;
  // How many: the ticks due at `clock_now_us` not fed to the core yet (0 iff !behind_clock).
  Ticks ticks_behind(std::uint64_t clock_now_us) const;
  // Index of the last entry the state machines applied (or the restored snapshot's index).
  LogIndex applied_index() const;
  const HostStats& stats() const;
  // Each on_* call adds a subscriber; subscribers are called in the order they were added.
  void on_role_change(std::function<void(const raft::SoftState&)> fn);
  void on_trace(std::function<void(const raft::TraceEvent&)> fn);
  void on_apply(std::function<void(const raft::Entry&)> fn);
  // Called after Storage::persist() returned ok for `batch` (durability checkers).
  void on_persist(std::function<void(const PersistBatch&)> fn);
  // A received snapshot failed validation and was dropped unstored (snapshot_check.h).
  void on_snapshot_refused(std::function<void(NodeId from, const Status& why)> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quorum::host
