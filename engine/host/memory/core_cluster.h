// CoreCluster: the one core-level harness. Pure raft::Nodes in one process, each with a
// MemoryStorage (the reference in-memory store), its Readys executed by the host's one Ready
// executor (engine/host/ready_handler.h, execute_ready), and a network the caller drives: one
// queue of messages in flight, directed cuts, a drop filter. No clock, no threads: the caller
// ticks nodes, steps messages and handles Readys in whatever order it wants to explore.
//
// Built on it: the raft unit tests' Cluster (engine/core/raft/raft_test_util.h), the core
// script runner (tests/support/script_runner.h), the chaos tests with the shared judge
// (tests/support/core_judge.h), the core-step fuzzer and `quorum-bench core`. Only the public
// raft::Node API is used, so it may be used anywhere test support may.
//
// Test support (library quorum_host_memory). Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/base/mutation.h"
#include "engine/core/base/prng.h"
#include "engine/core/raft/config.h"
#include "engine/core/raft/invariants.h"
#include "engine/core/raft/message.h"
#include "engine/core/raft/node.h"
#include "engine/host/memory/memory_storage.h"
#include "engine/host/memory/network_faults.h"

namespace quorum::host {

// Sees what the cluster does, synchronously (the shared judge, a transcript printer).
class CoreObserver {
 public:
  virtual ~CoreObserver() = default;
  // A node (re)started from `state` (what its storage held).
  virtual void on_start(NodeId /*node*/, const raft::PersistedState& /*state*/) {}
  // A node stopped: crash() (its writes kept) or power_loss() (unsynced writes lost).
  virtual void on_down(NodeId /*node*/) {}
  // Before a Ready is executed.
  virtual void on_ready(NodeId /*node*/, const raft::Ready& /*ready*/) {}
  virtual void on_role(NodeId /*node*/, const raft::SoftState& /*state*/) {}
  // After storage accepted the batch.
  virtual void on_persist(NodeId /*node*/, const PersistBatch& /*batch*/) {}
  virtual void on_apply(NodeId /*node*/, const raft::Entry& /*entry*/) {}
  virtual void on_restore(NodeId /*node*/, const raft::Snapshot& /*snapshot*/) {}
  // Just before `message` is stepped into its receiver.
  virtual void on_deliver(const raft::Message& /*message*/) {}
};

class CoreCluster {
 public:
  // The Prng of a node's incarnation (0 for its first start, +1 per restart).
  using PrngFn = std::function<Prng(NodeId, std::uint64_t incarnation)>;
  enum class Delivery { kDelivered, kReceiverDown, kCut, kDropped };

  // `host_mutation`: a planted host bug for every node's Ready executor (kAckBeforePersist,
  // kApplyBeforeCommit; inert unless QUORUM_MUTATIONS builds).
  explicit CoreCluster(PrngFn prng, Mutation host_mutation = Mutation::kNone);
  CoreCluster(const CoreCluster&) = delete;
  CoreCluster& operator=(const CoreCluster&) = delete;
  ~CoreCluster();

  // --- Nodes ---
  // Adds and starts node config.id with an empty store; `bootstrap` is its initial membership.
  void add_node(const raft::RaftConfig& config, const raft::Membership& bootstrap);
  // Process crash: the node's volatile state is gone, every write it made is kept.
  void crash(NodeId id);
  // Power loss: as crash(), and writes not covered by a synced batch are lost.
  void power_loss(NodeId id);
  // A new incarnation from what the store holds. The node must be down.
  void restart(NodeId id);

  bool exists(NodeId id) const { return nodes_.contains(id); }
  bool is_up(NodeId id) const;
  std::vector<NodeId> ids() const;      // live nodes, ascending
  std::vector<NodeId> all_ids() const;  // every node ever added, ascending
  raft::Node& node(NodeId id);          // asserts the node is up
  const raft::Node& node(NodeId id) const;
  MemoryStorage& storage(NodeId id);
  const raft::RaftConfig& config(NodeId id) const;
  const raft::Membership& bootstrap(NodeId id) const;
  std::uint64_t incarnation(NodeId id) const;
  // Commands applied by the current incarnation, in order; a snapshot (installed or loaded)
  // clears the list and leaves "snapshot:<data>" first.
  const std::vector<std::string>& applied(NodeId id) const;
  LogIndex applied_index(NodeId id) const;
  std::vector<raft::TraceEvent>& traces(NodeId id);
  std::vector<raft::ReadState>& read_states(NodeId id);

  // --- Readys ---
  // Executes one Ready of `id` if it has one. Returns whether it did.
  bool handle_ready(NodeId id);
  // The core's own invariants of `id` now, and its evolution since the last call (or its start):
  // empty if they hold, else what broke.
  std::string check_node(NodeId id);

  // --- Network ---
  std::deque<raft::Message>& queue() { return queue_; }
  // Steps `message` into its receiver unless the receiver is down, the link is cut or the drop
  // filter takes it. Does not handle the receiver's Ready.
  Delivery step(const raft::Message& message);
  // Link faults (network_faults.h); partition() adds to the cuts already made.
  void cut(NodeId a, NodeId b) { faults_.cut(a, b); }  // both directions
  void cut_one_way(NodeId from, NodeId to) { faults_.cut_one_way(from, to); }
  void isolate(NodeId id) { faults_.isolate(id, all_ids()); }
  // Cuts every link between different groups; nodes in no group are isolated.
  void partition(const std::vector<std::vector<NodeId>>& groups) {
    faults_.partition(groups, all_ids());
  }
  void heal() { faults_.heal(); }
  bool link_up(NodeId from, NodeId to) const { return faults_.link_up(from, to); }
  // Messages for which `drop` returns true are lost in step().
  void set_drop(std::function<bool(const raft::Message&)> drop) {
    faults_.set_drop(std::move(drop));
  }

  void add_observer(CoreObserver* observer) { observers_.push_back(observer); }
  std::size_t ready_count() const { return ready_count_; }

 private:
  struct Slot;
  class Effects;
  Slot& slot(NodeId id);
  const Slot& slot(NodeId id) const;
  void start(NodeId id);
  void stop(NodeId id);

  PrngFn prng_;
  Mutation host_mutation_;
  std::map<NodeId, std::unique_ptr<Slot>> nodes_;
  std::deque<raft::Message> queue_;
  NetworkFaults faults_;
  std::vector<CoreObserver*> observers_;
  std::size_t ready_count_ = 0;
};

}  // namespace quorum::host
