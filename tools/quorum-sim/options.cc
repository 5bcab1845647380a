#include "tools/quorum-sim/options.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace quorum::sim::cli {

namespace {

std::optional<std::uint64_t> parse_u64(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_hex_u64(std::string s) {
  if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) s.erase(0, 2);
  if (s.empty() || s.size() > 16 || s.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return std::nullopt;
  }
  return std::strtoull(s.c_str(), nullptr, 16);
}

// "60s", "500ms", "90" (seconds).
std::optional<std::uint64_t> parse_duration_us(const std::string& s) {
  std::string digits = s;
  std::uint64_t scale = 1'000'000;
  if (s.size() > 2 && s.substr(s.size() - 2) == "ms") {
    digits = s.substr(0, s.size() - 2);
    scale = 1'000;
  } else if (s.size() > 1 && s.back() == 's') {
    digits = s.substr(0, s.size() - 1);
  } else if (s.size() > 1 && s.back() == 'm') {
    digits = s.substr(0, s.size() - 1);
    scale = 60'000'000;
  }
  const auto v = parse_u64(digits);
  if (!v) return std::nullopt;
  return *v * scale;
}

std::vector<std::uint32_t> parse_list(const std::string& s) {
  std::vector<std::uint32_t> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t comma = s.find(',', pos);
    const std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!item.empty()) out.push_back(static_cast<std::uint32_t>(std::strtoul(item.c_str(), nullptr, 10)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace

std::optional<Mutation> mutation_by_name(const std::string& name) {
  for (std::size_t i = 0; i < kMutationNames.size(); ++i) {
    if (kMutationNames[i] == name) return static_cast<Mutation>(i);
  }
  return std::nullopt;
}

std::optional<Options> parse_options(int argc, char** argv, int first) {
  Options o;
  // Every run, replay, shrink and swarm carries the controller pool (issue 8 section 7) unless
  // --no-pool; RunConfig's own default (off) is the library's, for tests that pick their mix.
  o.run.pool = true;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&](std::string& out) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "quorum-sim: %s needs a value\n", arg.c_str());
        return false;
      }
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--seed" || arg == "--seeds" || arg == "--first-seed" || arg == "--jobs" ||
        arg == "--nodes" || arg == "--voters" || arg == "--expect-hash" || arg == "--tick-ms") {
      if (!value(v)) return std::nullopt;
      // --expect-hash takes the hex that `run` prints ("trace-hash: 9f3c..."), 0x optional.
      const auto n = arg == "--expect-hash" ? parse_hex_u64(v) : parse_u64(v);
      if (!n) {
        std::fprintf(stderr, "quorum-sim: %s: not a number: %s\n", arg.c_str(), v.c_str());
        return std::nullopt;
      }
      if (arg == "--seed") {
        o.run.seed = *n;
        o.seed_given = true;
      }
      if (arg == "--seeds") o.seeds = *n;
      if (arg == "--first-seed") o.first_seed = *n;
      if (arg == "--jobs") o.jobs = static_cast<std::uint32_t>(*n);
      if (arg == "--nodes") {
        o.run.node_count = *n;
        o.nodes_given = true;
      }
      if (arg == "--tick-ms") o.run.tick_interval_ms = *n;
      if (arg == "--voters") {
        o.run.voter_count = *n;
        o.voters_given = true;
      }
      if (arg == "--expect-hash") {
        o.expect_hash = *n;
        o.has_expect_hash = true;
      }
    } else if (arg == "--duration") {
      if (!value(v)) return std::nullopt;
      const auto d = parse_duration_us(v);
      if (!d || *d < 20'000'000) {
        std::fprintf(stderr, "quorum-sim: --duration must be a time >= 20s (60s, 90000ms)\n");
        return std::nullopt;
      }
      o.run.duration_us = *d;
    } else if (arg == "--profile") {
      if (!value(v)) return std::nullopt;
      o.profile_given = true;
      if (v == "lan") {
        o.run.profile = Profile::kLan;
      } else if (v == "wan") {
        o.run.profile = Profile::kWan;
      } else {
        std::fprintf(stderr, "quorum-sim: --profile is lan or wan\n");
        return std::nullopt;
      }
    } else if (arg == "--trace") {
      if (!value(o.trace_file)) return std::nullopt;
    } else if (arg == "--html") {
      if (!value(o.html_file)) return std::nullopt;
    } else if (arg == "--no-codec") {
      o.run.codec = false;
    } else if (arg == "--no-faults") {
      o.run.faults = false;
    } else if (arg == "--no-workload") {
      o.run.workload = false;
    } else if (arg == "--no-pool") {
      o.run.pool = false;
      o.pool_given = true;
    } else if (arg == "--pool") {
      o.run.pool = true;
      o.pool_given = true;
    } else if (arg == "--figure8") {
      o.run.figure8 = true;
    } else if (arg == "--galera") {
      o.run.galera = true;
    } else if (arg == "--mixed") {
      o.mixed = true;
    } else if (arg == "--verbose" || arg == "-v") {
      o.verbose = true;
    } else if (arg == "--keep-faults") {
      if (!value(v)) return std::nullopt;
      o.run.keep_faults = parse_list(v);
    } else if (arg == "--mutation") {
      if (!value(v)) return std::nullopt;
      const auto m = mutation_by_name(v);
      if (!m) {
        std::fprintf(stderr, "quorum-sim: unknown mutation '%s' (see: quorum-sim mutations)\n",
                     v.c_str());
        return std::nullopt;
      }
      if (!kMutationsCompiled && *m != Mutation::kNone) {
        std::fprintf(stderr,
                     "quorum-sim: this build has no planted bugs; configure with "
                     "-DQUORUM_MUTATIONS=ON\n");
        return std::nullopt;
      }
      o.run.mutation = *m;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "quorum-sim: unknown option %s (see --help)\n", arg.c_str());
      return std::nullopt;
    } else {
      o.positional.push_back(arg);
    }
  }
  if (o.run.node_count < 1 || o.run.node_count > Network::kNodesMax) {
    std::fprintf(stderr, "quorum-sim: --nodes must be 1..%zu\n", Network::kNodesMax);
    return std::nullopt;
  }
  // --voters with --nodes: at most the nodes (bench ownership checks it against each row).
  if (o.voters_given && (o.run.voter_count < 1 ||
                         (o.nodes_given && o.run.voter_count > o.run.node_count))) {
    std::fprintf(stderr, "quorum-sim: --voters must be 1..--nodes (%zu)\n", o.run.node_count);
    return std::nullopt;
  }
  if (o.jobs == 0) o.jobs = 1;
  return o;
}

int exit_code(RunStatus status) {
  switch (status) {
    case RunStatus::kPass: return kExitPass;
    case RunStatus::kSafety: return kExitSafety;
    case RunStatus::kLiveness: return kExitLiveness;
  }
  return kExitSafety;
}

std::string replay_command(const RunConfig& c) {
  std::string cmd = fmt::format("quorum-sim run --seed {} --nodes {} --profile {}", c.seed,
                                c.node_count, profile_name(c.profile));
  if (c.voter_count != 0) cmd += fmt::format(" --voters {}", c.voter_count);
  if (c.tick_interval_ms != 0) cmd += fmt::format(" --tick-ms {}", c.tick_interval_ms);
  if (c.duration_us != 60'000'000) cmd += fmt::format(" --duration {}ms", c.duration_us / 1000);
  if (!c.codec) cmd += " --no-codec";
  if (!c.faults) cmd += " --no-faults";
  if (!c.workload) cmd += " --no-workload";
  if (!c.pool) cmd += " --no-pool";  // the pool is the command line's default
  if (c.figure8) cmd += " --figure8";
  if (c.galera) cmd += " --galera";
  if (c.mutation != Mutation::kNone) {
    cmd += fmt::format(" --mutation {}", kMutationNames[static_cast<std::size_t>(c.mutation)]);
  }
  if (c.keep_faults) {
    std::string list;
    for (const std::uint32_t k : *c.keep_faults) list += fmt::format("{}{}", list.empty() ? "" : ",", k);
    cmd += fmt::format(" --keep-faults '{}'", list);
  }
  return cmd;
}

void vary_for_seed(RunConfig& config, std::uint64_t seed) {
  config.seed = seed;
  config.node_count = (seed % 2 == 0) ? 3 : 5;
  config.profile = (seed / 2) % 2 == 0 ? Profile::kLan : Profile::kWan;
}

}  // namespace quorum::sim::cli
