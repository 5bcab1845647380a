// quorum-sim scenario FILE: runs a scripted scenario and checks its expectations.
#include <fmt/format.h>

#include <fstream>

#include "sim/scenario/scenario_runner.h"
#include "tools/quorum-sim/options.h"
#include "tools/quorum-sim/report.h"

namespace quorum::sim::cli {

int cmd_scenario(const Options& o) {
  if (o.positional.empty()) {
    fmt::print(stderr, "quorum-sim scenario FILE.textproto [--seed N] [--trace FILE]\n");
    return kExitUsage;
  }
  int worst = kExitPass;
  for (const std::string& file : o.positional) {
    std::ifstream in(file);
    if (!in) {
      fmt::print(stderr, "quorum-sim: cannot open {}\n", file);
      return kExitUsage;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string trace;
    const ScenarioResult r = run_scenario_text(text, o.run.seed, o.run.mutation,
                                               !o.trace_file.empty(), &trace);
    if (!o.trace_file.empty()) std::ofstream(o.trace_file) << trace;
    fmt::print("scenario {} ({})\n", r.name, file);
    for (const std::string& line : r.log) fmt::print("  {}\n", line);
    for (const check::InvariantViolation& v : r.run.violations) {
      fmt::print("  VIOLATION [{}] at {} us: {}\n", v.invariant, v.time_us, v.detail);
    }
    for (const std::string& f : r.failed_expectations) fmt::print("  EXPECTATION FAILED: {}\n", f);
    fmt::print("  events {}, client ops {} ({} writes acked), linearizability {}\n", r.run.events,
               r.run.client_ops, r.run.client_ops_ok,
               r.run.linearizability.empty() ? "not run" : r.run.linearizability.substr(0, 20));
    fmt::print("  outcome: {}\n", r.passed() ? "pass" : "FAIL");
    fmt::print("trace-hash: {:016x}\n", r.run.trace_hash);
    int code = r.run.status != RunStatus::kPass ? exit_code(r.run.status)
               : r.passed()                     ? kExitPass
                                                : kExitExpectation;
    if (worst == kExitPass) worst = code;
  }
  return worst;
}

}  // namespace quorum::sim::cli
