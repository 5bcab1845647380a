// quorum-sim demo: the README's main job. A simulated 3-controller LAN group, told as a story:
// leader elected, config files written and replicated, leader crashed, exactly one new leader,
// files present on the survivors, the old leader restarted and caught up. Every step checks what
// it claims; the exit code is non-zero if any expectation fails.
#include <fmt/format.h>

#include <optional>

#include "tools/quorum-sim/options.h"

namespace quorum::sim::cli {

namespace {

struct Demo {
  World& world;
  int failures = 0;

  double secs() const { return static_cast<double>(world.now_us()) / 1e6; }

  void expect(bool ok, const std::string& what) {
    fmt::print("  [{}] {}\n", ok ? " ok " : "FAIL", what);
    if (!ok) ++failures;
  }

  // Advances simulated time in 10 ms steps until pred() holds or limit_us passes.
  template <typename Pred>
  bool run_until(Pred pred, std::uint64_t limit_us) {
    const std::uint64_t end = world.now_us() + limit_us;
    while (world.now_us() < end) {
      if (pred()) return true;
      world.run_until(world.now_us() + 10'000);
    }
    return pred();
  }

  std::vector<NodeId> leaders() const {
    std::vector<NodeId> out;
    for (NodeId n = 1; n <= world.node_count(); ++n) {
      if (world.node_up(n) && world.host(n)->node().role() == raft::Role::kLeader) out.push_back(n);
    }
    return out;
  }

  bool write(NodeId leader, const std::string& path, const std::string& content) {
    std::optional<host::ClientReply> reply;
    world.propose(leader, config_sync::Put{path, content},
                  [&reply](const host::ClientReply& r) { reply = r; });
    run_until([&] { return reply.has_value(); }, 5'000'000);
    const bool ok = reply && reply->code == host::ClientReply::Code::kOk;
    expect(ok, fmt::format("t={:.3f}s wrote {} through n{}: {} (log index {})", secs(), path, leader,
                           reply ? host::client_reply_code_name(reply->code) : "no answer",
                           reply ? reply->index : 0));
    return ok;
  }

  bool has_files(NodeId n, const std::vector<std::string>& paths) const {
    if (!world.node_up(n)) return false;
    for (const std::string& p : paths) {
      if (world.host(n)->state().config.find(p) == nullptr) return false;
    }
    return true;
  }

  void show_files(NodeId n) const {
    const auto& files = world.host(n)->state().config.files();
    std::string list;
    for (const auto& [path, f] : files) list += fmt::format(" {}@v{}", path, f.version);
    fmt::print("        n{}: applied index {}, {} files:{}\n", n, world.host(n)->applied_index(),
               files.size(), list);
  }
};

}  // namespace

int cmd_demo(const Options& o) {
  RunConfig c;
  c.seed = o.run.seed != 0 ? o.run.seed : 1;
  c.node_count = 3;
  c.profile = Profile::kLan;
  c.faults = false;
  c.workload = false;
  c.duration_us = 120'000'000;
  c.tick_interval_ms = 10;
  c.election_timeout_ticks = 100;
  c.heartbeat_interval_ticks = 10;
  c.mutation = o.run.mutation;
  World world(c);
  world.begin();
  Demo d{world};
  fmt::print("Quorum demo: 3 simulated controllers on one LAN (seed {}, 100 ms heartbeats, 1 s "
             "election timeout)\n", c.seed);

  fmt::print("1. start the group and wait for an election\n");
  d.run_until([&] { return d.leaders().size() == 1; }, 10'000'000);
  std::vector<NodeId> leaders = d.leaders();
  d.expect(leaders.size() == 1, fmt::format("t={:.3f}s exactly one leader: {}", d.secs(),
                                            leaders.empty() ? std::string("none")
                                                            : fmt::format("n{} (term {})", leaders[0],
                                                                          world.host(leaders[0])->node().term())));
  if (leaders.size() != 1) return kExitExpectation;
  const NodeId first_leader = leaders[0];

  fmt::print("2. write two controller config files through the leader\n");
  const std::vector<std::string> files = {"cmon.cnf", "clusters/cluster_1.cnf"};
  d.write(first_leader, files[0], "hostname=10.0.0.1\nrpc_port=9500\n");
  d.write(first_leader, files[1], "cluster_id=1\ntype=galera\n");
  const bool replicated = d.run_until(
      [&] { return d.has_files(1, files) && d.has_files(2, files) && d.has_files(3, files); },
      3'000'000);
  d.expect(replicated, fmt::format("t={:.3f}s both files are on all 3 controllers", d.secs()));
  for (NodeId n = 1; n <= 3; ++n) d.show_files(n);

  fmt::print("3. crash the leader n{}\n", first_leader);
  world.crash(first_leader);
  const std::uint64_t crash_us = world.now_us();
  d.run_until([&] { return d.leaders().size() == 1; }, 15'000'000);
  leaders = d.leaders();
  d.expect(leaders.size() == 1 && leaders[0] != first_leader,
           fmt::format("t={:.3f}s exactly one new leader among the survivors: {} ({} ms after the "
                       "crash)",
                       d.secs(), leaders.empty() ? std::string("none") : fmt::format("n{}", leaders[0]),
                       (world.now_us() - crash_us) / 1000));
  if (leaders.size() != 1) return kExitExpectation;
  const NodeId second_leader = leaders[0];
  for (NodeId n = 1; n <= 3; ++n) {
    if (n == first_leader) continue;
    d.expect(d.has_files(n, files), fmt::format("n{} still has both files", n));
  }

  fmt::print("4. write a third file through the new leader n{}\n", second_leader);
  std::vector<std::string> all = files;
  all.push_back("clusters/cluster_2.cnf");
  d.write(second_leader, all[2], "cluster_id=2\ntype=replication\n");

  fmt::print("5. restart n{} and let it catch up\n", first_leader);
  world.restart(first_leader);
  const bool caught_up = d.run_until([&] { return d.has_files(first_leader, all); }, 10'000'000);
  d.expect(caught_up, fmt::format("t={:.3f}s restarted n{} has all 3 files", d.secs(), first_leader));
  leaders = d.leaders();
  d.expect(leaders.size() == 1 && leaders[0] == second_leader,
           fmt::format("n{} did not disturb the leader: leader is still n{}", first_leader,
                       second_leader));
  for (NodeId n = 1; n <= 3; ++n) d.show_files(n);

  world.run_until(world.now_us() + 1'000'000);
  const RunResult r = world.finish();
  d.expect(r.violations.empty() || r.violations.front().invariant == "liveness",
           fmt::format("safety checkers (election safety, log matching, leader completeness, state "
                       "machine safety, durability): {} violations",
                       r.violations.size()));
  fmt::print("{} ({} events, {:.1f} simulated seconds)\n",
             d.failures == 0 ? "demo passed" : fmt::format("demo FAILED: {} expectations", d.failures),
             r.events, d.secs());
  return d.failures == 0 ? kExitPass : kExitExpectation;
}

}  // namespace quorum::sim::cli
