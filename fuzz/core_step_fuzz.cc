// libFuzzer target: the input bytes drive a small cluster of pure Raft cores step by step, and
// the shared safety judges (engine/check) run after every step; a violation aborts.
//
// Each node is a raft::Node whose Readys are executed by the host's own Ready executor
// (host::handle_ready: persist before send, apply through the ApplyLoop) into a MemoryStorage,
// the reference in-memory store (only synced batches survive a crash). The network is one queue
// of messages in flight that the input picks from.
//
// Input: [u8 setup][u8 start term] then 3-byte steps [op][a][b] until the input ends.
//   setup: bit 0: 5 nodes (else 3); bit 1: PreVote off; bit 2: CheckQuorum off.
//   start term: 0 a fresh cluster; otherwise every node starts at term kTermMax - (b % 8), so
//   the terms near the limit are exercised (a node at kTermMax stops campaigning).
//   op % 16: 0 tick node a (1 + b % 16 ticks); 1 tick every live node (1 + b % 4 times);
//     2 deliver queued message a; 3 deliver the first queued message to node a % 8 from node
//     b % 8 of class b >> 6 (0 votes, 1 appends, 2 append answers, 3 snapshots and TimeoutNow),
//     or failing that the first to a % 8 of that class, or the first to a % 8;
//     4 drop message a; 5 duplicate message a; 6 move message a to the back (reordering);
//     7 deliver up to 1 + a % 32 queued messages in order; 8 propose a config write on node a
//     (b picks path and content; b & 0x80: a ReadIndex instead); 9 transfer leadership on node a
//     to node b % 6 (0: the best); 10 step-down on node a; 11 membership change on node a
//     (b % 5 the kind, b / 5 % n + 1 the node); 12 crash node a (unsynced writes lost; its
//     queued messages stay in flight), or with b & 0x80 arm a power loss during node a's next
//     write: it runs on until a Ready has something to persist, which then never reaches the
//     disk and the node is down (what that Ready sent before its persist is in flight; a vote
//     granted, then lost with its reply on the wire, is the schedule that exposes a reply sent
//     before its vote is durable); 13 restart node a from its storage; 14 mutate a field of
//     message a (b picks which: terms near kTermMax, indexes, commit, flags), keep it only if the
//     codec would accept it, and deliver it; 15 compact node a at its applied index.
//   Node arguments are taken modulo the node count (ids 1..n).
// After a mutated message was delivered the run is no longer an honest Raft execution (a forged
// message is a Byzantine peer): the judges and the cross-step checks (one vote and one leader per
// term) stop, and only the core's own assertions, its state invariants (raft/invariants.h
// check_node_state) and the Ready contract still hold, which must never break on any message
// the codec accepts.
//
// QUORUM_FUZZ_MUTATION=<name> (base/mutation.h kMutationNames; only in -DQUORUM_MUTATIONS=ON
// builds) plants that bug in every node: the judges must then find it (docs/fuzzing.md).
// QUORUM_FUZZ_CORE_INVARIANTS=0 leaves out the core's own invariants, so that the measured
// executions-to-find say what the shared judges alone catch.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/check/durability.h"
#include "engine/check/election_safety.h"
#include "engine/check/findings.h"
#include "engine/check/leader_completeness.h"
#include "engine/check/log_matching.h"
#include "engine/check/log_model.h"
#include "engine/check/state_machine_safety.h"
#include "engine/core/base/assert.h"
#include "engine/core/base/mutation.h"
#include "engine/core/raft/invariants.h"
#include "engine/core/raft/node.h"
#include "engine/host/app_command.h"
#include "engine/host/apply_loop.h"
#include "engine/host/hooks.h"
#include "engine/host/memory/memory_storage.h"
#include "engine/host/ready_handler.h"
#include "engine/wire/codec.h"

namespace {

namespace q = quorum;
namespace raft = quorum::raft;
namespace check = quorum::check;
namespace host = quorum::host;
using q::LogIndex;
using q::NodeId;
using q::Term;

constexpr std::size_t kQueueMessagesMax = 512;  // sends beyond it are lost (a full network)
constexpr std::size_t kStepsMax = 2'000;

q::Mutation mutation_from_env() {
  const char* name = std::getenv("QUORUM_FUZZ_MUTATION");
  if (name == nullptr || *name == '\0') return q::Mutation::kNone;
  for (std::size_t i = 0; i < q::kMutationNames.size(); ++i) {
    if (q::kMutationNames[i] == name) return static_cast<q::Mutation>(i);
  }
  QUORUM_ASSERT(false, "QUORUM_FUZZ_MUTATION={}: no such planted bug", name);
  return q::Mutation::kNone;
}

class Cluster;

// The network port of one node: what it sends goes into the cluster's queue.
class QueueTransport final : public host::Transport {
 public:
  explicit QueueTransport(Cluster& cluster) : cluster_(cluster) {}
  void send(const raft::Message& message) override;

 private:
  Cluster& cluster_;
};

struct Setup {
  std::size_t node_count = 3;
  bool pre_vote = true;
  bool check_quorum = true;
  Term start_term = 0;
  q::Mutation mutation = q::Mutation::kNone;
};

class Cluster {
 public:
  explicit Cluster(const Setup& setup);

  std::size_t node_count() const { return setup_.node_count; }
  NodeId node_arg(std::uint8_t a) const { return static_cast<NodeId>(a % setup_.node_count + 1); }
  std::vector<raft::Message>& queue() { return queue_; }
  bool honest() const { return honest_; }
  void enqueue(const raft::Message& m) {
    if (queue_.size() < kQueueMessagesMax) queue_.push_back(m);
  }

  void tick(NodeId id, std::size_t count);
  void tick_all(std::size_t count);
  void deliver(std::size_t position);
  void deliver_matching(NodeId to, NodeId from, unsigned klass);
  void propose(NodeId id, std::uint8_t b);
  void transfer(NodeId id, NodeId target);
  void step_down(NodeId id);
  void change_membership(NodeId id, std::uint8_t b);
  void crash(NodeId id);
  void arm_power_loss(NodeId id);
  void restart(NodeId id);
  void deliver_mutated(std::size_t position, std::uint8_t field);
  void compact(NodeId id);

  // After every step: the judges, then each live core's own invariants.
  void judge();
  // One line per node (QUORUM_FUZZ_VERBOSE=1: what an input did, for seeds and reports).
  void print_summary() const;

 private:
  struct Slot {
    host::MemoryStorage storage;
    host::HostHooks hooks;
    std::unique_ptr<host::ApplyLoop> apply_loop;
    std::unique_ptr<raft::Node> node;
    raft::NodeObservation observed;
    std::uint64_t incarnation = 0;
    // Proposals this node accepted: acknowledged to the client when it applies (index, term).
    std::map<LogIndex, Term> proposed;
    bool lose_next_write = false;  // op 12 with b & 0x80
  };

  raft::RaftConfig config_for(NodeId id) const;
  void install_hooks(NodeId id);
  void start(NodeId id);
  void step(NodeId id, const raft::Message& m);
  void handle_readys(NodeId id);
  bool up(NodeId id) const { return slots_.at(id)->node != nullptr; }
  std::uint64_t now_us() const { return steps_ * 1'000; }

  Setup setup_;
  raft::Membership bootstrap_;
  QueueTransport transport_{*this};
  std::map<NodeId, std::unique_ptr<Slot>> slots_;
  std::vector<raft::Message> queue_;
  bool honest_ = true;
  std::uint64_t first_forged_step_ = 0;
  std::uint64_t steps_ = 0;

  check::Findings findings_;
  check::LogMatching log_matching_{findings_};
  check::LogModel logs_;
  check::StateMachineSafety applied_;
  check::ElectionSafety election_{findings_};
  check::LeaderCompleteness completeness_;
  check::Durability durability_;

 public:
  void count_step() { ++steps_; }
};

void QueueTransport::send(const raft::Message& message) { cluster_.enqueue(message); }

Cluster::Cluster(const Setup& setup)
    : setup_(setup),
      logs_(setup.node_count,
            [this](LogIndex i, Term t) { return log_matching_.chain_of(i, t); }),
      applied_(findings_, setup.node_count),
      completeness_(findings_, logs_, applied_),
      durability_(findings_, applied_) {
  for (NodeId id = 1; id <= setup.node_count; ++id) {
    bootstrap_.members.push_back({id, raft::MemberRole::kVoter, 1});
  }
  for (NodeId id = 1; id <= setup.node_count; ++id) {
    slots_[id] = std::make_unique<Slot>();
    if (setup.start_term > 0) {
      host::PersistBatch batch;
      batch.hard_state = raft::HardState{setup.start_term, q::kNoNode, 0};
      batch.sync = true;
      QUORUM_ASSERT(slots_[id]->storage.persist(batch).is_ok());
    }
    install_hooks(id);
    start(id);
  }
}

raft::RaftConfig Cluster::config_for(NodeId id) const {
  raft::RaftConfig c;
  c.id = id;
  // Short timeouts: an election takes a handful of ticks, so the fuzzer reaches deep states.
  c.election_timeout_ticks = 4;
  c.heartbeat_interval_ticks = 1;
  c.pre_vote = setup_.pre_vote;
  c.check_quorum = setup_.check_quorum;
  c.inflight_messages_max = 4;
  c.mutation = setup_.mutation;
  return c;
}

void Cluster::install_hooks(NodeId id) {
  Slot& s = *slots_[id];
  s.hooks.persist.push_back([this, id](const host::PersistBatch& batch) {
    const raft::SnapshotMeta* snapshot = batch.snapshot ? &batch.snapshot->meta : nullptr;
    logs_.on_persist(id, snapshot, batch.entries,
                     [this](NodeId n, LogIndex i, Term t, std::uint64_t chain) {
                       log_matching_.on_written(now_us(), n, i, t, chain);
                     });
  });
  s.hooks.apply.push_back([this, id](const raft::Entry& e) {
    applied_.on_apply(now_us(), id, e, logs_.chain_at(id, e.index));
    durability_.on_apply(now_us(), id, e.index, check::entry_digest(e));
    Slot& slot = *slots_[id];
    auto it = slot.proposed.find(e.index);
    if (it != slot.proposed.end()) {
      if (it->second == e.term) durability_.on_ack(now_us(), id, e.index);
      slot.proposed.erase(it);
    }
  });
  s.hooks.role_change.push_back([this, id](const raft::SoftState& state) {
    election_.on_role(now_us(), id, state);
    completeness_.on_role(now_us(), id, state);
  });
}

// As NodeHost::start: load, restore the state machines from the snapshot, build the core.
void Cluster::start(NodeId id) {
  Slot& s = *slots_[id];
  q::Result<host::LoadedState> loaded = s.storage.load();
  QUORUM_ASSERT(loaded.has_value(), "{}", loaded.error().to_string());
  s.apply_loop = std::make_unique<host::ApplyLoop>(s.hooks);
  s.apply_loop->set_mutation(setup_.mutation);
  if (loaded->snapshot) {
    QUORUM_ASSERT(s.apply_loop->restore(*loaded->snapshot).is_ok());
  }
  raft::PersistedState persisted = std::move(loaded->persisted);
  persisted.bootstrap = bootstrap_;
  if (loaded->snapshot) persisted.snapshot_data = loaded->snapshot->data;
  logs_.reset(id, persisted, [this](NodeId n, LogIndex i, Term t, std::uint64_t chain) {
    log_matching_.on_written(now_us(), n, i, t, chain);
  });
  applied_.on_reset(id, loaded->snapshot ? loaded->snapshot->meta.last_index : LogIndex{0});
  s.node = std::make_unique<raft::Node>(config_for(id), persisted,
                                        q::Prng(id * 1'000'003 + s.incarnation * 7'919));
  QUORUM_ASSERT(s.node->applied_index() == s.apply_loop->applied_index());
  s.observed = raft::observe(*s.node);
  s.proposed.clear();
  handle_readys(id);
}

void Cluster::handle_readys(NodeId id) {
  Slot& s = *slots_[id];
  for (int i = 0; i < 64 && s.node->has_ready(); ++i) {
    raft::Ready ready = s.node->ready();
    host::ReadyContext context{transport_, s.storage, *s.apply_loop, s.hooks, setup_.mutation};
    // An armed power loss: this Ready's write fails as if the power went during it (nothing of
    // the batch stored; MemoryStorage::fail_after), and the node is down.
    if (s.lose_next_write) s.storage.fail_after(0, q::Status::io_error("power loss during the write"));
    const q::Status status = host::handle_ready(ready, context);
    if (!status.is_ok()) {
      QUORUM_ASSERT(s.lose_next_write, "{}", status.to_string());
      crash(id);
      return;
    }
    s.node->advance(raft::ReadyAck{ready.seq});
  }
}

void Cluster::step(NodeId id, const raft::Message& m) {
  if (m.to != id || m.from == id || !up(id)) return;
  slots_[id]->node->step(m);
  handle_readys(id);
}

void Cluster::tick(NodeId id, std::size_t count) {
  for (std::size_t i = 0; i < count && up(id); ++i) {
    slots_[id]->node->tick();
    handle_readys(id);
  }
}

void Cluster::tick_all(std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    for (auto& [id, slot] : slots_) tick(id, 1);
  }
}

void Cluster::deliver(std::size_t position) {
  if (queue_.empty()) return;
  position %= queue_.size();
  const raft::Message m = std::move(queue_[position]);
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(position));
  step(m.to, m);
}

unsigned message_class(const raft::Message& m) {
  if (std::holds_alternative<raft::VoteRequest>(m.body) ||
      std::holds_alternative<raft::VoteResponse>(m.body)) {
    return 0;
  }
  if (std::holds_alternative<raft::AppendRequest>(m.body)) return 1;
  if (std::holds_alternative<raft::AppendResponse>(m.body)) return 2;
  return 3;
}

// The first message to `to` from `from` of that class; failing that, the first to `to` of that
// class; failing that, the first to `to` (a simulator trace's delivery keeps its rhythm when the
// cores' runs differ).
void Cluster::deliver_matching(NodeId to, NodeId from, unsigned klass) {
  std::optional<std::size_t> same_class;
  std::optional<std::size_t> same_receiver;
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    const raft::Message& m = queue_[i];
    if (m.to != to) continue;
    if (m.from == from && message_class(m) == klass) return deliver(i);
    if (!same_class && message_class(m) == klass) same_class = i;
    if (!same_receiver) same_receiver = i;
  }
  if (same_class) return deliver(*same_class);
  if (same_receiver) deliver(*same_receiver);
}

void Cluster::propose(NodeId id, std::uint8_t b) {
  if (!up(id)) return;
  Slot& s = *slots_[id];
  if (b & 0x80) {
    (void)s.node->read_index(b);
  } else {
    const q::config_sync::Command command =
        q::config_sync::Put{"f" + std::to_string(b % 4) + ".cnf", std::string(1 + b % 7, 'a' + b % 26)};
    const raft::ProposeResult r = s.node->propose(host::encode_app_command(command));
    if (r.code == raft::ProposeResult::Code::kAccepted) s.proposed[r.index] = r.term;
  }
  handle_readys(id);
}

void Cluster::transfer(NodeId id, NodeId target) {
  if (!up(id)) return;
  (void)slots_[id]->node->transfer_leadership(target);
  handle_readys(id);
}

void Cluster::step_down(NodeId id) {
  if (!up(id)) return;
  (void)slots_[id]->node->step_down();
  handle_readys(id);
}

void Cluster::change_membership(NodeId id, std::uint8_t b) {
  if (!up(id)) return;
  using Kind = raft::MembershipChange::Kind;
  raft::MembershipChange change;
  change.kind = static_cast<Kind>(b % 5);
  change.node = static_cast<NodeId>(b / 5 % setup_.node_count + 1);
  change.priority = b / 25 % 3;
  (void)slots_[id]->node->propose_membership(change);
  handle_readys(id);
}

void Cluster::crash(NodeId id) {
  if (!up(id)) return;
  Slot& s = *slots_[id];
  s.node.reset();
  s.apply_loop.reset();
  s.lose_next_write = false;
  s.storage.clear_failure();
  s.storage.crash();
  ++s.incarnation;
}

void Cluster::arm_power_loss(NodeId id) {
  if (up(id)) slots_[id]->lose_next_write = true;
}

void Cluster::restart(NodeId id) {
  if (up(id)) return;
  start(id);
}

// Changes one field within what the codec carries; the message is kept only if the codec's
// validation (the network path's) accepts it.
raft::Message mutate(raft::Message m, std::uint8_t field) {
  const std::uint64_t near_max = q::kTermMax - field % 3;
  switch (field % 8) {
    case 0: m.term = near_max; break;
    case 1: m.term = m.term + 1; break;
    case 2: m.term = m.term > 0 ? m.term - 1 : 0; break;
    default: break;
  }
  std::visit(
      [&](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, raft::AppendRequest>) {
          if (field % 8 == 3) body.prev_log_index += 1 + field / 8 % 3;
          if (field % 8 == 4) body.prev_log_term = body.prev_log_term > 0 ? body.prev_log_term - 1 : 0;
          if (field % 8 == 5) body.leader_commit = UINT64_MAX - field / 8;
          if (field % 8 == 6) body.round = UINT64_MAX;
        } else if constexpr (std::is_same_v<T, raft::AppendResponse>) {
          if (field % 8 == 3) body.success = !body.success;
          if (field % 8 == 4) body.match_index = UINT64_MAX - field / 8;
          if (field % 8 == 5) body.reject_index += 1;
          if (field % 8 == 6) body.hint_term = near_max;
        } else if constexpr (std::is_same_v<T, raft::VoteRequest>) {
          if (field % 8 == 3) body.last_log_term = near_max;
          if (field % 8 == 4) body.last_log_index = UINT64_MAX;
          if (field % 8 == 5) body.leadership_transfer = !body.leadership_transfer;
          if (field % 8 == 6) body.pre_vote = !body.pre_vote;
        } else if constexpr (std::is_same_v<T, raft::VoteResponse>) {
          if (field % 8 >= 3) body.granted = !body.granted;
        } else if constexpr (std::is_same_v<T, raft::TimeoutNow>) {
          if (field % 8 >= 3) body.round = UINT64_MAX;
        }
      },
      m.body);
  if (field % 8 == 7) m.term = q::kTermMax;
  return m;
}

void Cluster::deliver_mutated(std::size_t position, std::uint8_t field) {
  if (queue_.empty()) return;
  position %= queue_.size();
  const raft::Message m = mutate(queue_[position], field);
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(position));
  if (!q::wire::check_message(m).empty()) return;  // the codec refuses it: it never arrives
  if (honest_) first_forged_step_ = steps_;
  honest_ = false;
  step(m.to, m);
}

void Cluster::compact(NodeId id) {
  if (!up(id)) return;
  Slot& s = *slots_[id];
  const LogIndex applied = s.apply_loop->applied_index();
  const LogIndex snapshot_index = s.storage.current().snapshot
                                      ? s.storage.current().snapshot->meta.last_index
                                      : 0;
  // As NodeHost::maybe_compact: only what the core agrees was applied.
  if (applied <= snapshot_index || s.node->applied_index() != applied) return;
  s.node->compact(applied, s.apply_loop->snapshot_data());
  handle_readys(id);
}

void Cluster::judge() {
  if (honest_ && findings_.any_safety()) {
    const check::InvariantViolation& v = findings_.all().front();
    QUORUM_ASSERT(false, "{} (node {}, step {}): {}", v.invariant, v.node, steps_, v.detail);
  }
  static const bool core_invariants = [] {
    const char* v = std::getenv("QUORUM_FUZZ_CORE_INVARIANTS");
    return v == nullptr || std::string_view(v) != "0";
  }();
  if (!core_invariants) return;
  for (auto& [id, slot] : slots_) {
    if (slot->node == nullptr) continue;
    const std::string state = raft::check_node_state(*slot->node);
    QUORUM_ASSERT(state.empty(), "node {}: {}", id, state);
    // One vote and one leader per term across steps are facts of honest peers: a forged append
    // of another sender in the same term legitimately changes a follower's leader. The node's
    // own consistency (check_node_state) must hold whatever it was sent.
    if (!honest_) continue;
    const raft::NodeObservation now = raft::observe(*slot->node);
    const std::string transition = raft::check_node_transition(slot->observed, now);
    QUORUM_ASSERT(transition.empty(), "node {}: {}", id, transition);
    slot->observed = now;
  }
}

void Cluster::print_summary() const {
  std::fprintf(stderr, "core_step: %llu steps, %zu queued, %s %llu, %zu terms with a leader\n",
               static_cast<unsigned long long>(steps_), queue_.size(),
               honest_ ? "honest" : "forged messages delivered from step",
               static_cast<unsigned long long>(first_forged_step_), election_.terms_with_leader());
  for (const auto& [id, slot] : slots_) {
    if (slot->node == nullptr) {
      std::fprintf(stderr, "  n%llu down\n", static_cast<unsigned long long>(id));
      continue;
    }
    const raft::Node& n = *slot->node;
    std::fprintf(stderr, "  n%llu %s term %llu commit %llu applied %llu last %llu\n",
                 static_cast<unsigned long long>(id), std::string(raft::role_name(n.role())).c_str(),
                 static_cast<unsigned long long>(n.term()),
                 static_cast<unsigned long long>(n.commit_index()),
                 static_cast<unsigned long long>(n.applied_index()),
                 static_cast<unsigned long long>(n.last_index()));
  }
}

void run_step(Cluster& c, std::uint8_t op, std::uint8_t a, std::uint8_t b) {
  switch (op % 16) {
    case 0: c.tick(c.node_arg(a), 1 + b % 16); break;
    case 1: c.tick_all(1 + b % 4); break;
    case 2: c.deliver(a); break;
    case 3: c.deliver_matching(a % 8, b % 8, b >> 6); break;
    case 4:
      if (!c.queue().empty()) c.queue().erase(c.queue().begin() + a % c.queue().size());
      break;
    case 5:
      if (!c.queue().empty()) c.enqueue(raft::Message(c.queue()[a % c.queue().size()]));
      break;
    case 6:
      if (!c.queue().empty()) {
        auto it = c.queue().begin() + a % c.queue().size();
        std::rotate(it, it + 1, c.queue().end());
      }
      break;
    case 7:
      for (std::size_t i = 0; i <= a % 32u && !c.queue().empty(); ++i) c.deliver(0);
      break;
    case 8: c.propose(c.node_arg(a), b); break;
    case 9: c.transfer(c.node_arg(a), static_cast<NodeId>(b % 6 % (c.node_count() + 1))); break;
    case 10: c.step_down(c.node_arg(a)); break;
    case 11: c.change_membership(c.node_arg(a), b); break;
    case 12:
      if (b & 0x80) {
        c.arm_power_loss(c.node_arg(a));
      } else {
        c.crash(c.node_arg(a));
      }
      break;
    case 13: c.restart(c.node_arg(a)); break;
    case 14: c.deliver_mutated(a, b); break;
    case 15: c.compact(c.node_arg(a)); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const q::Mutation mutation = mutation_from_env();
  if (size < 2) return 0;
  Setup setup;
  setup.node_count = data[0] & 1 ? 5 : 3;
  setup.pre_vote = (data[0] & 2) == 0;
  setup.check_quorum = (data[0] & 4) == 0;
  setup.start_term = data[1] == 0 ? 0 : q::kTermMax - data[1] % 8;
  setup.mutation = mutation;
  Cluster cluster(setup);
  cluster.judge();
  for (std::size_t i = 2, steps = 0; i + 3 <= size && steps < kStepsMax; i += 3, ++steps) {
    cluster.count_step();
    run_step(cluster, data[i], data[i + 1], data[i + 2]);
    cluster.judge();
  }
  static const bool verbose = std::getenv("QUORUM_FUZZ_VERBOSE") != nullptr;
  if (verbose) cluster.print_summary();
  return 0;
}
