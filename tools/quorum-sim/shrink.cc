// quorum-sim shrink --seed N: finds a smaller subset of the seed's fault schedule that still
// fails the same way (delta debugging: drop halves, then quarters, ... then single actions).
// Each attempt runs in a forked child so an assertion is a "failure", not the end of the shrink.
// Prints the minimal schedule and the replay command with --keep-faults.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/quorum-sim/options.h"

namespace quorum::sim::cli {

namespace {

int outcome_in_child(const RunConfig& c) {
  const pid_t pid = fork();
  if (pid == 0) {
    const RunResult r = run_seed(c);
    _exit(exit_code(r.status));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 100 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::string list(const std::vector<std::uint32_t>& v) {
  std::string out;
  for (const std::uint32_t k : v) out += fmt::format("{}{}", out.empty() ? "" : ",", k);
  return out;
}

}  // namespace

int cmd_shrink(const Options& o) {
  RunConfig c = o.run;
  c.keep_faults.reset();
  const RunResult full = run_seed(c);
  if (full.status == RunStatus::kPass) {
    fmt::print("seed {} passes: nothing to shrink\n", c.seed);
    return kExitPass;
  }
  const int target = outcome_in_child(c);
  std::vector<std::uint32_t> keep;
  for (std::uint32_t i = 0; i < full.schedule.size(); ++i) keep.push_back(i);
  fmt::print("seed {} fails ({}) with {} fault actions; shrinking\n", c.seed,
             run_status_name(full.status), keep.size());
  std::size_t runs = 0;
  for (std::size_t chunk = std::max<std::size_t>(keep.size() / 2, 1); chunk >= 1; chunk /= 2) {
    bool progress = true;
    while (progress) {
      progress = false;
      for (std::size_t start = 0; start < keep.size(); start += chunk) {
        std::vector<std::uint32_t> trial;
        for (std::size_t i = 0; i < keep.size(); ++i) {
          if (i < start || i >= start + chunk) trial.push_back(keep[i]);
        }
        RunConfig t = c;
        t.keep_faults = trial;
        ++runs;
        if (outcome_in_child(t) == target) {
          keep = trial;
          progress = true;
          fmt::print("  {} actions still fail: {}\n", keep.size(), list(keep));
          break;
        }
      }
    }
    if (chunk == 1) break;
  }
  c.keep_faults = keep;
  fmt::print("minimal schedule after {} runs ({} of {} actions):\n", runs, keep.size(),
             full.schedule.size());
  for (const std::uint32_t k : keep) fmt::print("  #{} {}\n", k, describe_action(full.schedule[k]));
  fmt::print("replay: {}\n", replay_command(c));
  return target >= 100 ? 5 : target;
}

}  // namespace quorum::sim::cli
