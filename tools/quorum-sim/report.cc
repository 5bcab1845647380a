#include "tools/quorum-sim/report.h"

#include <fmt/format.h>

#include <fstream>

#include "tools/quorum-sim/options.h"

namespace quorum::sim::cli {

std::string probe_table(const Probes& probes) {
  std::string out;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    const Probe p = static_cast<Probe>(i);
    out += fmt::format("  {:<28} {:>10}{}\n", probe_name(p), probes.count(p),
                       probe_required(p) ? "" : "  (informational)");
  }
  return out;
}

void print_result(const RunConfig& config, const RunResult& r, const World& world) {
  fmt::print("seed {}: {} nodes, {}, {} s simulated, codec {}\n", config.seed, config.node_count,
             profile_name(config.profile), r.sim_us / 1'000'000, config.codec ? "on" : "off");
  fmt::print("swarm: {}\n", r.swarm);
  fmt::print("faults: {} scheduled; events {}; messages {}; client ops {} ({} writes acked); "
             "linearizability {}\n",
             r.schedule_size, r.events, r.messages_sent, r.client_ops, r.client_ops_ok,
             r.linearizability.empty() ? "not run" : r.linearizability.substr(0, 20));
  if (r.converged_after_heal_us > 0) {
    fmt::print("liveness: leader {} ms and convergence {} ms after the heal\n",
               r.leader_after_heal_us / 1000, r.converged_after_heal_us / 1000);
  }
  if (!r.pool.empty()) {
    fmt::print("pool: {}; {} commands; ownership settled {} ms after the heal; longest no-actor "
               "gap {} ms; {} may_act checks\n",
               r.pool, r.pool_commands, r.ownership_settle_us / 1000, r.ownership_gap_us_max / 1000,
               r.ownership_checks);
  }
  for (const check::InvariantViolation& v : r.violations) {
    fmt::print("VIOLATION [{}] at {} us: {}\n", v.invariant, v.time_us, v.detail);
  }
  if (r.status != RunStatus::kPass) {
    fmt::print("fault schedule ({} actions):\n", r.schedule.size());
    for (std::size_t i = 0; i < r.schedule.size(); ++i) {
      fmt::print("  #{} {}\n", i, describe_action(r.schedule[i]));
    }
    if (!world.history().operations().empty() && r.violations.size() > 0 &&
        r.violations.front().invariant == "linearizability") {
      fmt::print("history (first 40 ops):\n");
      std::size_t n = 0;
      for (const Operation& op : world.history().operations()) {
        if (n++ >= 40) break;
        fmt::print("  {}\n", format_operation(op));
      }
    }
    fmt::print("replay: {}\n", replay_command(config));
  }
  fmt::print("outcome: {}\n", run_status_name(r.status));
}

}  // namespace quorum::sim::cli
