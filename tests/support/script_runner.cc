// Core-script command execution against raft::Node. Test support.
#include "tests/support/script_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "engine/core/base/prng.h"
#include "engine/core/raft/invariants.h"
#include "engine/core/raft/node.h"
#include "engine/host/memory/core_cluster.h"
#include "tests/support/raft_text.h"

namespace quorum::testing {
namespace {

constexpr std::size_t kStabilizeRoundsMax = 1000;

enum class OutputMode { kFull, kRoles, kEvents, kNone };

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> named;
  std::vector<std::vector<NodeId>> groups;  // "(1,2) (3)"
};

std::vector<NodeId> parse_ids(const std::string& text) {
  std::vector<NodeId> ids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) ids.push_back(std::stoull(item));
  }
  return ids;
}

Args parse_args(const std::string& line) {
  Args args;
  std::stringstream in(line);
  std::string token;
  in >> args.command;
  while (in >> token) {
    if (token.front() == '(' && token.back() == ')') {
      args.groups.push_back(parse_ids(token.substr(1, token.size() - 2)));
    } else if (const std::size_t eq = token.find('='); eq != std::string::npos) {
      args.named[token.substr(0, eq)] = token.substr(eq + 1);
    } else {
      args.positional.push_back(token);
    }
  }
  return args;
}

// What the runner keeps beside the core harness's view of a node.
struct Side {
  raft::Role role = raft::Role::kFollower;  // as the printed Readys told it
  Ticks ticks_since_start = 0;
};

}  // namespace

struct ScriptRunner::Impl : host::CoreObserver {
  // The nodes, their stores, the queue in flight and the cuts; null before `cluster`.
  std::unique_ptr<host::CoreCluster> core;
  std::map<NodeId, Side> side;
  raft::RaftConfig base;
  std::uint64_t seed = 1;
  std::vector<std::string> out;
  OutputMode mode = OutputMode::kFull;

  void print(std::string line) {
    if (!line.empty()) out.push_back(std::move(line));
  }
  host::CoreCluster& cluster() {
    QUORUM_ASSERT(core != nullptr, "no cluster: the script must start with `cluster`");
    return *core;
  }
  bool up(NodeId id) const { return core != nullptr && core->is_up(id); }
  raft::Node& at(NodeId id) {
    QUORUM_ASSERT(core != nullptr && core->exists(id), "script names unknown node {}", id);
    return core->node(id);
  }
  std::deque<raft::Message>& in_flight() { return cluster().queue(); }
  NodeId id_arg(const Args& a, std::size_t i) {
    QUORUM_ASSERT(i < a.positional.size(), "{}: missing node id", a.command);
    return std::stoull(a.positional[i]);
  }
  std::vector<NodeId> ids_arg(const Args& a) {
    if (a.positional.empty() || a.positional[0] == "all") return cluster().ids();
    return parse_ids(a.positional[0]);
  }

  void add_node(NodeId id, const raft::Membership& bootstrap);
  void restart(NodeId id);
  void handle_readys(NodeId id);
  void on_ready(NodeId id, const raft::Ready& ready) override;  // prints it
  void check(NodeId id);
  void step(const raft::Message& m);
  bool stabilize();

  void cmd_cluster(const Args& a);
  void cmd_tick(const Args& a);
  void cmd_campaign(const Args& a);
  void cmd_propose(const Args& a);
  void cmd_read(const Args& a);
  enum class QueueAction { kDeliver, kDrop, kDuplicate, kHold };
  // Messages put aside by `hold` (a very slow link): stabilize does not see them.
  std::deque<raft::Message> held;
  void cmd_deliver(const Args& a, QueueAction action);
  void cmd_partition(const Args& a);
  void cmd_roles();
  void cmd_status(const Args& a);
  void cmd_log(const Args& a);
  void cmd_membership(const Args& a);
  void print_propose(NodeId id, const raft::ProposeResult& r);
};

void ScriptRunner::Impl::add_node(NodeId id, const raft::Membership& bootstrap) {
  raft::RaftConfig config = base;
  config.id = id;
  cluster().add_node(config, bootstrap);
  side[id] = Side{at(id).role(), 0};
}

void ScriptRunner::Impl::restart(NodeId id) {
  cluster().restart(id);
  side[id] = Side{at(id).role(), 0};
}

void ScriptRunner::Impl::check(NodeId id) {
  const std::string why = cluster().check_node(id);
  if (!why.empty()) print(fmt::format("{}: VIOLATION: {}", id, why));
}

// Called by the core harness before it executes the Ready (engine/host/ready_handler.h).
void ScriptRunner::Impl::on_ready(NodeId id, const raft::Ready& ready) {
  Side& n = side[id];
  const std::string broken = ready.check();
  if (!broken.empty()) print(fmt::format("{}: VIOLATION: Ready contract: {}", id, broken));
  switch (mode) {
    case OutputMode::kFull:
      print(ready_text(id, ready));
      break;
    case OutputMode::kRoles:
      print(ready_roles_text(id, ready, n.role));
      break;
    case OutputMode::kEvents:
      print(ready_roles_text(id, ready, n.role));
      for (const raft::TraceEvent& e : ready.trace_events) {
        if (e.kind == raft::TraceKind::kRoleChanged) continue;
        print(fmt::format("{}: {}", id, trace_text(e)));
      }
      break;
    case OutputMode::kNone:
      break;
  }
  if (ready.soft_state) n.role = ready.soft_state->role;
}

void ScriptRunner::Impl::handle_readys(NodeId id) {
  if (!up(id)) return;
  for (int i = 0; i < 100 && cluster().handle_ready(id); ++i) {
  }
  check(id);
}

void ScriptRunner::Impl::step(const raft::Message& m) {
  const host::CoreCluster::Delivery d = cluster().step(m);
  if (mode != OutputMode::kFull) return;
  if (d == host::CoreCluster::Delivery::kReceiverDown) {
    print(fmt::format("drop (down): {}", message_text(m)));
  } else if (d == host::CoreCluster::Delivery::kCut) {
    print(fmt::format("drop (cut): {}", message_text(m)));
  }
}

bool ScriptRunner::Impl::stabilize() {
  for (std::size_t round = 0; round < kStabilizeRoundsMax; ++round) {
    for (NodeId id : cluster().all_ids()) handle_readys(id);
    if (in_flight().empty()) return true;
    std::deque<raft::Message> batch = std::move(in_flight());
    in_flight().clear();
    for (const raft::Message& m : batch) step(m);
  }
  print(fmt::format("VIOLATION: not quiet after {} rounds", kStabilizeRoundsMax));
  return false;
}

void ScriptRunner::Impl::cmd_cluster(const Args& a) {
  auto get = [&a](const std::string& key, const std::string& fallback) {
    auto it = a.named.find(key);
    return it == a.named.end() ? fallback : it->second;
  };
  const std::size_t count = std::stoull(get("nodes", "3"));
  base = raft::RaftConfig{};
  base.election_timeout_ticks = std::stoull(get("election-timeout-ticks", "10"));
  base.heartbeat_interval_ticks = std::stoull(get("heartbeat-interval-ticks", "1"));
  base.pre_vote = get("pre-vote", "on") == "on";
  base.check_quorum = get("check-quorum", "on") == "on";
  base.inflight_messages_max = static_cast<std::uint32_t>(std::stoull(get("inflight", "256")));
  base.message_bytes_max = std::stoull(get("message-bytes", std::to_string(1 << 20)));
  seed = std::stoull(get("seed", "1"));
  const std::vector<NodeId> learners = parse_ids(get("learners", ""));
  std::map<NodeId, std::uint32_t> priorities;
  for (const std::string& item : [&] {
         std::vector<std::string> items;
         std::stringstream in(get("priorities", ""));
         std::string s;
         while (std::getline(in, s, ',')) items.push_back(s);
         return items;
       }()) {
    const std::size_t colon = item.find(':');
    priorities[std::stoull(item.substr(0, colon))] =
        static_cast<std::uint32_t>(std::stoul(item.substr(colon + 1)));
  }
  raft::Membership membership;
  for (NodeId id = 1; id <= count; ++id) {
    const bool learner = std::find(learners.begin(), learners.end(), id) != learners.end();
    membership.members.push_back(
        raft::Member{id, learner ? raft::MemberRole::kLearner : raft::MemberRole::kVoter,
                     priorities.count(id) != 0 ? priorities[id] : 1});
  }
  const std::uint64_t script_seed = seed;
  core = std::make_unique<host::CoreCluster>([script_seed](NodeId id, std::uint64_t incarnation) {
    return Prng(script_seed).fork(id * 1000 + incarnation);
  });
  core->add_observer(this);
  side.clear();
  held.clear();
  for (NodeId id = 1; id <= count; ++id) add_node(id, membership);
  if (a.named.count("elect") != 0) {
    const OutputMode saved = mode;
    mode = OutputMode::kNone;
    Args campaign;
    campaign.command = "campaign";
    campaign.positional = {a.named.at("elect")};
    cmd_campaign(campaign);
    stabilize();
    mode = saved;
    cmd_roles();
  }
}

void ScriptRunner::Impl::cmd_tick(const Args& a) {
  const std::size_t count = a.named.count("count") ? std::stoull(a.named.at("count")) : 1;
  const std::vector<NodeId> ids = ids_arg(a);
  const bool then_stabilize = a.named.count("stabilize") != 0 && a.named.at("stabilize") == "on";
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t lines_before = out.size();
    for (NodeId id : ids) {
      if (!up(id)) continue;
      at(id).tick();
      ++side[id].ticks_since_start;
      handle_readys(id);
    }
    if (then_stabilize) stabilize();
    // In the condensed modes, say after which tick of this command each event happened.
    const bool condensed = mode == OutputMode::kRoles || mode == OutputMode::kEvents;
    if (condensed && count > 1 && out.size() > lines_before) {
      out.insert(out.begin() + static_cast<std::ptrdiff_t>(lines_before),
                 fmt::format("after tick {}:", i + 1));
    }
  }
}

void ScriptRunner::Impl::cmd_campaign(const Args& a) {
  const NodeId target = id_arg(a, 0);
  const Ticks t = base.election_timeout_ticks;
  auto campaigned = [this, target] { return at(target).role() != raft::Role::kFollower; };
  // Fresh and restarted voters refuse votes for T ticks (restart stickiness): age everyone,
  // unless the script wants to show that refusal (age=off).
  const bool age = a.named.count("age") == 0 || a.named.at("age") != "off";
  for (Ticks i = 0; age && i < t && !campaigned(); ++i) {
    for (NodeId id : cluster().ids()) {
      if (side[id].ticks_since_start >= t) continue;
      at(id).tick();
      ++side[id].ticks_since_start;
      handle_readys(id);
    }
  }
  for (Ticks i = 0; i < 3 * t && !campaigned(); ++i) {
    at(target).tick();
    ++side[target].ticks_since_start;
    handle_readys(target);
  }
  if (!campaigned()) print(fmt::format("{}: did not campaign within {} ticks", target, 3 * t));
}

void ScriptRunner::Impl::print_propose(NodeId id, const raft::ProposeResult& r) {
  switch (r.code) {
    case raft::ProposeResult::Code::kAccepted:
      print(fmt::format("{}: accepted index={} term={}", id, r.index, r.term));
      break;
    case raft::ProposeResult::Code::kNotLeader:
      print(fmt::format("{}: not leader (hint {})", id, r.leader_hint));
      break;
    case raft::ProposeResult::Code::kTransferInProgress:
      print(fmt::format("{}: transfer in progress", id));
      break;
    case raft::ProposeResult::Code::kTooLarge:
      print(fmt::format("{}: too large", id));
      break;
    case raft::ProposeResult::Code::kBusy:
      print(fmt::format("{}: busy {}", id, r.reason));
      break;
    case raft::ProposeResult::Code::kInvalid:
      print(fmt::format("{}: invalid {}", id, r.reason));
      break;
    case raft::ProposeResult::Code::kDegraded:
      print(fmt::format("{}: degraded", id));
      break;
  }
}

void ScriptRunner::Impl::cmd_propose(const Args& a) {
  const NodeId id = id_arg(a, 0);
  QUORUM_ASSERT(a.positional.size() >= 2, "propose ID DATA");
  print_propose(id, at(id).propose(a.positional[1]));
  handle_readys(id);
}

void ScriptRunner::Impl::cmd_read(const Args& a) {
  const NodeId id = id_arg(a, 0);
  const raft::ReadResult r = at(id).read_index(std::stoull(a.positional.at(1)));
  switch (r.code) {
    case raft::ReadResult::Code::kPending:
      print(fmt::format("{}: read pending", id));
      break;
    case raft::ReadResult::Code::kNotLeader:
      print(fmt::format("{}: not leader (hint {})", id, r.leader_hint));
      break;
    case raft::ReadResult::Code::kNoLeaseYet:
      print(fmt::format("{}: no lease yet", id));
      break;
  }
  handle_readys(id);
}

void ScriptRunner::Impl::cmd_deliver(const Args& a, QueueAction action) {
  const NodeId from = a.named.count("from") ? std::stoull(a.named.at("from")) : kNoNode;
  const NodeId to = a.named.count("to") ? std::stoull(a.named.at("to")) : kNoNode;
  const std::size_t count_max =
      a.named.count("count") ? std::stoull(a.named.at("count")) : in_flight().size();
  std::deque<raft::Message> keep;
  std::vector<raft::Message> take;
  for (raft::Message& m : in_flight()) {
    const bool match = (from == kNoNode || m.from == from) && (to == kNoNode || m.to == to) &&
                       take.size() < count_max;
    (match ? take.emplace_back(std::move(m)) : keep.emplace_back(std::move(m)));
  }
  in_flight() = std::move(keep);
  std::set<NodeId> receivers;
  for (const raft::Message& m : take) {
    switch (action) {
      case QueueAction::kDrop:
        print("dropped: " + message_text(m));
        break;
      case QueueAction::kDuplicate:
        // Both copies stay queued, in order, after every other queued message.
        print("duplicated: " + message_text(m));
        in_flight().push_back(m);
        in_flight().push_back(m);
        break;
      case QueueAction::kHold:
        print("held: " + message_text(m));
        held.push_back(m);
        break;
      case QueueAction::kDeliver:
        step(m);
        receivers.insert(m.to);
        break;
    }
  }
  for (NodeId id : receivers) handle_readys(id);
}

void ScriptRunner::Impl::cmd_partition(const Args& a) {
  cluster().heal();
  cluster().partition(a.groups);
}

void ScriptRunner::Impl::cmd_roles() {
  for (NodeId id : cluster().all_ids()) {
    if (!up(id)) {
      print(fmt::format("{}: down", id));
      continue;
    }
    const raft::Node& n = at(id);
    const NodeId leader = n.leader_id();
    print(fmt::format("{}: {} term={} leader={}", id, raft::role_name(n.role()), n.term(),
                      leader == kNoNode ? "none" : std::to_string(leader)));
  }
}

void ScriptRunner::Impl::cmd_status(const Args& a) {
  for (NodeId id : ids_arg(a)) {
    if (!up(id)) continue;
    const raft::Node& n = at(id);
    print(fmt::format(
        "{}: {} term={} leader={} commit={} applied={} last={} lease={} transfer={} conf=({})", id,
        raft::role_name(n.role()), n.term(),
        n.leader_id() == kNoNode ? "none" : std::to_string(n.leader_id()), n.commit_index(),
        n.applied_index(), n.last_index(),
        n.has_lease() ? std::to_string(n.lease_remaining_ticks()) : "none",
        n.transfer_in_progress() ? "yes" : "no", membership_text(n.membership())));
  }
}

void ScriptRunner::Impl::cmd_log(const Args& a) {
  for (NodeId id : ids_arg(a)) {
    const host::StoredState& s = cluster().storage(id).current();
    std::string line = fmt::format(
        "{}: term={} vote={} commit={}", id, s.hard_state.current_term,
        s.hard_state.voted_for == kNoNode ? "none" : std::to_string(s.hard_state.voted_for),
        s.hard_state.commit_index);
    if (s.snapshot) {
      line +=
          fmt::format(" snapshot={}@{}", s.snapshot->meta.last_index, s.snapshot->meta.last_term);
    }
    print(line);
    print("  " + (s.entries.empty() ? std::string("(empty)") : entries_text(s.entries)));
  }
}

void ScriptRunner::Impl::cmd_membership(const Args& a) {
  const NodeId id = id_arg(a, 0);
  raft::MembershipChange change;
  change.node = id_arg(a, 1);
  if (a.command == "add-learner") change.kind = raft::MembershipChange::Kind::kAddLearner;
  if (a.command == "add-voter") change.kind = raft::MembershipChange::Kind::kAddVoter;
  if (a.command == "promote") change.kind = raft::MembershipChange::Kind::kPromoteLearner;
  if (a.command == "remove") change.kind = raft::MembershipChange::Kind::kRemove;
  if (a.command == "set-priority") {
    change.kind = raft::MembershipChange::Kind::kSetPriority;
    change.priority = static_cast<std::uint32_t>(std::stoul(a.positional.at(2)));
  }
  const raft::ProposeResult r = at(id).propose_membership(change);
  print_propose(id, r);
  const bool adds = change.kind == raft::MembershipChange::Kind::kAddLearner ||
                    change.kind == raft::MembershipChange::Kind::kAddVoter;
  if (r.code == raft::ProposeResult::Code::kAccepted && adds && !cluster().exists(change.node)) {
    // The new node starts empty and learns everything from the leader; it knows the group it
    // joins (as an operator would configure it).
    add_node(change.node, at(id).membership());
  }
  handle_readys(id);
}

ScriptRunner::ScriptRunner() : impl_(std::make_unique<Impl>()) {}
ScriptRunner::~ScriptRunner() = default;

std::string ScriptRunner::run(const std::string& command_line) {
  Impl& r = *impl_;
  r.out.clear();
  const Args a = parse_args(command_line);
  r.mode = OutputMode::kFull;
  if (auto it = a.named.find("output"); it != a.named.end()) {
    r.mode = it->second == "roles"    ? OutputMode::kRoles
             : it->second == "events" ? OutputMode::kEvents
             : it->second == "none"   ? OutputMode::kNone
                                      : OutputMode::kFull;
  }
  const std::string& c = a.command;
  if (c == "cluster") {
    r.cmd_cluster(a);
  } else if (c == "tick") {
    r.cmd_tick(a);
  } else if (c == "campaign") {
    r.cmd_campaign(a);
  } else if (c == "propose") {
    r.cmd_propose(a);
  } else if (c == "read") {
    r.cmd_read(a);
  } else if (c == "deliver") {
    r.cmd_deliver(a, Impl::QueueAction::kDeliver);
  } else if (c == "drop") {
    r.cmd_deliver(a, Impl::QueueAction::kDrop);
  } else if (c == "duplicate") {
    r.cmd_deliver(a, Impl::QueueAction::kDuplicate);
  } else if (c == "hold") {
    r.cmd_deliver(a, Impl::QueueAction::kHold);
  } else if (c == "release") {
    for (const raft::Message& m : r.held) r.in_flight().push_back(m);
    r.held.clear();
  } else if (c == "queue") {
    for (const raft::Message& m : r.in_flight()) r.print("queued: " + message_text(m));
  } else if (c == "stabilize") {
    r.stabilize();
  } else if (c == "partition") {
    r.cmd_partition(a);
  } else if (c == "cut") {
    r.cluster().cut(r.id_arg(a, 0), r.id_arg(a, 1));
  } else if (c == "heal") {
    r.cluster().heal();
  } else if (c == "crash") {
    r.cluster().power_loss(r.id_arg(a, 0));
  } else if (c == "restart") {
    r.restart(r.id_arg(a, 0));
  } else if (c == "roles") {
    r.cmd_roles();
  } else if (c == "status") {
    r.cmd_status(a);
  } else if (c == "log") {
    r.cmd_log(a);
  } else if (c == "transfer") {
    const NodeId id = r.id_arg(a, 0);
    const NodeId to = a.named.count("to") ? std::stoull(a.named.at("to")) : kNoNode;
    const raft::RequestResult result = r.at(id).transfer_leadership(to);
    r.print(fmt::format("{}: transfer -> {}", id, request_result_text(result)));
    r.handle_readys(id);
  } else if (c == "step-down") {
    const NodeId id = r.id_arg(a, 0);
    const raft::RequestResult result = r.at(id).step_down();
    r.print(fmt::format("{}: step-down -> {}", id, request_result_text(result)));
    r.handle_readys(id);
  } else if (c == "compact") {
    const NodeId id = r.id_arg(a, 0);
    const LogIndex applied = r.at(id).applied_index();
    r.at(id).compact(applied, fmt::format("app@{}", applied));
    r.handle_readys(id);
  } else if (c == "add-learner" || c == "add-voter" || c == "promote" || c == "remove" ||
             c == "set-priority") {
    r.cmd_membership(a);
  } else {
    r.print("error: unknown command " + c);
  }
  if (r.out.empty()) return "ok";
  std::string text;
  for (const std::string& line : r.out) text += (text.empty() ? "" : "\n") + line;
  return text;
}

std::vector<std::string> run_script(const Script& script) {
  ScriptRunner runner;
  std::vector<std::string> outputs;
  for (const ScriptBlock& block : script.blocks) outputs.push_back(runner.run(block.command));
  return outputs;
}

}  // namespace quorum::testing
