// quorum-sim swarm: many seeds in forked worker processes (an assertion aborts one seed, not the
// swarm). Workers take seeds round-robin and stream one result line per seed through a pipe; the
// parent prints progress, a summary table, the summed coverage probes and the replay command of
// every failing seed. Threads or processes live only here, never inside a run.
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "tools/quorum-sim/options.h"
#include "tools/quorum-sim/report.h"

namespace quorum::sim::cli {

namespace {

struct SeedLine {
  std::uint64_t seed = 0;
  int status = 0;  // exit-code style; 100+signal for a crash
  std::uint64_t events = 0;
  std::uint64_t sim_us = 0;
  std::uint64_t hash = 0;
  Probes probes;
  std::string what;
  std::uint64_t settle_us = 0;   // ownership: settle time after the heal (0: none)
  std::uint64_t gap_us_max = 0;  // ownership: the longest no-actor gap of a cluster
};

std::string encode_line(std::uint64_t seed, const RunResult& r) {
  std::string line = fmt::format("R {} {} {} {} {:x}", seed, exit_code(r.status), r.events,
                                 r.sim_us, r.trace_hash);
  for (const std::uint64_t c : r.probes.counts()) line += fmt::format(" {}", c);
  std::string what = r.violations.empty() ? std::string("-") : r.violations.front().invariant;
  line += fmt::format(" {} {} {}\n", what, r.ownership_settle_us, r.ownership_gap_us_max);
  return line;
}

bool decode_line(const std::string& line, SeedLine& out) {
  if (line.size() < 2 || line[0] != 'R') return false;
  char what[128] = {0};
  unsigned long long seed = 0, events = 0, sim_us = 0, hash = 0;
  int status = 0;
  int consumed = 0;
  if (std::sscanf(line.c_str(), "R %llu %d %llu %llu %llx%n", &seed, &status, &events, &sim_us,
                  &hash, &consumed) != 5) {
    return false;
  }
  out.seed = seed;
  out.status = status;
  out.events = events;
  out.sim_us = sim_us;
  out.hash = hash;
  const char* p = line.c_str() + consumed;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    int n = 0;
    unsigned long long c = 0;
    if (std::sscanf(p, " %llu%n", &c, &n) != 1) return false;
    out.probes.counts()[i] = c;
    p += n;
  }
  unsigned long long settle = 0, gap = 0;
  if (std::sscanf(p, " %127s %llu %llu", what, &settle, &gap) >= 1) out.what = what;
  out.settle_us = settle;
  out.gap_us_max = gap;
  return true;
}

RunConfig config_for(const Options& o, std::uint64_t seed) {
  RunConfig c = o.run;
  c.seed = seed;
  if (o.mixed) vary_for_seed(c, seed);
  return c;
}

// Runs seeds first + k*jobs + worker; writes one line per seed to fd. A crash inside a run kills
// this worker: the parent notices the missing seeds and restarts from the next one.
[[noreturn]] void worker(const Options& o, std::uint64_t from_seed, std::uint64_t end_seed,
                         std::uint32_t stride, int fd) {
  for (std::uint64_t s = from_seed; s < end_seed; s += stride) {
    // Announce the seed first so the parent can attribute a crash to it.
    const std::string start = fmt::format("S {}\n", s);
    if (write(fd, start.data(), start.size()) < 0) _exit(70);
    const RunResult r = run_seed(config_for(o, s));
    const std::string line = encode_line(s, r);
    if (write(fd, line.data(), line.size()) < 0) _exit(70);
  }
  _exit(0);
}

struct Worker {
  pid_t pid = -1;
  int fd = -1;
  std::string buffer;
  std::uint64_t current_seed = 0;
  bool in_seed = false;
  std::uint32_t index = 0;
};

}  // namespace

int cmd_swarm(const Options& o) {
  const std::uint64_t first = o.first_seed;
  const std::uint64_t end = first + o.seeds;
  const std::uint32_t jobs = static_cast<std::uint32_t>(std::min<std::uint64_t>(o.jobs, o.seeds));
  const auto wall_start = std::chrono::steady_clock::now();
  std::vector<Worker> workers(jobs);
  const auto spawn = [&](Worker& w, std::uint64_t from) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      worker(o, from, end, jobs, fds[1]);
    }
    close(fds[1]);
    w.pid = pid;
    w.fd = fds[0];
    w.buffer.clear();
    w.in_seed = false;
  };
  for (std::uint32_t j = 0; j < jobs; ++j) {
    workers[j].index = j;
    spawn(workers[j], first + j);
  }
  std::vector<SeedLine> results;
  std::map<int, std::uint64_t> by_status;
  Probes probes;
  std::uint64_t events = 0;
  std::uint64_t sim_us = 0;
  std::size_t alive = jobs;
  std::uint64_t done = 0;
  while (alive > 0) {
    for (Worker& w : workers) {
      if (w.fd < 0) continue;
      char buf[4096];
      const ssize_t n = read(w.fd, buf, sizeof buf);
      if (n > 0) {
        w.buffer.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = w.buffer.find('\n')) != std::string::npos) {
          const std::string line = w.buffer.substr(0, nl);
          w.buffer.erase(0, nl + 1);
          if (line.rfind("S ", 0) == 0) {
            w.current_seed = std::strtoull(line.c_str() + 2, nullptr, 10);
            w.in_seed = true;
            continue;
          }
          SeedLine s;
          if (!decode_line(line, s)) continue;
          w.in_seed = false;
          results.push_back(s);
          ++by_status[s.status];
          probes.add(s.probes);
          events += s.events;
          sim_us += s.sim_us;
          ++done;
          if (done % 50 == 0 || done == o.seeds) {
            const double wall =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
            std::fprintf(stderr, "\rswarm: %llu/%llu seeds, %llu failing, %.1f s",
                         static_cast<unsigned long long>(done),
                         static_cast<unsigned long long>(o.seeds),
                         static_cast<unsigned long long>(done - by_status[0]), wall);
          }
        }
        continue;
      }
      // EOF: the worker finished or died.
      close(w.fd);
      w.fd = -1;
      int wstatus = 0;
      waitpid(w.pid, &wstatus, 0);
      --alive;
      if (w.in_seed) {
        SeedLine s;
        s.seed = w.current_seed;
        s.status = WIFSIGNALED(wstatus) ? 100 + WTERMSIG(wstatus) : 100;
        s.what = "crash";
        results.push_back(s);
        ++by_status[s.status];
        ++done;
        if (w.current_seed + jobs < end) {
          spawn(w, w.current_seed + jobs);
          ++alive;
        }
      }
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::fprintf(stderr, "\n");
  fmt::print("swarm summary: {} seeds (first {}), {} jobs, {:.1f} s wall\n", o.seeds, first, jobs,
             wall);
  fmt::print("  {:<22} {:>8}\n", "outcome", "seeds");
  for (const auto& [status, count] : by_status) {
    const std::string name = status == 0   ? "pass"
                             : status == 1 ? "safety-violation"
                             : status == 2 ? "liveness-violation"
                             : status >= 100 ? fmt::format("crash (signal {})", status - 100)
                                             : fmt::format("exit {}", status);
    fmt::print("  {:<22} {:>8}\n", name, count);
  }
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  const double cpu = static_cast<double>(children.ru_utime.tv_sec + children.ru_stime.tv_sec) +
                     static_cast<double>(children.ru_utime.tv_usec + children.ru_stime.tv_usec) / 1e6;
  fmt::print("  events simulated {}; simulated time {:.0f} s; {:.0f}x real time (wall); "
             "workers' CPU {:.1f} s = {:.0f} simulated s per CPU s; {:.0f} events per CPU s\n",
             events, sim_us / 1e6, wall > 0 ? sim_us / 1e6 / wall : 0.0, cpu,
             cpu > 0 ? sim_us / 1e6 / cpu : 0.0, cpu > 0 ? events / cpu : 0.0);
  std::vector<std::uint64_t> settles;
  std::vector<std::uint64_t> gaps;
  for (const SeedLine& s : results) {
    if (s.settle_us > 0) settles.push_back(s.settle_us);
    if (s.gap_us_max > 0) gaps.push_back(s.gap_us_max);
  }
  const auto pct = [](std::vector<std::uint64_t>& v, double q) -> std::uint64_t {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))] / 1000;
  };
  if (!settles.empty()) {
    fmt::print("  ownership: settled after the heal in {} seeds, p50 {} ms p99 {} ms max {} ms; "
               "longest no-actor gap per seed p50 {} ms p99 {} ms max {} ms (faults included)\n",
               settles.size(), pct(settles, 0.5), pct(settles, 0.99), pct(settles, 1.0),
               pct(gaps, 0.5), pct(gaps, 0.99), pct(gaps, 1.0));
  }
  fmt::print("coverage probes (sum over seeds):\n{}", probe_table(probes));
  std::sort(results.begin(), results.end(),
            [](const SeedLine& a, const SeedLine& b) { return a.seed < b.seed; });
  int worst = 0;
  std::size_t failing_printed = 0;
  for (const SeedLine& s : results) {
    if (s.status == 0) continue;
    if (failing_printed++ < 50) {
      fmt::print("FAIL seed {} ({}): {}\n", s.seed, s.what, replay_command(config_for(o, s.seed)));
    }
    if (worst == 0) worst = s.status >= 100 ? 5 : s.status;
  }
  bool missing_probe = false;
  if (o.seeds >= 200 && o.run.faults && o.run.mutation == Mutation::kNone) {
    for (std::size_t i = 0; i < kProbeCount; ++i) {
      const Probe p = static_cast<Probe>(i);
      if (probe_required(p) && probes.count(p) == 0) {
        fmt::print("PROBE NEVER FIRED: {} (the fault mix no longer reaches it)\n", probe_name(p));
        missing_probe = true;
      }
    }
  }
  if (worst != 0) return worst;
  return missing_probe ? kExitExpectation : kExitPass;
}

int cmd_mutations(const Options&) {
  if (!kMutationsCompiled) {
    fmt::print("this build carries no planted bugs; configure with -DQUORUM_MUTATIONS=ON\n");
    return kExitUsage;
  }
  for (std::size_t i = 1; i < kMutationNames.size(); ++i) fmt::print("{}\n", kMutationNames[i]);
  return kExitPass;
}

}  // namespace quorum::sim::cli
