// Command-line parsing shared by the quorum-sim subcommands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/world.h"

namespace quorum::sim::cli {

// Exit codes (STYLE.md 6.10): 0 pass, 1 safety, 2 liveness, 3 determinism mismatch, 64 usage;
// a crash (assertion) is a signal, reported by swarm as "crash".
inline constexpr int kExitPass = 0;
inline constexpr int kExitSafety = 1;
inline constexpr int kExitLiveness = 2;
inline constexpr int kExitDeterminism = 3;
inline constexpr int kExitExpectation = 4;
inline constexpr int kExitUsage = 64;

struct Options {
  RunConfig run;
  std::string trace_file;
  std::string html_file;
  std::uint64_t seeds = 100;
  std::uint64_t first_seed = 1;
  std::uint32_t jobs = 1;
  std::string scenario_file;
  bool mixed = false;        // swarm: vary nodes 3/5 and lan/wan per seed
  // Set when --nodes / --profile were given (bench: only those rows).
  bool nodes_given = false;
  bool voters_given = false;  // --voters (bench ownership: only rows with that many voters)
  bool seed_given = false;
  bool profile_given = false;
  bool pool_given = false;  // --pool or --no-pool (bench: off unless --pool)
  bool verbose = false;
  std::uint64_t expect_hash = 0;
  bool has_expect_hash = false;
  std::vector<std::string> positional;
};

// Parses argv[first..]; on error prints to stderr and returns nullopt.
std::optional<Options> parse_options(int argc, char** argv, int first);
int exit_code(RunStatus status);
// "quorum-sim run --seed 7 --nodes 5 --profile wan ..." reproducing `config`.
std::string replay_command(const RunConfig& config);
std::optional<Mutation> mutation_by_name(const std::string& name);
// Applies the per-seed variation of a mixed swarm (nodes 3/5, lan/wan) to `config`.
void vary_for_seed(RunConfig& config, std::uint64_t seed);

int cmd_run(const Options& o);
int cmd_replay(const Options& o);
int cmd_swarm(const Options& o);
int cmd_shrink(const Options& o);
int cmd_scenario(const Options& o);
int cmd_bench(const Options& o);
// quorum-sim bench ownership [takeover] (bench_ownership.cc).
int cmd_bench_ownership(const Options& o);
int cmd_demo(const Options& o);
int cmd_mutations(const Options& o);

}  // namespace quorum::sim::cli
