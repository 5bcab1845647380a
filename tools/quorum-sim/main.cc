// quorum-sim: the deterministic simulator's command line. See docs/simulation.md.
#include <fmt/format.h>

#include <cstring>
#include <string>

#include "tools/quorum-sim/options.h"

namespace {

constexpr const char* kHelp = R"(quorum-sim: seeded deterministic simulation of a Quorum controller group

usage:
  quorum-sim run --seed N [--nodes 3|5] [--duration 60s] [--profile lan|wan]
                 [--trace FILE] [--html FILE] [--no-codec] [--no-faults] [--no-workload] [--no-pool]
                 [--keep-faults I,J,..] [--mutation NAME] [--tick-ms MS] [--figure8] [--galera]
                 [--voters V] [-v]
      One seed -> one run. Prints the outcome and, last, `trace-hash: <hex>`. The controller
      pool (sessions, pool workload, ownership checkers) is on unless --no-pool. --figure8 lets
      the nemesis also draw Figure 8 episodes (opt-in fault kind, sim/nemesis/figure8.h).
      --galera runs the Galera model (sim/galera): backend health follows the network, the
      nemesis also cuts the leader's Galera traffic, invariant 8 is checked. --voters V: nodes
      1..V bootstrap as Raft voters, the others as learners (default: all voters).
  quorum-sim replay --seed N [same options] [--expect-hash HEX]
      Runs the seed twice, compares trace hashes (and with --expect-hash).
  quorum-sim swarm --seeds N [--jobs J] [--first-seed S] [--mixed] [run options]
      Runs seeds S..S+N-1 in J forked worker processes; --mixed alternates 3/5 nodes and
      lan/wan per seed. Prints progress, a summary table, coverage probes, and the exact
      replay command of every failing seed. Fails if a required probe never fired
      (only checked for swarms of at least 200 seeds).
  quorum-sim shrink --seed N [run options]
      Finds a smaller subset of the seed's fault schedule that still fails.
  quorum-sim scenario FILE.textproto
      Runs a scripted scenario (sim/scenarios/) and checks its expectations.
  quorum-sim bench [--seeds N] [--tick-ms 10|20|50] [--no-faults] [--nodes N] [--profile P]
      Simulated seconds per CPU and per wall second, events/s: 3/5 nodes, lan/wan, codec
      on/off (--nodes/--profile: only those rows); 100 ms heartbeats, 1 s election timeout, 50 client ops/s (default tick 50 ms).
  quorum-sim bench ownership [--nodes 3|5|10] [--voters V] [--first-seed S] [--seeds N]
      Issue 8 section 8 in the simulator (docs/benchmarks.md): per row N controllers (nodes
      1..V Raft voters, the rest learners; rows 3, 5, 10 and 10 with 5 voters) x 100 and 1,000
      clusters: messages per controller per s, moves on join / weight change / drain against
      the minimum, imbalance, the longest drain gap, takeover after an owner dies.
  quorum-sim bench ownership takeover [--seeds N] [--first-seed S]
      The takeover distribution (5 controllers, 100 clusters, one owner crashes per seed).
  quorum-sim demo
      A readable 3-controller LAN story: election, config files, leader crash, recovery.
  quorum-sim mutations
      Lists the planted bugs (only in -DQUORUM_MUTATIONS=ON builds).

exit codes: 0 pass, 1 safety violation, 2 liveness violation, 3 determinism mismatch,
            4 scenario/demo expectation failed, 64 usage; a crash is reported by its signal.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace quorum::sim::cli;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    fmt::print("{}", kHelp);
    return argc < 2 ? kExitUsage : 0;
  }
  const std::string cmd = argv[1];
  const auto opts = parse_options(argc, argv, 2);
  if (!opts) return kExitUsage;
  if (cmd == "run" || cmd == "replay") {
    // A run is named by its seed: without one it could not be replayed.
    if (!opts->seed_given) {
      fmt::print(stderr, "quorum-sim: {} needs --seed N\n", cmd);
      return kExitUsage;
    }
    if (opts->nodes_given && opts->run.node_count != 3 && opts->run.node_count != 5) {
      fmt::print(stderr, "quorum-sim: {} --nodes is 3 or 5, not {}\n", cmd, opts->run.node_count);
      return kExitUsage;
    }
  }
  // Outside the bench (whose rows pick their node counts), --voters is at most the nodes of every
  // run: --nodes, or 3 (the smaller of a --mixed swarm's counts, and the default).
  const std::size_t nodes_min = opts->mixed ? 3 : opts->run.node_count;
  if (cmd != "bench" && opts->run.voter_count > nodes_min) {
    fmt::print(stderr, "quorum-sim: --voters {} exceeds the {} nodes of a run\n",
               opts->run.voter_count, nodes_min);
    return kExitUsage;
  }
  if (cmd == "run") return cmd_run(*opts);
  if (cmd == "replay") return cmd_replay(*opts);
  if (cmd == "swarm") return cmd_swarm(*opts);
  if (cmd == "shrink") return cmd_shrink(*opts);
  if (cmd == "scenario") return cmd_scenario(*opts);
  if (cmd == "bench") return cmd_bench(*opts);
  if (cmd == "demo") return cmd_demo(*opts);
  if (cmd == "mutations") return cmd_mutations(*opts);
  fmt::print(stderr, "quorum-sim: unknown command '{}' (see --help)\n", cmd);
  return kExitUsage;
}
