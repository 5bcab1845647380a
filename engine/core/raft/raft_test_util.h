// Test-only helpers for the raft unit tests: the core harness (engine/host/memory/core_cluster.h)
// with the raft tests' defaults, plus lone nodes for message-level tests. Used only by
// engine/core/raft/*_test.cc: it reaches node_impl.h, which nothing outside the core may include
// (tools/lint/check_layering.cmake). Test code: it may include test support from engine/host.
#pragma once

#include <algorithm>
#include <deque>
#include <optional>
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
#include "engine/host/memory/core_cluster.h"

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

// The raft unit tests' view of the one core harness (engine/host/memory/core_cluster.h): nodes
// with test_config, the ticking and delivery loops these tests were written against, the core's
// invariants asserted before every Ready, and the internals of a node (this header is the only
// user of node_impl.h outside the core, which is why it lives here and not in tests/support).
class Cluster {
 public:
  // n voters with ids 1..n, each with test_config(id) adjusted by `tweak`.
  explicit Cluster(std::size_t n, std::function<void(RaftConfig&)> tweak = {},
                   std::uint64_t seed = 1)
      : Cluster(voters_n(n), std::move(tweak), seed) {}

  Cluster(const Membership& membership, std::function<void(RaftConfig&)> tweak, std::uint64_t seed)
      : tweak_(std::move(tweak)),
        core_([seed](NodeId id, std::uint64_t incarnation) {
          return Prng(seed * 1000 + id + 7919 * incarnation);
        }) {
    for (const Member& m : membership.members) add_node(m.id, membership);
  }

  void add_node(NodeId id, const Membership& bootstrap) { core_.add_node(config_for(id), bootstrap); }

  RaftConfig config_for(NodeId id) const {
    RaftConfig c = test_config(id);
    if (tweak_) tweak_(c);
    c.id = id;
    return c;
  }

  // Crash: the node loses its volatile state; its disk stays (everything it wrote is kept).
  void crash(NodeId id) { core_.crash(id); }
  void restart(NodeId id) { core_.restart(id); }

  Node& node(NodeId id) { return core_.node(id); }
  const Node::Impl& impl(NodeId id) { return node(id).internals(); }
  // What the node's store holds now.
  const host::StoredState& disk(NodeId id) { return core_.storage(id).current(); }
  const std::vector<std::string>& applied(NodeId id) { return core_.applied(id); }
  std::vector<TraceEvent>& traces(NodeId id) { return core_.traces(id); }
  std::vector<ReadState>& read_states(NodeId id) { return core_.read_states(id); }
  std::vector<NodeId> ids() const { return core_.ids(); }
  bool is_up(NodeId id) const { return core_.is_up(id); }
  host::CoreCluster& core() { return core_; }

  // Network faults.
  void cut(NodeId a, NodeId b) { core_.cut(a, b); }
  void cut_one_way(NodeId from, NodeId to) { core_.cut_one_way(from, to); }
  void isolate(NodeId a) { core_.isolate(a); }
  // Cuts every link between `side` and the other nodes.
  void partition(const std::vector<NodeId>& side) {
    std::vector<NodeId> rest;
    for (NodeId id : core_.all_ids()) {
      if (std::find(side.begin(), side.end(), id) == side.end()) rest.push_back(id);
    }
    core_.partition({side, rest});
  }
  void heal() { core_.heal(); }
  // Messages for which the filter returns true are dropped.
  void set_drop(std::function<bool(const Message&)> drop) { core_.set_drop(std::move(drop)); }

  // Every invariant of every live node, and monotonic evolution since the last check.
  void check_invariants(NodeId id) {
    const std::string why = core_.check_node(id);
    QUORUM_ASSERT(why.empty(), "{}", why);
  }

  // Persists and applies one Ready of `id` (the host's Ready executor), queueing its messages.
  void process_ready(NodeId id) {
    check_invariants(id);
    core_.handle_ready(id);
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
    std::vector<Message> batch(std::make_move_iterator(core_.queue().begin()),
                               std::make_move_iterator(core_.queue().end()));
    core_.queue().clear();
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
      if (core_.step(m) != host::CoreCluster::Delivery::kDelivered) continue;
      ++delivered;
      process_ready(m.to);
    }
    return delivered;
  }

  // Runs readies and deliveries until nothing moves.
  void stabilize() {
    for (int i = 0; i < 10'000; ++i) {
      process_all_readies();
      if (core_.queue().empty() && !any_ready()) return;
      deliver_queued();
    }
    QUORUM_ASSERT(false, "cluster did not stabilize");
  }

  // One tick on every live node, then stabilize.
  void tick(std::size_t count = 1) {
    for (std::size_t i = 0; i < count; ++i) {
      for (Message& m : delayed_) core_.queue().push_back(std::move(m));
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
    for (NodeId id : ids()) {
      const Node& n = node(id);
      if (n.role() == Role::kLeader && n.term() >= best_term) {
        best = id;
        best_term = n.term();
      }
    }
    return best;
  }

  std::size_t count_traces(NodeId id, TraceKind kind) {
    const std::vector<TraceEvent>& t = traces(id);
    return static_cast<std::size_t>(
        std::count_if(t.begin(), t.end(), [&](const TraceEvent& e) { return e.kind == kind; }));
  }
  std::size_t count_traces_all(TraceKind kind) {
    std::size_t n = 0;
    for (NodeId id : core_.all_ids()) n += count_traces(id, kind);
    return n;
  }

  std::deque<Message>& queue() { return core_.queue(); }
  // Sees every message just before it is stepped.
  void set_observer(std::function<void(const Message&)> f) {
    observer_.fn = std::move(f);
    if (!observer_added_) core_.add_observer(&observer_);
    observer_added_ = true;
  }
  std::size_t ready_count() const { return core_.ready_count(); }

 private:
  struct DeliveryObserver : host::CoreObserver {
    std::function<void(const Message&)> fn;
    void on_deliver(const Message& m) override {
      if (fn) fn(m);
    }
  };

  std::function<void(RaftConfig&)> tweak_;
  host::CoreCluster core_;
  DeliveryObserver observer_;
  bool observer_added_ = false;
  std::vector<Message> delayed_;
  std::optional<Prng> chaos_;
  std::uint64_t drop_pm_ = 0;
  std::uint64_t dup_pm_ = 0;
  std::uint64_t delay_pm_ = 0;
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
