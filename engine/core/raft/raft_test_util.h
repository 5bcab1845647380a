// Test-only helpers for the raft unit tests: an in-test network that delivers messages between
// Nodes, persists each Ready into an in-memory "disk" and applies committed entries. Used only by
// engine/core/raft/*_test.cc.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/core/base/assert.h"
#include "engine/core/raft/invariants.h"
#include "engine/core/raft/node.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft::testing {

inline Membership voters(std::initializer_list<NodeId> ids) {
  Membership m;
  for (NodeId id : ids) m.members.push_back({id, MemberRole::kVoter, 1});
  std::sort(m.members.begin(), m.members.end(),
            [](const Member& a, const Member& b) { return a.id < b.id; });
  return m;
}

inline Membership voters_n(std::size_t n) {
  Membership m;
  for (NodeId id = 1; id <= n; ++id) m.members.push_back({id, MemberRole::kVoter, 1});
  return m;
}

inline RaftConfig test_config(NodeId id) {
  RaftConfig c;
  c.id = id;
  c.election_timeout_ticks = 10;
  c.heartbeat_interval_ticks = 1;
  return c;
}

// What one node's Storage port holds.
struct Disk {
  HardState hard_state;
  std::optional<Snapshot> snapshot;
  std::vector<Entry> entries;
  Membership bootstrap;

  PersistedState persisted() const {
    PersistedState s;
    s.hard_state = hard_state;
    if (snapshot) {
      s.snapshot = snapshot->meta;
      s.snapshot_data = snapshot->data;
    }
    s.entries = entries;
    s.bootstrap = bootstrap;
    return s;
  }
};

class Cluster {
 public:
  // n voters with ids 1..n, each with test_config(id) adjusted by `tweak`.
  explicit Cluster(std::size_t n, std::function<void(RaftConfig&)> tweak = {},
                   std::uint64_t seed = 1)
      : Cluster(voters_n(n), std::move(tweak), seed) {}

  Cluster(const Membership& membership, std::function<void(RaftConfig&)> tweak, std::uint64_t seed)
      : tweak_(std::move(tweak)), seed_(seed) {
    for (const Member& m : membership.members) add_node(m.id, membership);
  }

  void add_node(NodeId id, const Membership& bootstrap) {
    disks_[id].bootstrap = bootstrap;
    start(id);
  }

  RaftConfig config_for(NodeId id) const {
    RaftConfig c = test_config(id);
    if (tweak_) tweak_(c);
    c.id = id;
    return c;
  }

  void start(NodeId id) {
    nodes_[id] = std::make_unique<Node>(config_for(id), disks_[id].persisted(),
                                        Prng(seed_ * 1000 + id + 7919 * restarts_[id]));
    applied_[id].clear();
    observations_[id] = observe(*nodes_[id]);
    if (disks_[id].snapshot) applied_[id].push_back("snapshot:" + disks_[id].snapshot->data);
    down_.erase(id);
  }

  // Crash: the node loses its volatile state; its disk stays (everything was synced).
  void crash(NodeId id) {
    nodes_.erase(id);
    down_.insert(id);
  }
  void restart(NodeId id) {
    ++restarts_[id];
    start(id);
  }

  Node& node(NodeId id) {
    QUORUM_ASSERT(nodes_.contains(id), "node {} is down", id);
    return *nodes_.at(id);
  }
  const Node::Impl& impl(NodeId id) { return node(id).internals(); }
  Disk& disk(NodeId id) { return disks_[id]; }
  const std::vector<std::string>& applied(NodeId id) { return applied_[id]; }
  std::vector<TraceEvent>& traces(NodeId id) { return traces_[id]; }
  std::vector<ReadState>& read_states(NodeId id) { return read_states_[id]; }
  std::vector<NodeId> ids() const {
    std::vector<NodeId> out;
    for (const auto& kv : nodes_) out.push_back(kv.first);
    return out;
  }
  bool is_up(NodeId id) const { return nodes_.contains(id); }

  // Network faults.
  void cut(NodeId a, NodeId b) {
    cut_.insert({a, b});
    cut_.insert({b, a});
  }
  void cut_one_way(NodeId from, NodeId to) { cut_.insert({from, to}); }
  void isolate(NodeId a) {
    for (const auto& kv : disks_) {
      if (kv.first != a) cut(a, kv.first);
    }
  }
  void partition(const std::vector<NodeId>& side) {
    for (const auto& a : disks_) {
      for (const auto& b : disks_) {
        const bool a_in = std::find(side.begin(), side.end(), a.first) != side.end();
        const bool b_in = std::find(side.begin(), side.end(), b.first) != side.end();
        if (a_in != b_in) cut_.insert({a.first, b.first});
      }
    }
  }
  void heal() { cut_.clear(); }
  // Messages for which the filter returns true are dropped.
  void set_drop(std::function<bool(const Message&)> drop) { drop_ = std::move(drop); }

  // Every invariant of every live node, and monotonic evolution since the last check.
  void check_invariants(NodeId id) {
    Node& n = node(id);
    const std::string why = check_node_state(n);
    QUORUM_ASSERT(why.empty(), "node {}: {}", id, why);
    const NodeObservation now = observe(n);
    const std::string delta = check_node_transition(observations_[id], now);
    QUORUM_ASSERT(delta.empty(), "{}", delta);
    observations_[id] = now;
  }

  // Persists and applies one Ready of `id`, queueing its messages.
  void process_ready(NodeId id) {
    Node& n = node(id);
    check_invariants(id);
    if (!n.has_ready()) return;
    Ready r = n.ready();
    QUORUM_ASSERT(r.check().empty(), "{}", r.check());
    ++ready_count_;
    for (Message& m : r.messages) queue_.push_back(std::move(m));
    Disk& d = disks_[id];
    if (r.snapshot) {
      d.snapshot = *r.snapshot;
      const LogIndex si = r.snapshot->meta.last_index;
      if (r.snapshot_received) {
        d.entries.clear();
      } else {
        std::erase_if(d.entries, [&](const Entry& e) { return e.index <= si; });
      }
    }
    if (!r.entries.empty()) {
      const LogIndex from = r.entries.front().index;
      const LogIndex first = d.entries.empty() ? from : d.entries.front().index;
      if (from <= first) {
        d.entries.clear();
      } else if (from - first < d.entries.size()) {
        d.entries.resize(from - first);
      }
      d.entries.insert(d.entries.end(), r.entries.begin(), r.entries.end());
    }
    if (r.hard_state) d.hard_state = *r.hard_state;
    for (Message& m : r.messages_after_persist) queue_.push_back(std::move(m));
    if (r.snapshot && r.snapshot_received) {
      applied_[id].clear();
      applied_[id].push_back("snapshot:" + r.snapshot->data);
    }
    for (const Entry& e : r.committed_entries) {
      if (e.kind == EntryKind::kCommand) applied_[id].push_back(e.data);
    }
    for (const ReadState& rs : r.read_states) read_states_[id].push_back(rs);
    for (const TraceEvent& t : r.trace_events) traces_[id].push_back(t);
    n.advance(ReadyAck{r.seq});
  }

  bool any_ready() {
    for (NodeId id : ids()) {
      if (node(id).has_ready()) return true;
    }
    return false;
  }

  void process_all_readies() {
    for (NodeId id : ids()) process_ready(id);
  }

  // Network chaos for randomized tests: each message is dropped, duplicated or delayed to the
  // next tick with the given per-mille probabilities, and each batch is shuffled (reordering).
  void set_chaos(std::uint64_t seed, std::uint64_t drop_pm, std::uint64_t dup_pm,
                 std::uint64_t delay_pm) {
    chaos_.emplace(seed);
    drop_pm_ = drop_pm;
    dup_pm_ = dup_pm;
    delay_pm_ = delay_pm;
  }

  // Delivers every queued message once (messages produced meanwhile wait for the next call).
  std::size_t deliver_queued() {
    std::vector<Message> batch(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.end()));
    queue_.clear();
    if (chaos_) {
      std::vector<Message> out;
      for (Message& m : batch) {
        if (chaos_->chance(drop_pm_, 1000)) continue;
        if (chaos_->chance(delay_pm_, 1000)) {
          delayed_.push_back(std::move(m));
          continue;
        }
        if (chaos_->chance(dup_pm_, 1000)) out.push_back(m);
        out.push_back(std::move(m));
      }
      for (std::size_t i = out.size(); i > 1; --i) {
        std::swap(out[i - 1], out[chaos_->uniform(0, i)]);
      }
      batch = std::move(out);
    }
    std::size_t delivered = 0;
    for (const Message& m : batch) {
      if (!nodes_.contains(m.to) || cut_.contains({m.from, m.to})) continue;
      if (drop_ && drop_(m)) continue;
      if (observer_) observer_(m);
      nodes_.at(m.to)->step(m);
      ++delivered;
      process_ready(m.to);
    }
    return delivered;
  }

  // Runs readies and deliveries until nothing moves.
  void stabilize() {
    for (int i = 0; i < 10'000; ++i) {
      process_all_readies();
      if (queue_.empty() && !any_ready()) return;
      deliver_queued();
    }
    QUORUM_ASSERT(false, "cluster did not stabilize");
  }

  // One tick on every live node, then stabilize.
  void tick(std::size_t count = 1) {
    for (std::size_t i = 0; i < count; ++i) {
      for (Message& m : delayed_) queue_.push_back(std::move(m));
      delayed_.clear();
      for (NodeId id : ids()) node(id).tick();
      stabilize();
    }
  }
  void tick_node(NodeId id, std::size_t count = 1) {
    for (std::size_t i = 0; i < count; ++i) {
      node(id).tick();
      stabilize();
    }
  }

  // Ticks until some node leads (at most `ticks_max`), returns it or kNoNode.
  NodeId elect(std::size_t ticks_max = 200) {
    for (std::size_t i = 0; i < ticks_max; ++i) {
      NodeId l = leader();
      if (l != kNoNode) return l;
      tick();
    }
    return leader();
  }

  // The one live leader of the highest term, or kNoNode.
  NodeId leader() {
    NodeId best = kNoNode;
    Term best_term = 0;
    for (const auto& [id, n] : nodes_) {
      if (n->role() == Role::kLeader && n->term() >= best_term) {
        best = id;
        best_term = n->term();
      }
    }
    return best;
  }

  std::size_t count_traces(NodeId id, TraceKind kind) {
    return static_cast<std::size_t>(
        std::count_if(traces_[id].begin(), traces_[id].end(),
                      [&](const TraceEvent& t) { return t.kind == kind; }));
  }
  std::size_t count_traces_all(TraceKind kind) {
    std::size_t n = 0;
    for (const auto& kv : disks_) n += count_traces(kv.first, kind);
    return n;
  }

  std::vector<Message>& queue() { return queue_; }
  void set_observer(std::function<void(const Message&)> f) { observer_ = std::move(f); }
  std::size_t ready_count() const { return ready_count_; }

 private:
  std::function<void(RaftConfig&)> tweak_;
  std::uint64_t seed_;
  std::map<NodeId, std::unique_ptr<Node>> nodes_;
  std::map<NodeId, Disk> disks_;
  std::map<NodeId, std::uint64_t> restarts_;
  std::set<NodeId> down_;
  std::map<NodeId, std::vector<std::string>> applied_;
  std::map<NodeId, NodeObservation> observations_;
  std::map<NodeId, std::vector<TraceEvent>> traces_;
  std::map<NodeId, std::vector<ReadState>> read_states_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::function<bool(const Message&)> drop_;
  std::function<void(const Message&)> observer_;
  std::vector<Message> queue_;
  std::vector<Message> delayed_;
  std::optional<Prng> chaos_;
  std::uint64_t drop_pm_ = 0;
  std::uint64_t dup_pm_ = 0;
  std::uint64_t delay_pm_ = 0;
  std::size_t ready_count_ = 0;
};

// A lone node for message-level tests: the test feeds messages and inspects what comes out.
inline std::unique_ptr<Node> make_node(NodeId id, const Membership& membership,
                                       std::function<void(RaftConfig&)> tweak = {},
                                       PersistedState state = {}, std::uint64_t seed = 1) {
  RaftConfig c = test_config(id);
  if (tweak) tweak(c);
  state.bootstrap = membership;
  return std::make_unique<Node>(c, state, Prng(seed));
}

// A voter with priority 0 (it never campaigns, so a test controls it fully) whose restart
// stickiness has run out: it grants votes to whoever qualifies.
inline std::unique_ptr<Node> quiet_voter(NodeId id, Membership membership,
                                         std::function<void(RaftConfig&)> tweak = {},
                                         PersistedState state = {}) {
  for (Member& m : membership.members) {
    if (m.id == id) m.priority = 0;
  }
  auto n = make_node(id, membership, std::move(tweak), std::move(state));
  for (int i = 0; i < 40; ++i) n->tick();
  if (n->has_ready()) {
    Ready r = n->ready();
    n->advance(ReadyAck{r.seq});
  }
  return n;
}

// Collects the node's Ready (acknowledging it at once) and returns it.
inline Ready drain(Node& n) {
  if (!n.has_ready()) return Ready{};
  Ready r = n.ready();
  n.advance(ReadyAck{r.seq});
  return r;
}

inline std::vector<Message> all_messages(const Ready& r) {
  std::vector<Message> out = r.messages;
  out.insert(out.end(), r.messages_after_persist.begin(), r.messages_after_persist.end());
  return out;
}

template <typename T>
std::vector<Message> messages_of(const std::vector<Message>& ms) {
  std::vector<Message> out;
  for (const Message& m : ms) {
    if (std::holds_alternative<T>(m.body)) out.push_back(m);
  }
  return out;
}

inline Message msg(NodeId from, NodeId to, Term term, MessageBody body) {
  return Message{from, to, term, std::move(body)};
}

inline Entry entry(Term term, LogIndex index, std::string data = "x") {
  return Entry{term, index, EntryKind::kCommand, std::move(data), {}};
}

}  // namespace quorum::raft::testing
