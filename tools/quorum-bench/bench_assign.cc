// quorum-bench assign: the cost of one assignment decision of the ownership policy
// (engine/core/ownership/assign.h) at pool scale. Only plan() is timed; the state machine
// applies its commands between scenarios so that each scenario starts from the state the
// previous one settled to.
#include "tools/quorum-bench/bench_assign.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "engine/core/ownership/assign.h"
#include "engine/core/ownership/state_machine.h"

namespace quorum::bench {
namespace {

namespace own = ownership;
using Clock = std::chrono::steady_clock;

struct Pool {
  own::StateMachine sm;
  std::set<NodeId> alive;
  std::size_t moves_max = SIZE_MAX;

  bool apply(const own::Command& c) {
    const own::ApplyResult r = sm.apply(sm.applied_index() + 1, c);
    if (r.code != own::ApplyResult::Code::kApplied) {
      std::fprintf(stderr, "quorum-bench assign: command refused: %s\n", r.reason.c_str());
      return false;
    }
    return true;
  }

  bool add_controller(NodeId id) {
    own::RegisterController c;
    c.id = id;
    c.name = "controller-" + std::to_string(id);
    if (!apply(c) || !apply(own::Activate{id})) return false;
    alive.insert(id);
    return true;
  }

  std::vector<own::Command> plan() const {
    return own::plan(own::PolicyInput{sm, alive, alive, moves_max});
  }

  // Applies plans until one is empty; returns the number of owner changes, or -1 on error.
  long settle() {
    long moved = 0;
    for (int round = 0; round < 100; ++round) {
      const std::vector<own::Command> commands = plan();
      if (commands.empty()) return moved;
      for (const own::Command& c : commands) {
        if (!apply(c)) return -1;
        moved += std::holds_alternative<own::Assign>(c) ? 1 : 0;
      }
    }
    std::fprintf(stderr, "quorum-bench assign: no fixpoint after 100 rounds\n");
    return -1;
  }
};

struct Timing {
  double median_ms = 0;
  double max_ms = 0;
  std::size_t commands = 0;
};

Timing time_plan(const Pool& pool, int runs) {
  std::vector<double> ms;
  Timing t;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    const std::vector<own::Command> commands = pool.plan();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    t.commands = commands.size();
  }
  std::sort(ms.begin(), ms.end());
  t.median_ms = ms[ms.size() / 2];
  t.max_ms = ms.back();
  return t;
}

void print(const char* scenario, const Timing& t, long moved) {
  std::printf("  %-28s median %7.2f ms  max %7.2f ms  %6zu commands  %6ld owner changes\n",
              scenario, t.median_ms, t.max_ms, t.commands, moved);
}

}  // namespace

int cmd_assign(std::size_t clusters, std::size_t controllers, int runs) {
  Pool pool;
  for (NodeId id = 1; id <= controllers; ++id) {
    if (!pool.add_controller(id)) return 1;
  }
  for (std::size_t i = 1; i <= clusters; ++i) {
    if (!pool.apply(own::AddCluster{i, "db-" + std::to_string(i), {}, true})) return 1;
  }
  std::printf("assign: ownership::plan() on %zu clusters x %zu equal-weight controllers, %d runs "
              "per scenario (bound: <= 50 ms at 10,000 x 64)\n",
              clusters, controllers, runs);
  const Timing initial = time_plan(pool, runs);
  print("initial (all unowned)", initial, pool.settle());
  print("balanced (nothing to do)", time_plan(pool, runs), 0);

  const NodeId joiner = controllers + 1;
  if (!pool.add_controller(joiner)) return 1;
  const Timing join = time_plan(pool, runs);
  const long join_moved = pool.settle();
  print("join (+1 controller)", join, join_moved);
  std::printf("    join moved %ld, bound ceil(M/(N+1))+1 = %zu\n", join_moved,
              (clusters + controllers) / (controllers + 1) + 1);

  pool.alive.erase(1);  // controller 1's lease ran out
  const Timing leave = time_plan(pool, runs);
  const long leave_moved = pool.settle();
  print("leave (controller 1 dies)", leave, leave_moved);
  const bool ok = initial.max_ms <= 50 && join.max_ms <= 50 && leave.max_ms <= 50;
  std::printf("assign: worst plan %.2f ms: %s\n",
              std::max({initial.max_ms, join.max_ms, leave.max_ms}),
              ok ? "within 50 ms" : "ABOVE 50 ms");
  return join_moved < 0 || leave_moved < 0 ? 1 : 0;
}

}  // namespace quorum::bench
