// --html output: the judge's timeline renderer (sim/trace/html_timeline.h) over the run.
#include <fmt/format.h>

#include <fstream>

#include "tools/quorum-sim/options.h"
#include "tools/quorum-sim/report.h"

namespace quorum::sim::cli {

void write_html(World& world, const RunConfig& config, const RunResult& r, const std::string& file) {
  std::vector<std::string> summary = {
      fmt::format("outcome: {}; trace-hash {:016x}; {} events", run_status_name(r.status),
                  r.trace_hash, r.events),
      fmt::format("swarm: {}", r.swarm), fmt::format("replay: {}", replay_command(config))};
  for (const check::InvariantViolation& v : r.violations) {
    summary.push_back(fmt::format("VIOLATION [{}]: {}", v.invariant, v.detail));
  }
  std::ofstream(file) << world.timeline_html(replay_command(config), summary);
  fmt::print("html timeline written to {}\n", file);
}

}  // namespace quorum::sim::cli
