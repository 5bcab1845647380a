// The World's one observer list: the workloads (sim/workload/) and every checker the World runs
// are WorldObservers: the Raft checkers first (sim/checkers/raft_feed.h), then the config
// clients, the pool's operator and the ownership checker, the lease checker last
// (sim/checkers/lease_feed.h). The World only notifies the list: it feeds every observer, in the
// order they were added, at the same points of the run loop on every run, so adding an observer
// never reorders the others' events (same seed -> same trace hash). (The Galera model's fitness
// checker stays with the model in world_galera.cc.)
//
// An observer schedules its own timed events through WorldContext::schedule (they go through the
// World's single event queue, ordered by (time_us, seq) like every other event) and gets them
// back in on_timer. It never reads wall time and owns its PRNG stream.
#pragma once

#include <cstdint>

#include "engine/core/base/types.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/state.h"

namespace quorum::host {
class NodeHost;
struct LoadedState;
struct PersistBatch;
}

namespace quorum::sim {

class Network;
class Probes;
class Trace;
class WorldObserver;

// What an observer may use of the World.
class WorldContext {
 public:
  virtual ~WorldContext() = default;
  virtual std::uint64_t now_us() const = 0;
  virtual std::size_t node_count() const = 0;
  // The node's running host, or nullptr while it is down.
  virtual host::NodeHost* live_host(NodeId node) = 0;
  // True once the quiet period began (no new operations, everything healed).
  virtual bool healed() const = 0;
  virtual NodeId current_leader() const = 0;
  // The node's own (drifting) clock reading now; for any node, up or down (the machine's clock
  // survives crashes).
  virtual std::uint64_t node_clock_us(NodeId node) const = 0;
  // Schedules `observer`'s on_timer(tag, node, arg0, arg1) at at_us (>= now_us()).
  virtual void schedule(std::uint64_t at_us, const WorldObserver& observer, std::uint32_t tag,
                        NodeId node, std::uint64_t arg0, std::uint64_t arg1) = 0;
  virtual Trace& trace() = 0;
  virtual Probes& probes() = 0;
  virtual const Network& network() const = 0;
};

class WorldObserver {
 public:
  virtual ~WorldObserver() = default;
  // Once, after the nodes started and the fault schedule was queued.
  virtual void on_begin(std::uint64_t /*time_us*/) {}
  // One of this observer's own scheduled events.
  virtual void on_timer(std::uint64_t /*time_us*/, std::uint32_t /*tag*/, NodeId /*node*/,
                        std::uint64_t /*arg0*/, std::uint64_t /*arg1*/) {}
  // A node's process starts from what its disk holds (before its host runs or is observable).
  virtual void on_start(std::uint64_t /*time_us*/, NodeId /*node*/,
                        const host::LoadedState& /*loaded*/) {}
  // The node's host persisted a batch (its log part is durable from now on).
  virtual void on_persist(std::uint64_t /*time_us*/, NodeId /*node*/,
                          const host::PersistBatch& /*batch*/) {}
  // A node's fiber ran one step (its state, session and clock may have changed).
  virtual void on_step(std::uint64_t /*time_us*/, NodeId /*node*/) {}
  virtual void on_apply(std::uint64_t /*time_us*/, NodeId /*node*/, const raft::Entry& /*entry*/) {}
  virtual void on_role(std::uint64_t /*time_us*/, NodeId /*node*/, const raft::SoftState& /*state*/) {}
  // The node's process is paused (it steps nothing until resumed) / resumes.
  virtual void on_pause(std::uint64_t /*time_us*/, NodeId /*node*/) {}
  virtual void on_resume(std::uint64_t /*time_us*/, NodeId /*node*/) {}
  // The node's process is gone (crash, fail-stop); its host no longer exists.
  virtual void on_down(std::uint64_t /*time_us*/, NodeId /*node*/) {}
  // The quiet period began: every fault healed, every node restarted.
  virtual void on_heal(std::uint64_t /*time_us*/) {}
  // End of the run (no safety violation so far): final verdicts.
  virtual void on_finish(std::uint64_t /*time_us*/) {}

  // Set by the World when the observer is added.
  std::uint32_t observer_id() const { return observer_id_; }
  void set_observer_id(std::uint32_t id) { observer_id_ = id; }

 private:
  std::uint32_t observer_id_ = 0;
};

}  // namespace quorum::sim
