#include "sim/scenario/scenario_runner.h"

#include <fmt/format.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>

#include "sim/scenario/scenario.pb.h"

namespace quorum::sim {

namespace {

namespace pb = quorum::sim::scenario;

RunConfig config_of(const pb::Scenario& sc, std::uint64_t seed_override, Mutation mutation) {
  RunConfig c;
  c.seed = seed_override != 0 ? seed_override : (sc.seed() != 0 ? sc.seed() : 1);
  c.node_count = sc.nodes() != 0 ? sc.nodes() : 3;
  c.profile = sc.profile() == "wan" ? Profile::kWan : Profile::kLan;
  c.duration_us = (sc.duration_ms() != 0 ? sc.duration_ms() : 60'000) * 1000;
  c.quiet_us = (sc.quiet_ms() != 0 ? sc.quiet_ms() : 15'000) * 1000;
  c.tick_interval_ms = 10;
  c.election_timeout_ticks = sc.election_timeout_ticks() != 0 ? sc.election_timeout_ticks() : 100;
  c.heartbeat_interval_ticks = sc.heartbeat_interval_ticks() != 0 ? sc.heartbeat_interval_ticks() : 10;
  c.workload = !sc.no_workload();
  c.ops_per_second = sc.ops_per_second() != 0 ? sc.ops_per_second() : 50;
  c.faults = false;  // the script is the only nemesis
  c.mutation = mutation;
  return c;
}

struct Runner {
  World& world;
  ScenarioResult& result;
  NodeId marked = kNoNode;
  Term marked_term = 0;

  void fail(const pb::Step& step, std::size_t i, const std::string& what) {
    result.failed_expectations.push_back(
        fmt::format("step {} (t={} ms): {}", i, step.at_ms(), what));
  }

  NodeId follower() const {
    const NodeId leader = world.current_leader();
    for (NodeId n = 1; n <= world.node_count(); ++n) {
      if (n != leader && world.node_up(n)) return n;
    }
    return kNoNode;
  }

  NodeId target(const pb::Step& step, std::size_t i) {
    if (step.follower()) return follower();
    if (!step.leader()) return step.node();
    const NodeId leader = world.current_leader();
    if (leader == kNoNode) {
      fail(step, i, "no leader to target");
      return kNoNode;
    }
    marked = leader;
    marked_term = world.host(leader)->node().term();
    return leader;
  }

  void check(const pb::Step& step, std::size_t i) {
    const pb::Expect& e = step.expect();
    const NodeId leader = world.current_leader();
    const Term term = leader == kNoNode ? 0 : world.host(leader)->node().term();
    int leaders = 0;
    for (NodeId n = 1; n <= world.node_count(); ++n) {
      if (world.node_up(n) && world.host(n)->node().role() == raft::Role::kLeader) ++leaders;
    }
    if ((e.one_leader() || e.leader_is_marked()) && leaders != 1) {
      fail(step, i, fmt::format("expected exactly one live leader, found {}", leaders));
    }
    if (e.leader_is_marked() && (leader != marked || term != marked_term)) {
      fail(step, i, fmt::format("expected leader n{} in term {}, found n{} in term {}", marked,
                                marked_term, leader, term));
    }
    if (e.leader_not_marked() && (leader == marked || leader == kNoNode)) {
      fail(step, i, fmt::format("expected a leader other than n{}", marked));
    }
    if (e.marked_not_leader() && marked != kNoNode && world.node_up(marked) &&
        world.host(marked)->node().role() == raft::Role::kLeader) {
      fail(step, i, fmt::format("n{} still believes it leads (term {})", marked,
                                world.host(marked)->node().term()));
    }
    if (e.converged() && !world.converged()) fail(step, i, "live nodes have not converged");
    if (world.acked_writes() < e.min_acked_writes()) {
      fail(step, i, fmt::format("only {} writes acknowledged, expected >= {}",
                                world.acked_writes(), e.min_acked_writes()));
    }
  }

  void execute(const pb::Step& step, std::size_t i) {
    const std::size_t n = world.node_count();
    switch (step.action()) {
      case pb::MARK: target(step, i); break;
      case pb::CRASH: {
        const NodeId t = target(step, i);
        if (t != kNoNode) world.crash(t);
        break;
      }
      case pb::RESTART: {
        const NodeId t = step.leader() ? marked : step.node();
        if (t != kNoNode) world.restart(t);
        break;
      }
      case pb::ISOLATE: {
        const NodeId t = target(step, i);
        if (t != kNoNode) world.isolate(t);
        break;
      }
      case pb::SPLIT: {
        std::vector<NodeId> side(step.side().begin(), step.side().end());
        world.split(side);
        break;
      }
      case pb::ONE_WAY: {
        const NodeId t = target(step, i);
        NodeId peer = step.peer();
        if (peer == kNoNode) {
          for (NodeId k = 1; k <= n; ++k) {
            if (k != t && world.node_up(k)) {
              peer = k;
              break;
            }
          }
        }
        if (t != kNoNode && peer != kNoNode) world.one_way(t, peer);
        break;
      }
      case pb::ISOLATE_SITE: world.isolate_site(step.site()); break;
      case pb::HEAL: world.heal_network(); break;
      case pb::PAUSE: {
        const NodeId t = target(step, i);
        if (t != kNoNode) world.pause(t, step.duration_ms() * 1000);
        break;
      }
      case pb::TRANSFER_LEADER: world.transfer_leader(step.peer()); break;
      case pb::CRASH_ALL:
        for (NodeId k = 1; k <= n; ++k) world.crash(k);
        break;
      case pb::RESTART_ALL:
        for (NodeId k = 1; k <= n; ++k) {
          if (!(step.except_marked() && k == marked)) world.restart(k);
        }
        break;
      case pb::SLOW_DISK:
        if (step.follower()) {
          const NodeId leader = world.current_leader();
          for (NodeId k = 1; k <= n; ++k) {
            if (k != leader) world.slow_disk(k, step.duration_ms() * 1000);
          }
        } else {
          world.slow_disk(step.node(), step.duration_ms() * 1000);
        }
        break;
      case pb::CHECK: check(step, i); break;
      default: fail(step, i, "unknown action"); break;
    }
    result.log.push_back(fmt::format("t={:>6} ms  {}{}{}", step.at_ms(), pb::Action_Name(step.action()),
                                     step.leader() ? fmt::format(" leader(n{})", marked)
                                     : step.follower() ? std::string(" follower")
                                     : step.node() != 0 ? fmt::format(" n{}", step.node())
                                                        : std::string(),
                                     step.action() == pb::CHECK ? " " + step.expect().ShortDebugString()
                                                                : std::string()));
  }
};

}  // namespace

ScenarioResult run_scenario_text(const std::string& text, std::uint64_t seed_override,
                                 Mutation mutation, bool record_trace, std::string* trace_text) {
  ScenarioResult result;
  pb::Scenario sc;
  if (!google::protobuf::TextFormat::ParseFromString(text, &sc)) {
    result.failed_expectations.push_back("cannot parse the scenario (Protobuf text format)");
    return result;
  }
  result.parsed = true;
  result.name = sc.name();
  RunConfig config = config_of(sc, seed_override, mutation);
  config.record_trace = record_trace;
  World world(config);
  world.begin();
  Runner runner{world, result};
  std::uint64_t last_ms = 0;
  for (int i = 0; i < sc.steps_size(); ++i) {
    const pb::Step& step = sc.steps(i);
    if (step.at_ms() < last_ms) {
      result.failed_expectations.push_back(fmt::format("step {} goes back in time", i));
      break;
    }
    last_ms = step.at_ms();
    world.run_until(step.at_ms() * 1000);
    if (world.findings().any_safety()) break;
    runner.execute(step, static_cast<std::size_t>(i));
  }
  world.run_until(config.duration_us);
  result.run = world.finish();
  if (trace_text != nullptr) *trace_text = world.trace().text();
  return result;
}

ScenarioResult run_scenario_file(const std::string& path, std::uint64_t seed_override,
                                 Mutation mutation) {
  std::ifstream in(path);
  if (!in) {
    ScenarioResult r;
    r.failed_expectations.push_back("cannot open " + path);
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return run_scenario_text(ss.str(), seed_override, mutation);
}

}  // namespace quorum::sim
