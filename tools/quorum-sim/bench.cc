// quorum-sim bench: simulation speed. For 3 and 5 nodes, LAN and WAN, codec on and off: 100 ms
// heartbeats, 1 s election timeout, 50 client ops per simulated second, every checker on, the
// seeded nemesis on. Reports simulated seconds per CPU second (the machine is shared: CPU time
// of this process, not wall time, is the stable measure) and per wall second, and events/s.
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>

#include "tools/quorum-sim/options.h"

namespace quorum::sim::cli {

namespace {
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
}  // namespace

int cmd_bench(const Options& o) {
  if (!o.positional.empty() && o.positional[0] == "ownership") return cmd_bench_ownership(o);
  const std::uint64_t seeds = o.seeds == 100 ? 5 : o.seeds;  // default 5 seeds per row
  fmt::print("quorum-sim bench: {} seeds x {} s per row; 100 ms heartbeats, 50 ops/s, checkers on, "
             "nemesis {}\n",
             seeds, o.run.duration_us / 1'000'000, o.run.faults ? "on" : "off");
  fmt::print("{:<6} {:<5} {:<6} {:>14} {:>14} {:>12} {:>12}\n", "nodes", "net", "codec",
             "sim-s/cpu-s", "sim-s/wall-s", "events/cpu-s", "events/run");
  for (const std::size_t nodes : {3U, 5U}) {
    if (o.nodes_given && nodes != o.run.node_count) continue;
    for (const Profile profile : {Profile::kLan, Profile::kWan}) {
      if (o.profile_given && profile != o.run.profile) continue;
      for (const bool codec : {true, false}) {
        std::uint64_t events = 0;
        std::uint64_t sim_us = 0;
        const double cpu0 = cpu_seconds();
        const auto wall0 = std::chrono::steady_clock::now();
        for (std::uint64_t s = 0; s < seeds; ++s) {
          RunConfig c = o.run;
          c.pool = o.pool_given && o.run.pool;  // the speed rows of docs/benchmarks.md: no pool
          c.seed = o.first_seed + s;
          c.node_count = nodes;
          c.profile = profile;
          c.codec = codec;
          c.tick_interval_ms = o.run.tick_interval_ms != 0 ? o.run.tick_interval_ms : 50;
          c.heartbeat_interval_ticks = 100 / c.tick_interval_ms;
          c.election_timeout_ticks = 1000 / c.tick_interval_ms;
          c.ops_per_second = 50;
          const RunResult r = run_seed(c);
          events += r.events;
          sim_us += r.sim_us;
        }
        const double cpu = cpu_seconds() - cpu0;
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        fmt::print("{:<6} {:<5} {:<6} {:>14.0f} {:>14.0f} {:>12.0f} {:>12}\n", nodes,
                   profile_name(profile), codec ? "on" : "off", sim_us / 1e6 / cpu,
                   sim_us / 1e6 / wall, events / cpu, events / seeds);
      }
    }
  }
  return kExitPass;
}

}  // namespace quorum::sim::cli
