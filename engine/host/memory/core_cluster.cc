// The core harness: nodes, stores, the message queue and the one Ready executor. Test support.
#include "engine/host/memory/core_cluster.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/base/assert.h"
#include "engine/host/ready_handler.h"

namespace quorum::host {

struct CoreCluster::Slot {
  raft::RaftConfig config;
  raft::Membership bootstrap;
  MemoryStorage storage;
  std::unique_ptr<raft::Node> node;  // null while down
  std::uint64_t starts = 0;          // incarnations started so far
  LogIndex applied_index = 0;
  std::vector<std::string> applied;
  std::vector<raft::TraceEvent> traces;
  std::vector<raft::ReadState> read_states;
  raft::NodeObservation seen;  // at start or at the last check_node()
};

// One node's Ready effects: the shared queue, its store, its applied list, the observers.
class CoreCluster::Effects final : public ReadyEffects {
 public:
  Effects(CoreCluster& cluster, NodeId id, Slot& slot) : c_(cluster), id_(id), s_(slot) {}

  void role_changed(const raft::SoftState& state) override {
    for (CoreObserver* o : c_.observers_) o->on_role(id_, state);
  }
  void traced(const raft::TraceEvent& event) override { s_.traces.push_back(event); }
  void send(const raft::Message& message) override { c_.queue_.push_back(message); }
  Status persist(const PersistBatch& batch) override {
    Status persisted = s_.storage.persist(batch);
    if (persisted.is_ok()) {
      for (CoreObserver* o : c_.observers_) o->on_persist(id_, batch);
    }
    return persisted;
  }
  Status restore(const raft::Snapshot& snapshot) override {
    s_.applied.clear();
    s_.applied.push_back("snapshot:" + snapshot.data);
    s_.applied_index = snapshot.meta.last_index;
    for (CoreObserver* o : c_.observers_) o->on_restore(id_, snapshot);
    return Status::ok();
  }
  void apply(const raft::Entry& entry) override {
    QUORUM_ASSERT(entry.index == s_.applied_index + 1, "node {} applies {} after {}", id_,
                  entry.index, s_.applied_index);
    s_.applied_index = entry.index;
    if (entry.kind == raft::EntryKind::kCommand) s_.applied.push_back(entry.data);
    for (CoreObserver* o : c_.observers_) o->on_apply(id_, entry);
  }
  void read_confirmed(const raft::ReadState& read) override { s_.read_states.push_back(read); }
  LogIndex applied_index() const override { return s_.applied_index; }

 private:
  CoreCluster& c_;
  NodeId id_;
  Slot& s_;
};

CoreCluster::CoreCluster(PrngFn prng, Mutation host_mutation)
    : prng_(std::move(prng)), host_mutation_(host_mutation) {}

CoreCluster::~CoreCluster() = default;

CoreCluster::Slot& CoreCluster::slot(NodeId id) {
  auto it = nodes_.find(id);
  QUORUM_ASSERT(it != nodes_.end(), "no node {}", id);
  return *it->second;
}

const CoreCluster::Slot& CoreCluster::slot(NodeId id) const {
  auto it = nodes_.find(id);
  QUORUM_ASSERT(it != nodes_.end(), "no node {}", id);
  return *it->second;
}

void CoreCluster::add_node(const raft::RaftConfig& config, const raft::Membership& bootstrap) {
  QUORUM_ASSERT(config.id != kNoNode && !exists(config.id), "node {} exists", config.id);
  auto s = std::make_unique<Slot>();
  s->config = config;
  s->bootstrap = bootstrap;
  nodes_[config.id] = std::move(s);
  start(config.id);
}

void CoreCluster::start(NodeId id) {
  Slot& s = slot(id);
  QUORUM_ASSERT(s.node == nullptr, "node {} is up", id);
  Result<LoadedState> loaded = s.storage.load();
  QUORUM_ASSERT(loaded.has_value(), "node {}: {}", id, loaded.error().to_string());
  raft::PersistedState state = loaded->persisted;
  state.bootstrap = s.bootstrap;
  s.applied.clear();
  s.applied_index = 0;
  if (loaded->snapshot) {
    state.snapshot_data = loaded->snapshot->data;
    s.applied.push_back("snapshot:" + loaded->snapshot->data);
    s.applied_index = loaded->snapshot->meta.last_index;
  }
  s.node = std::make_unique<raft::Node>(s.config, state, prng_(id, s.starts++));
  s.seen = raft::observe(*s.node);
  for (CoreObserver* o : observers_) o->on_start(id, state);
}

void CoreCluster::stop(NodeId id) {
  Slot& s = slot(id);
  QUORUM_ASSERT(s.node != nullptr, "node {} is down", id);
  s.node.reset();
  for (CoreObserver* o : observers_) o->on_down(id);
}

void CoreCluster::crash(NodeId id) { stop(id); }

void CoreCluster::power_loss(NodeId id) {
  stop(id);
  slot(id).storage.crash();
}

void CoreCluster::restart(NodeId id) { start(id); }

bool CoreCluster::is_up(NodeId id) const {
  auto it = nodes_.find(id);
  return it != nodes_.end() && it->second->node != nullptr;
}

std::vector<NodeId> CoreCluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, s] : nodes_) {
    if (s->node) out.push_back(id);
  }
  return out;
}

std::vector<NodeId> CoreCluster::all_ids() const {
  std::vector<NodeId> out;
  for (const auto& kv : nodes_) out.push_back(kv.first);
  return out;
}

raft::Node& CoreCluster::node(NodeId id) {
  Slot& s = slot(id);
  QUORUM_ASSERT(s.node != nullptr, "node {} is down", id);
  return *s.node;
}

const raft::Node& CoreCluster::node(NodeId id) const {
  const Slot& s = slot(id);
  QUORUM_ASSERT(s.node != nullptr, "node {} is down", id);
  return *s.node;
}

MemoryStorage& CoreCluster::storage(NodeId id) { return slot(id).storage; }
const raft::RaftConfig& CoreCluster::config(NodeId id) const { return slot(id).config; }
const raft::Membership& CoreCluster::bootstrap(NodeId id) const { return slot(id).bootstrap; }
std::uint64_t CoreCluster::incarnation(NodeId id) const { return slot(id).starts - 1; }
const std::vector<std::string>& CoreCluster::applied(NodeId id) const { return slot(id).applied; }
LogIndex CoreCluster::applied_index(NodeId id) const { return slot(id).applied_index; }
std::vector<raft::TraceEvent>& CoreCluster::traces(NodeId id) { return slot(id).traces; }
std::vector<raft::ReadState>& CoreCluster::read_states(NodeId id) {
  return slot(id).read_states;
}

bool CoreCluster::handle_ready(NodeId id) {
  Slot& s = slot(id);
  if (s.node == nullptr || !s.node->has_ready()) return false;
  raft::Ready ready = s.node->ready();
  for (CoreObserver* o : observers_) o->on_ready(id, ready);
  ++ready_count_;
  Effects effects(*this, id, s);
  const Status executed = execute_ready(ready, make_persist_batch(ready), effects, host_mutation_);
  // MemoryStorage fails only when a test injects a failure; the node then fail-stops.
  if (!executed.is_ok()) {
    stop(id);
    return true;
  }
  s.node->advance(raft::ReadyAck{ready.seq});
  return true;
}

std::string CoreCluster::check_node(NodeId id) {
  Slot& s = slot(id);
  if (s.node == nullptr) return {};
  std::string why = raft::check_node_state(*s.node);
  if (!why.empty()) return fmt::format("node {}: {}", id, why);
  const raft::NodeObservation now = raft::observe(*s.node);
  why = raft::check_node_transition(s.seen, now);
  s.seen = now;
  return why;
}

CoreCluster::Delivery CoreCluster::step(const raft::Message& message) {
  if (!is_up(message.to)) return Delivery::kReceiverDown;
  switch (faults_.decide(message)) {
    case NetworkFaults::Verdict::kCut: return Delivery::kCut;
    case NetworkFaults::Verdict::kDropped: return Delivery::kDropped;
    case NetworkFaults::Verdict::kPass: break;
  }
  for (CoreObserver* o : observers_) o->on_deliver(message);
  slot(message.to).node->step(message);
  return Delivery::kDelivered;
}

}  // namespace quorum::host
