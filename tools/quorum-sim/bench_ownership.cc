// quorum-sim bench ownership: the measurements of issue 8 section 8 in the simulator (a
// benchmark, not a test: docs/benchmarks.md records its output with the command and machine).
//
// Every run: LAN, 10 ms ticks, E = 1 s, H = 100 ms, L = 3E, rho = 200 ppm (clocks within
// +-100 ppm, at exactly the bound in a third of the seeds), no nemesis, no config clients; the
// pool operator's commands are the only load. The ownership checker judges every step as in any
// pool run (a violation is reported and counted).
//
//  * Pool rows (3, 5, 10 controllers, all Raft voters, and 10 controllers of which 5 voters and 5
//    learners; x 100, 1,000 clusters): N-1 controllers settle; steady
//    window -> messages per controller per second; the N-th registers (join) -> clusters moved
//    against the minimum floor(M/N), imbalance (max - min owned); controller 1's weight becomes 2
//    -> moved against the minimum; controller N is drained (planned leave) -> moved against its
//    own clusters, the longest no-actor gap; a non-leader owner crashes -> takeover (longest gap
//    of its clusters).
//  * `takeover`: the distribution over --seeds seeds (5 controllers, 100 clusters): settle, one
//    owner drawn from the seed (the leader in about 1 of 5) crashes, the longest gap of its
//    clusters; p50 / p99 / max against L(1+rho) + delta + 2E, split by whether the leader died too.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

#include "engine/core/ownership/driver.h"
#include "sim/ownership_access.h"
#include "sim/world.h"
#include "tools/quorum-sim/options.h"

namespace quorum::sim::cli {

namespace {

constexpr std::uint32_t kRhoPpm = 200;

RunConfig bench_config(std::uint64_t seed, std::size_t nodes, std::size_t clusters,
                       std::size_t controllers, std::uint64_t duration_us, std::size_t voters = 0) {
  RunConfig c;
  c.seed = seed;
  c.node_count = nodes;
  c.voter_count = voters;
  c.profile = Profile::kLan;
  c.duration_us = duration_us;
  c.quiet_us = duration_us / 2;
  c.faults = false;
  c.workload = false;
  c.check_linearizability = false;
  c.tick_interval_ms = 10;
  c.election_timeout_ticks = 100;
  c.heartbeat_interval_ticks = 10;
  c.lease_drift_ppm_max = kRhoPpm;
  c.pool = true;
  PoolOptions pool;
  pool.clusters = clusters;
  pool.controllers = controllers;
  pool.event_mean_gap_us = 0;
  c.pool_options = pool;
  return c;
}

// Every cluster of the leader's table is owned by a live controller whose may_act is ok.
bool settled(World& w) {
  const NodeId leader = w.current_leader();
  if (leader == kNoNode) return false;
  const ownership::StateMachine& state = pool_state(*w.host(leader));
  if (state.clusters().empty()) return false;
  for (const auto& [id, c] : state.clusters()) {
    if (c.owner == kNoNode || !w.node_up(c.owner)) return false;
    if (!pool_may_act(*w.host(c.owner), id).ok()) return false;
  }
  return true;
}

// Runs in 10 ms steps until settled (and the operator idle), at most `limit_us` more.
bool run_until_settled(World& w, std::uint64_t limit_us) {
  // A local clock: run_until only pops events, so now_us() may stand still for a step in which
  // no event is due (idle nodes whose slow clocks tick just over 10 ms apart).
  const std::uint64_t end = w.now_us() + limit_us;
  for (std::uint64_t t = w.now_us() + 10'000; t <= end; t += 10'000) {
    w.run_until(t);
    if (w.findings().any_safety()) return false;
    if (w.pool()->idle() && settled(w)) return true;
  }
  return false;
}

std::map<ownership::ClusterId, NodeId> owner_of(World& w);

// Settled, and no owner changed for 2 s (the rate-limited rebalancing is over).
bool run_until_stable(World& w, std::uint64_t limit_us) {
  const std::uint64_t end = w.now_us() + limit_us;
  while (w.now_us() < end) {
    if (!run_until_settled(w, end - w.now_us())) return false;
    const auto before = owner_of(w);
    w.run_until(w.now_us() + 2'000'000);
    if (settled(w) && owner_of(w) == before) return true;
  }
  return false;
}

std::map<NodeId, std::size_t> owners(World& w) {
  std::map<NodeId, std::size_t> out;
  const NodeId leader = w.current_leader();
  if (leader == kNoNode) return out;
  for (const auto& [id, c] : pool_state(*w.host(leader)).clusters()) ++out[c.owner];
  return out;
}

std::map<ownership::ClusterId, NodeId> owner_of(World& w) {
  std::map<ownership::ClusterId, NodeId> out;
  const NodeId leader = w.current_leader();
  if (leader == kNoNode) return out;
  for (const auto& [id, c] : pool_state(*w.host(leader)).clusters()) out[id] = c.owner;
  return out;
}

std::size_t moved(const std::map<ownership::ClusterId, NodeId>& a,
                  const std::map<ownership::ClusterId, NodeId>& b) {
  std::size_t n = 0;
  for (const auto& [id, owner] : a) {
    const auto it = b.find(id);
    n += it != b.end() && it->second != owner;
  }
  return n;
}

// The longest gap that ended after `from_us` among clusters acted on by `before` (kNoNode: any).
std::uint64_t longest_gap_since(const World& w, std::uint64_t from_us, NodeId before) {
  std::uint64_t longest = 0;
  for (const OwnershipChecker::Gap& g : w.ownership()->gaps()) {
    if (g.to_us < from_us || (before != kNoNode && g.before != before)) continue;
    longest = std::max(longest, g.to_us - g.from_us);
  }
  return longest;
}

NodeId first_non_leader_owner(World& w) {
  const NodeId leader = w.current_leader();
  for (const auto& [owner, count] : owners(w)) {
    if (owner != leader && owner != kNoNode && count > 0) return owner;
  }
  return kNoNode;
}

// L(1+rho) + delta + 2E in ms for the run's session parameters (10 ms ticks, E = 100 ticks).
double takeover_target_ms(const World& w) {
  const raft::SessionParams& s = w.session_params();
  return (static_cast<double>(s.lease_ticks) * (1.0 + kRhoPpm / 1e6) +
          static_cast<double>(s.delay_ticks) + 200.0) * 10.0;
}

struct PoolRow {
  bool ok = true;
  std::string note;
  double messages_per_controller_s = 0;
  std::size_t join_moved = 0, join_min = 0, imbalance = 0;
  std::size_t weight_moved = 0, weight_min = 0;
  std::size_t leave_moved = 0, leave_min = 0;
  std::uint64_t drain_gap_us = 0;
  std::uint64_t takeover_us = 0;
};

PoolRow pool_row(std::uint64_t seed, std::size_t n, std::size_t voters, std::size_t m) {
  PoolRow row;
  World w(bench_config(seed, n, m, n - 1, 400'000'000, voters));
  w.begin();
  const auto fail = [&](const std::string& why) {
    row.ok = false;
    row.note = why;
    return row;
  };
  if (!run_until_stable(w, 60'000'000)) return fail("did not settle");
  // Steady window: 10 s, nothing but heartbeats and their answers.
  const std::uint64_t m0 = w.messages_sent();
  w.run_until(w.now_us() + 10'000'000);
  row.messages_per_controller_s = static_cast<double>(w.messages_sent() - m0) / 10.0 / n;
  // Join.
  auto before = owner_of(w);
  ownership::RegisterController r;
  r.id = static_cast<NodeId>(n);
  r.name = fmt::format("ctl{}", n);
  r.address = fmt::format("n{}", n);
  w.pool()->submit(r);
  w.run_until(w.now_us() + 3'000'000);  // registered, stable time, activation
  if (!run_until_stable(w, 120'000'000)) return fail("join did not settle");
  auto after = owner_of(w);
  row.join_moved = moved(before, after);
  row.join_min = m / n;
  std::size_t lo = m, hi = 0;
  for (NodeId id = 1; id <= n; ++id) {
    const std::size_t k = owners(w)[id];
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  row.imbalance = hi - lo;
  // Weight change: controller 1 gets weight 2 (the others 1): its share is floor(2M/(N+1)).
  before = after;
  const std::size_t had = owners(w)[1];
  w.pool()->submit(ownership::SetWeight{1, 2});
  w.run_until(w.now_us() + 3'000'000);
  if (!run_until_stable(w, 120'000'000)) return fail("weight change did not settle");
  after = owner_of(w);
  row.weight_moved = moved(before, after);
  const std::size_t share = 2 * m / (n + 1);
  row.weight_min = share > had ? share - had : 0;
  // Planned leave: drain controller N.
  before = after;
  row.leave_min = owners(w)[static_cast<NodeId>(n)];
  const std::uint64_t drain_us = w.now_us();
  w.pool()->submit(ownership::Drain{static_cast<NodeId>(n)});
  w.run_until(w.now_us() + 3'000'000);
  if (!run_until_stable(w, 120'000'000)) return fail("drain did not settle");
  after = owner_of(w);
  row.leave_moved = moved(before, after);
  row.drain_gap_us = longest_gap_since(w, drain_us, kNoNode);
  // Takeover: a non-leader owner crashes.
  const NodeId victim = first_non_leader_owner(w);
  if (victim == kNoNode) return fail("no follower owner");
  const std::uint64_t crash_us = w.now_us();
  w.crash(victim);
  if (!run_until_settled(w, 60'000'000)) return fail("takeover did not settle");
  row.takeover_us = longest_gap_since(w, crash_us, victim);
  if (w.findings().any_safety()) return fail("safety violation");
  return row;
}

struct Takeover {
  bool ok = false;
  bool leader_died = false;
  std::uint64_t gap_us = 0;
  double target_ms = 0;
};

Takeover takeover_seed(std::uint64_t seed) {
  Takeover t;
  World w(bench_config(seed, 5, 100, 0, 40'000'000));
  w.begin();
  if (!run_until_settled(w, 15'000'000)) return t;
  w.run_until(w.now_us() + 500'000);
  // The victim: one of the owners, drawn from the seed (the leader owns clusters too).
  std::vector<NodeId> candidates;
  for (const auto& [owner, count] : owners(w)) {
    if (owner != kNoNode && count > 0) candidates.push_back(owner);
  }
  if (candidates.empty()) return t;
  const NodeId victim = candidates[(seed * 0x9e3779b97f4a7c15ULL >> 32) % candidates.size()];
  t.leader_died = victim == w.current_leader();
  const std::uint64_t crash_us = w.now_us();
  w.crash(victim);
  if (!run_until_settled(w, 15'000'000)) return t;
  t.gap_us = longest_gap_since(w, crash_us, victim);
  t.target_ms = takeover_target_ms(w);
  t.ok = !w.findings().any_safety();
  return t;
}

std::uint64_t percentile(std::vector<std::uint64_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1)));
  return v[i];
}

void print_distribution(const std::string& label, std::vector<std::uint64_t>& gaps, double target_ms) {
  std::sort(gaps.begin(), gaps.end());  // before the arguments below (their order is unspecified)
  std::size_t over = 0;
  for (const std::uint64_t g : gaps) over += static_cast<double>(g) / 1000.0 > target_ms;
  fmt::print("  {:<28} {:>7} seeds  p50 {:>6} ms  p99 {:>6} ms  max {:>6} ms  target {:.0f} ms  "
             "over target {}\n",
             label, gaps.size(), percentile(gaps, 0.5) / 1000, percentile(gaps, 0.99) / 1000,
             gaps.empty() ? 0 : gaps.back() / 1000, target_ms, over);
}

int takeover_distribution(const Options& o) {
  fmt::print("quorum-sim bench ownership takeover: seeds {}..{}, 5 controllers, 100 clusters, "
             "LAN, E 1 s, H 100 ms, L 3 s, rho {} ppm\n",
             o.first_seed, o.first_seed + o.seeds - 1, kRhoPpm);
  std::fflush(stdout);
  std::vector<std::uint64_t> follower_gaps, leader_gaps;
  std::size_t failed = 0;
  double target_ms = 0;
  for (std::uint64_t s = 0; s < o.seeds; ++s) {
    const Takeover t = takeover_seed(o.first_seed + s);
    if (!t.ok) {
      ++failed;
      fmt::print("  seed {}: FAILED (not settled or a safety violation)\n", o.first_seed + s);
    } else {
      target_ms = t.target_ms;
      (t.leader_died ? leader_gaps : follower_gaps).push_back(t.gap_us);
    }
    if ((s + 1) % 1000 == 0 || s + 1 == o.seeds) {
      // Progress with the running figures, so that a run stopped early still says something.
      std::vector<std::uint64_t> f = follower_gaps, l = leader_gaps;
      fmt::print(stderr,
                 "takeover: {}/{} seeds, {} failed; owner dies p50/p99/max {}/{}/{} ms; leader "
                 "dies {}/{}/{} ms\n",
                 s + 1, o.seeds, failed, percentile(f, 0.5) / 1000, percentile(f, 0.99) / 1000,
                 f.empty() ? 0 : f.back() / 1000, percentile(l, 0.5) / 1000,
                 percentile(l, 0.99) / 1000, l.empty() ? 0 : l.back() / 1000);
    }
  }
  std::vector<std::uint64_t> all = follower_gaps;
  all.insert(all.end(), leader_gaps.begin(), leader_gaps.end());
  print_distribution("an owner dies", follower_gaps, target_ms);
  print_distribution("the leader (an owner) dies", leader_gaps, target_ms);
  print_distribution("all", all, target_ms);
  fmt::print("  failed seeds: {}\n", failed);
  return failed == 0 ? kExitPass : kExitLiveness;
}

}  // namespace

int cmd_bench_ownership(const Options& o) {
  if (o.positional.size() > 1 && o.positional[1] == "takeover") return takeover_distribution(o);
  const std::uint64_t seeds = o.seeds == 100 ? 1 : o.seeds;
  fmt::print("quorum-sim bench ownership: {} seed(s) per row from {}, LAN, E 1 s, H 100 ms, L 3 s, "
             "rho {} ppm, no nemesis, no clients\n",
             seeds, o.first_seed, kRhoPpm);
  fmt::print("{:>4} {:>6} {:>5} {:>9} {:>10} {:>9} {:>11} {:>11} {:>12} {:>10} {}\n", "ctl",
             "voters", "clust",
             "msg/ctl/s", "join mv/min", "imbalance", "weight mv/min", "leave mv/min", "drain gap ms",
             "takeover ms", "");
  std::fflush(stdout);
  int worst = kExitPass;
  // (controllers, Raft voters): the controllers beyond the voters are learners.
  constexpr std::pair<std::size_t, std::size_t> kRows[] = {{3, 3}, {5, 5}, {10, 10}, {10, 5}};
  for (const auto& [n, voters] : kRows) {
    if (o.nodes_given && n != o.run.node_count) continue;
    if (o.voters_given && voters != o.run.voter_count) continue;
    for (const std::size_t m : {100U, 1000U}) {
      for (std::uint64_t s = 0; s < seeds; ++s) {
        const PoolRow r = pool_row(o.first_seed + s, n, voters, m);
        fmt::print("{:>4} {:>6} {:>5} {:>9.1f} {:>6}/{:<4} {:>9} {:>7}/{:<5} {:>7}/{:<4} {:>12.1f} {:>11.0f} {}\n",
                   n, voters, m, r.messages_per_controller_s, r.join_moved, r.join_min, r.imbalance,
                   r.weight_moved, r.weight_min, r.leave_moved, r.leave_min,
                   static_cast<double>(r.drain_gap_us) / 1000.0,
                   static_cast<double>(r.takeover_us) / 1000.0, r.ok ? "" : "FAILED: " + r.note);
        std::fflush(stdout);
        if (!r.ok) worst = kExitLiveness;
      }
    }
  }
  return worst;
}

}  // namespace quorum::sim::cli
