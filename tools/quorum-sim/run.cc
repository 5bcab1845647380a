// quorum-sim run / replay.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "tools/quorum-sim/options.h"
#include "tools/quorum-sim/report.h"

namespace quorum::sim::cli {

int cmd_run(const Options& o) {
  RunConfig config = o.run;
  config.record_trace = !o.trace_file.empty() || !o.html_file.empty() || o.verbose;
  World world(config);
  const RunResult r = world.run();
  if (!o.trace_file.empty()) {
    std::ofstream out(o.trace_file);
    out << world.trace().text();
    fmt::print("trace: {} lines written to {}\n", world.trace().lines().size(), o.trace_file);
  }
  if (!o.html_file.empty()) write_html(world, config, r, o.html_file);
  if (o.verbose) fmt::print("{}", world.trace().text());
  print_result(config, r, world);
  fmt::print("trace-hash: {:016x}\n", r.trace_hash);
  return exit_code(r.status);
}

int cmd_replay(const Options& o) {
  // Runs the seed twice and compares the trace hashes (and, if given, with --expect-hash).
  const RunResult a = run_seed(o.run);
  const RunResult b = run_seed(o.run);
  fmt::print("run 1: {} events, trace-hash {:016x}\n", a.events, a.trace_hash);
  fmt::print("run 2: {} events, trace-hash {:016x}\n", b.events, b.trace_hash);
  if (a.trace_hash != b.trace_hash) {
    fmt::print("DETERMINISM MISMATCH: the same seed gave two different runs\n");
    fmt::print("trace-hash: {:016x}\n", b.trace_hash);
    return kExitDeterminism;
  }
  if (o.has_expect_hash && a.trace_hash != o.expect_hash) {
    fmt::print("MISMATCH: expected trace-hash {:016x}\n", o.expect_hash);
    fmt::print("trace-hash: {:016x}\n", a.trace_hash);
    return kExitDeterminism;
  }
  fmt::print("deterministic: yes; outcome {}\n", run_status_name(a.status));
  fmt::print("trace-hash: {:016x}\n", a.trace_hash);
  return exit_code(a.status);
}

}  // namespace quorum::sim::cli
