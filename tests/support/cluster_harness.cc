// In-process cluster of NodeHosts with a test-driven network. Test support.
#include "tests/support/cluster_harness.h"

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::testing {

// Messages moved per deliver_all() before it gives up (a livelock would be a bug).
constexpr std::size_t kDeliverRoundsMax = 10'000;

struct ClusterHarness::Node {
  explicit Node(ClusterHarness& cluster)
      : transport([&cluster](const raft::Message& m) { cluster.send(m); }) {}
  host::MemoryStorage storage;  // survives crashes
  host::RecordingTransport transport;
  host::ManualExecutor executor;
  std::unique_ptr<host::NodeHost> host;  // null while crashed
};

ClusterHarness::ClusterHarness(ClusterOptions options) : options_(std::move(options)) {
  QUORUM_ASSERT(options_.nodes >= 1);
  for (NodeId id = 1; id <= options_.nodes; ++id) {
    const bool learner = std::find(options_.learners.begin(), options_.learners.end(), id) !=
                         options_.learners.end();
    membership_.members.push_back(
        raft::Member{id, learner ? raft::MemberRole::kLearner : raft::MemberRole::kVoter, 1});
  }
  for (NodeId id = 1; id <= options_.nodes; ++id) {
    nodes_.emplace(id, std::make_unique<Node>(*this));
    start_node(id);
  }
}

ClusterHarness::~ClusterHarness() = default;

void ClusterHarness::start_node(NodeId id) {
  Node& node = *nodes_.at(id);
  QUORUM_ASSERT(node.host == nullptr);
  host::HostConfig config;
  config.raft = options_.raft;
  config.raft.id = id;
  config.tick_interval_ms = options_.tick_interval_ms;
  config.bootstrap = membership_;
  config.snapshot_interval_entries = options_.snapshot_interval_entries;
  config.ownership_driver = options_.ownership_driver;
  config.wall_clock_ms = options_.wall_clock_ms;
  config.mutation = options_.host_mutation;
  host::Ports ports{node.transport, clock_, node.storage, node.executor, nullptr};
  // A fresh PRNG stream per incarnation: a restarted node draws new election timeouts.
  Prng prng = Prng(options_.seed).fork(id * 1000 + incarnations_++);
  node.host = std::make_unique<host::NodeHost>(config, ports, prng);
  node.host->on_role_change([this, id](const raft::SoftState& state) {
    if (state.role == raft::Role::kLeader) leaders_by_term_[state.term].insert(id);
  });
  const Status started = node.host->start();
  QUORUM_ASSERT(started.is_ok(), "node {} start: {}", id, started.to_string());
}

std::vector<NodeId> ClusterHarness::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, node] : nodes_) out.push_back(id);
  return out;
}

bool ClusterHarness::is_up(NodeId id) const {
  return nodes_.at(id)->host != nullptr;
}

host::NodeHost& ClusterHarness::host(NodeId id) {
  QUORUM_ASSERT(is_up(id), "node {} is down", id);
  return *nodes_.at(id)->host;
}

host::MemoryStorage& ClusterHarness::storage(NodeId id) {
  return nodes_.at(id)->storage;
}

void ClusterHarness::poll_all() {
  for (auto& [id, node] : nodes_) {
    if (node->host != nullptr) node->host->poll();
    if (after_poll_) after_poll_();
  }
}

void ClusterHarness::tick(std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    clock_.advance_us(options_.tick_interval_ms * 1000);
    poll_all();
    deliver_all();
  }
}

bool ClusterHarness::run_until(const std::function<bool()>& pred, std::size_t ticks_max) {
  deliver_all();
  for (std::size_t i = 0; i < ticks_max; ++i) {
    if (pred()) return true;
    tick();
  }
  return pred();
}

void ClusterHarness::send(const raft::Message& message) {
  links_[{message.from, message.to}].push_back(message);
}

std::size_t ClusterHarness::deliver_all() {
  // Client requests and deliveries queued since the last poll are taken in first.
  poll_all();
  std::size_t delivered = 0;
  for (std::size_t round = 0; round < kDeliverRoundsMax; ++round) {
    // Move everything queued now; what the receivers answer is queued for the next round.
    auto batch = std::move(links_);
    links_.clear();
    bool any = false;
    std::set<NodeId> receivers;
    for (auto& [link, queue] : batch) {
      for (raft::Message& message : queue) {
        any = true;
        if (!is_up(link.second)) continue;
        if (faults_.decide(message) != host::NetworkFaults::Verdict::kPass) continue;
        nodes_.at(link.second)->host->deliver(std::move(message));
        receivers.insert(link.second);
        ++delivered;
      }
    }
    for (NodeId id : receivers) {
      if (is_up(id)) host(id).poll();
      if (after_poll_) after_poll_();
    }
    // Polls may also have produced work on nodes that received nothing (none do today).
    if (!any) return delivered;
  }
  QUORUM_ASSERT(false, "network did not go quiet after {} rounds", kDeliverRoundsMax);
  return delivered;
}

std::size_t ClusterHarness::queued_messages() const {
  std::size_t count = 0;
  for (const auto& [link, queue] : links_) count += queue.size();
  return count;
}

void ClusterHarness::crash(NodeId id) {
  Node& node = *nodes_.at(id);
  QUORUM_ASSERT(node.host != nullptr, "node {} already down", id);
  node.host.reset();  // callbacks of its pending requests are dropped unanswered
  node.storage.crash();
  for (auto& [link, queue] : links_) {
    if (link.first == id || link.second == id) queue.clear();
  }
}

void ClusterHarness::restart(NodeId id) {
  start_node(id);
  host(id).poll();
}

std::vector<std::pair<NodeId, Term>> ClusterHarness::leaders() const {
  std::vector<std::pair<NodeId, Term>> out;
  for (const auto& [id, node] : nodes_) {
    if (node->host == nullptr) continue;
    const raft::Node& core = node->host->node();
    if (core.role() == raft::Role::kLeader) out.emplace_back(id, core.term());
  }
  return out;
}

NodeId ClusterHarness::leader() const {
  NodeId best = kNoNode;
  Term best_term = 0;
  for (const auto& [id, term] : leaders()) {
    if (best == kNoNode || term > best_term) {
      best = id;
      best_term = term;
    }
  }
  return best;
}

std::size_t ClusterHarness::put(NodeId id, std::string path, std::string content) {
  return propose(id, config_sync::Command{config_sync::Put{std::move(path), std::move(content)}});
}

std::size_t ClusterHarness::propose(NodeId id, host::AppCommand command) {
  const std::size_t ticket = replies_.size();
  replies_.emplace_back();
  host(id).propose(std::move(command), record(ticket));
  return ticket;
}

host::ReplyFn ClusterHarness::record(std::size_t ticket) {
  return [this, ticket](const host::ClientReply& reply) {
    QUORUM_ASSERT(!replies_[ticket].has_value(), "two replies");
    replies_[ticket] = reply;
  };
}

std::size_t ClusterHarness::read(NodeId id) {
  const std::size_t ticket = replies_.size();
  replies_.emplace_back();
  host(id).read(record(ticket));
  return ticket;
}

std::size_t ClusterHarness::change_membership(NodeId id, raft::MembershipChange change) {
  const std::size_t ticket = replies_.size();
  replies_.emplace_back();
  host(id).propose_membership(change, record(ticket));
  return ticket;
}

std::optional<host::ClientReply> ClusterHarness::reply(std::size_t ticket) const {
  QUORUM_ASSERT(ticket < replies_.size());
  return replies_[ticket];
}

std::size_t ClusterHarness::replies_pending() const {
  return static_cast<std::size_t>(std::count_if(replies_.begin(), replies_.end(),
                                                [](const auto& r) { return !r.has_value(); }));
}

}  // namespace quorum::testing
