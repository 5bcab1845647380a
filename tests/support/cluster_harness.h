// ClusterHarness: N NodeHosts with in-memory ports in one process, and a network the test drives
// by hand (one FIFO queue per directed link; deliver, drop, partition, heal), plus crash and
// restart that keep only what each node's storage synced. No threads, no real time: the test
// advances one shared ManualClock and calls poll().
//
// Beside the core harness (engine/host/memory/core_cluster.h, pure cores), this one runs whole
// NodeHosts (their own Ready handling, apply loop, state machines, client replies, ownership
// driver), which CoreCluster does not host; what the two share is the network's faults (cuts,
// partitions, loss: engine/host/memory/network_faults.h) and the in-memory store.
//
// Used by tests/cluster (1,000 puts, leader loss). Test support: may include anything.
#pragma once

#include <cstddef>
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

#include "engine/core/raft/config.h"
#include "engine/core/raft/message.h"
#include "engine/host/memory/memory_ports.h"
#include "engine/host/memory/memory_storage.h"
#include "engine/host/memory/network_faults.h"
#include "engine/host/node_host.h"

namespace quorum::testing {

struct ClusterOptions {
  std::size_t nodes = 3;  // ids 1..nodes, all voters unless listed in learners
  // Template for every host's ownership driver (HostConfig::ownership_driver).
  ownership::DriverConfig ownership_driver;
  std::vector<NodeId> learners;
  raft::RaftConfig raft;  // template: `id` is set per node
  std::uint64_t tick_interval_ms = 10;
  std::uint64_t snapshot_interval_entries = 1000;
  std::uint64_t seed = 1;
  // Planted host bug for every host (QUORUM_MUTATIONS builds only; see base/mutation.h).
  Mutation host_mutation = Mutation::kNone;
  // HostConfig::wall_clock_ms for every host (the leadership history); unset: no history.
  std::function<std::uint64_t()> wall_clock_ms;
};

class ClusterHarness {
 public:
  explicit ClusterHarness(ClusterOptions options);
  ~ClusterHarness();
  ClusterHarness(const ClusterHarness&) = delete;
  ClusterHarness& operator=(const ClusterHarness&) = delete;

  std::vector<NodeId> ids() const;
  bool is_up(NodeId id) const;
  host::NodeHost& host(NodeId id);
  host::MemoryStorage& storage(NodeId id);

  // --- Time ---
  // Advances the shared clock by one tick interval, polls every live host, then delivers
  // messages until the network is quiet.
  void tick(std::size_t count = 1);
  // Ticks until pred() holds; false if it did not within ticks_max.
  bool run_until(const std::function<bool()>& pred, std::size_t ticks_max);

  // --- Network ---
  // Delivers every queued message on an up link (to a live node) and polls the receivers,
  // repeating until no message is queued. Messages on a cut link are dropped. Returns the
  // number delivered.
  std::size_t deliver_all();
  // Exactly this partition: every earlier cut is healed, then every link between different
  // groups is cut; nodes in no group are isolated from everyone.
  void partition(const std::vector<std::vector<NodeId>>& groups) {
    faults_.heal();
    faults_.partition(groups, ids());
  }
  void isolate(NodeId id) { faults_.isolate(id, ids()); }
  void heal() { faults_.heal(); }
  // Messages for which `drop` returns true are lost in deliver_all() (loss; a random filter makes
  // a lossy network). Empty: nothing is lost beyond cut links.
  void set_drop(std::function<bool(const raft::Message&)> drop) {
    faults_.set_drop(std::move(drop));
  }
  bool link_up(NodeId from, NodeId to) const { return faults_.link_up(from, to); }
  std::size_t queued_messages() const;

  // --- Faults ---
  // Power loss: the host is destroyed, unsynced writes are lost, queued messages to and from it
  // are dropped; pending client callbacks get no answer (the client saw a crash).
  void crash(NodeId id);
  // A new host on the surviving storage (started, polled once).
  void restart(NodeId id);

  // --- Observers ---
  // Live nodes that believe they lead, with their terms.
  std::vector<std::pair<NodeId, Term>> leaders() const;
  // The live leader with the highest term, kNoNode if none.
  NodeId leader() const;
  // Every (term -> leader) ever reported through on_role_change, on any incarnation.
  const std::map<Term, std::set<NodeId>>& leaders_by_term() const { return leaders_by_term_; }

  // --- Clients ---
  // Proposes on `id`; the reply is recorded and returned by reply(ticket) once known.
  std::size_t put(NodeId id, std::string path, std::string content);
  std::size_t propose(NodeId id, host::AppCommand command);
  // Called after every poll of any host (checkers that must see every intermediate state).
  void set_after_poll(std::function<void()> fn) { after_poll_ = std::move(fn); }
  // Linearizable read (NodeHost::read) and membership change on `id`, same tickets.
  std::size_t read(NodeId id);
  std::size_t change_membership(NodeId id, raft::MembershipChange change);
  std::optional<host::ClientReply> reply(std::size_t ticket) const;
  std::size_t replies_pending() const;

 private:
  struct Node;
  void start_node(NodeId id);
  void poll_all();
  void send(const raft::Message& message);
  host::ReplyFn record(std::size_t ticket);

  ClusterOptions options_;
  host::ManualClock clock_;
  raft::Membership membership_;
  std::map<NodeId, std::unique_ptr<Node>> nodes_;
  std::map<std::pair<NodeId, NodeId>, std::deque<raft::Message>> links_;
  // Invariant: symmetric (partition and isolate cut both directions).
  host::NetworkFaults faults_;
  std::map<Term, std::set<NodeId>> leaders_by_term_;
  std::function<void()> after_poll_;
  std::vector<std::optional<host::ClientReply>> replies_;
  std::uint64_t incarnations_ = 0;
};

}  // namespace quorum::testing
