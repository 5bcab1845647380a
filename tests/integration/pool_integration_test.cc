// The controller pool on real daemons (issue 8 section 6): three quorumd on loopback register
// themselves, clusters added with quorumctl are each owned by exactly one controller whose
// may-act says yes while the two others say no; a move, a drain and a remove keep that true; a
// SIGKILLed owner's clusters are taken over within the session bound; quorumctl's usage errors.
// E = 500 ms, H = 50 ms, L = 1 s, delta = 50 ms, rho = 1000 ppm: W = L(1+rho)+delta+1 tick = 1.06 s.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace quorum::integration {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr auto kT = 500ms;
constexpr auto kSettle = 20 * kT;  // generous: CI machines are shared

ClusterOptions pool_options() {
  ClusterOptions options;
  options.pool = true;
  options.session_lease_ms = 1000;
  return options;
}

std::string ctl(const TestCluster& cluster, NodeId via, const std::string& args) {
  return fmt::format("--host {} --timeout 10 {}", cluster.api_address(via), args);
}

// cluster name -> owner name, from the leader's table; empty on no answer.
std::map<std::string, std::string> owners(const TestCluster& cluster, NodeId via) {
  std::map<std::string, std::string> out;
  if (std::optional<api::PoolClusterList> list = cluster.pool_clusters(via)) {
    for (const api::PoolCluster& c : list->clusters()) {
      out[c.name()] = c.state() == "owned" ? c.owner_name() : "";
    }
  }
  return out;
}

// True when every cluster in `names` is owned and exactly its owner's may-act says yes (with
// the table's epoch), the others no with not_owner; `why` says what is not so yet.
bool exactly_one_may_act(const TestCluster& cluster, NodeId via, const std::set<std::string>& names,
                         const std::set<NodeId>& live, std::string* why) {
  const std::optional<api::PoolClusterList> list = cluster.pool_clusters(via);
  if (!list) return (*why = "no cluster table"), false;
  std::size_t seen = 0;
  for (const api::PoolCluster& c : list->clusters()) {
    if (names.count(c.name()) == 0) continue;
    ++seen;
    if (c.state() != "owned") return (*why = c.name() + " is " + c.state()), false;
    for (NodeId id : live) {
      const std::optional<api::MayAct> answer = cluster.may_act(id, c.name());
      if (!answer) return (*why = fmt::format("node {} did not answer", id)), false;
      const bool owner = c.owner_id() == id;
      if (answer->may_act() != owner || (owner && answer->epoch() != c.epoch()) ||
          (!owner && answer->reason() != "not_owner")) {
        *why = fmt::format("{} owned by {} (epoch {}): node {} says mayAct {} epoch {} reason '{}'",
                           c.name(), c.owner_name(), c.epoch(), id, answer->may_act(),
                           answer->epoch(), answer->reason());
        return false;
      }
    }
  }
  if (seen != names.size()) return (*why = fmt::format("{} of {} clusters listed", seen, names.size())), false;
  return true;
}

// The controller owning the most clusters and the one owning the fewest.
std::pair<std::string, std::string> most_and_fewest(const std::map<std::string, std::string>& owned) {
  std::map<std::string, int> count = {{"ctl1", 0}, {"ctl2", 0}, {"ctl3", 0}};
  for (const auto& [name, owner] : owned) ++count[owner];
  auto most = count.begin(), fewest = count.begin();
  for (auto it = count.begin(); it != count.end(); ++it) {
    if (it->second > most->second) most = it;
    if (it->second < fewest->second) fewest = it;
  }
  return {most->first, fewest->first};
}

TEST(IntegrationPool, EveryClusterHasExactlyOneControllerThatMayActThroughAMoveADrainAndARemove) {
  TestCluster cluster(pool_options());
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kSettle);
  ASSERT_NE(leader, kNoNode);
  // Every controller registered itself and became active (pool_register, stable after E).
  ASSERT_TRUE(eventually(kSettle, [&] {
    std::optional<api::PoolControllerList> list = cluster.pool_controllers(leader);
    if (!list || list->controllers_size() != 3) return false;
    for (const api::PoolController& c : list->controllers()) {
      if (c.state() != "active") return false;
    }
    return true;
  }));
  // Five clusters through a follower (quorumctl follows the redirect): 2/2/1 once balanced.
  const NodeId follower = leader % 3 + 1;
  std::set<std::string> names;
  for (int i = 1; i <= 5; ++i) {
    const std::string name = "db" + std::to_string(i);
    CommandResult add = run_quorumctl(ctl(cluster, follower, "cluster --add " + name + " --tags site=A"), cluster.dir());
    ASSERT_EQ(add.exit_code, 0) << add.err;
    EXPECT_EQ(add.out, name + ": added (id " + std::to_string(i) + ")\n");
    names.insert(name);
  }
  const std::set<NodeId> all = {1, 2, 3};
  std::string why;
  ASSERT_TRUE(eventually(kSettle, [&] { return exactly_one_may_act(cluster, leader, names, all, &why); })) << why;
  CommandResult table = run_quorumctl(ctl(cluster, follower, "cluster --list --long"), cluster.dir());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("ID NAME OWNER EPOCH LEASE-LEFT STATE TAGS", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("owned site=A"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Total: 5 cluster(s)"), std::string::npos) << table.out;
  CommandResult controllers = run_quorumctl(ctl(cluster, follower, "controller --list --long"), cluster.dir());
  EXPECT_NE(controllers.out.find("POOL          OWNED COMMENT"), std::string::npos) << controllers.out;

  // A move from the busiest to the least busy keeps the pool balanced (no rebalance after it).
  std::map<std::string, std::string> owned = owners(cluster, leader);
  const auto [from, to] = most_and_fewest(owned);
  std::string moved;
  for (const auto& [name, owner] : owned) {
    if (owner == from) moved = name;
  }
  CommandResult move = run_quorumctl(ctl(cluster, follower, "cluster --move " + moved + " --to " + to), cluster.dir());
  ASSERT_EQ(move.exit_code, 0) << move.err;
  EXPECT_NE(move.out.find(moved + ": owned by " + to), std::string::npos) << move.out;
  ASSERT_TRUE(eventually(kSettle, [&] { return exactly_one_may_act(cluster, leader, names, all, &why); })) << why;

  // A drain: the drained controller ends up owning nothing and may act on nothing.
  CommandResult drain = run_quorumctl(ctl(cluster, follower, "controller --drain " + to), cluster.dir());
  ASSERT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(drain.out, to + ": draining\n");
  ASSERT_TRUE(eventually(kSettle, [&] {
    for (const auto& [name, owner] : owners(cluster, leader)) {
      if (owner.empty() || owner == to) return false;
    }
    return exactly_one_may_act(cluster, leader, names, all, &why);
  })) << why;

  // A remove: nobody may act on the cluster any more; the others are untouched.
  CommandResult remove = run_quorumctl(ctl(cluster, follower, "cluster --remove db1"), cluster.dir());
  ASSERT_EQ(remove.exit_code, 0) << remove.err;
  names.erase("db1");
  ASSERT_TRUE(eventually(kSettle, [&] {
    for (NodeId id : all) {
      std::optional<api::MayAct> answer = cluster.may_act(id, "db1");
      if (!answer || answer->may_act() || answer->reason() != "unknown_cluster") return false;
    }
    return true;
  }));
  EXPECT_TRUE(exactly_one_may_act(cluster, leader, names, all, &why)) << why;
  // Refusals carry the state machine's reason and exit 1.
  CommandResult deregister = run_quorumctl(ctl(cluster, follower, "controller --deregister " + from), cluster.dir());
  EXPECT_EQ(deregister.exit_code, 1);
  EXPECT_NE(deregister.err.find("drain it first"), std::string::npos) << deregister.err;
}

TEST(IntegrationPool, ASigkilledOwnersClustersAreTakenOverWithinTheSessionBound) {
  TestCluster cluster(pool_options());
  cluster.start_all();
  const NodeId leader = cluster.wait_leader(cluster.ids(), kSettle);
  ASSERT_NE(leader, kNoNode);
  std::set<std::string> names;
  ASSERT_TRUE(eventually(kSettle, [&] {
    std::optional<api::PoolControllerList> list = cluster.pool_controllers(leader);
    if (!list || list->controllers_size() != 3) return false;
    for (const api::PoolController& c : list->controllers()) {
      if (c.state() != "active") return false;
    }
    return true;
  }));
  for (int i = 1; i <= 6; ++i) {
    ASSERT_EQ(cluster.request(leader, "POST", "/v1/ownership/clusters", fmt::format(R"({{"name":"db{}"}})", i))->status, 200u);
    names.insert("db" + std::to_string(i));
  }
  const std::set<NodeId> all = {1, 2, 3};
  std::string why;
  // Balanced (2/2/2, the policy's max - min <= 1 for equal weights) and settled.
  ASSERT_TRUE(eventually(kSettle, [&] {
    std::map<std::string, int> count;
    for (const auto& [name, owner] : owners(cluster, leader)) ++count[owner];
    return count["ctl1"] == 2 && count["ctl2"] == 2 && count["ctl3"] == 2 &&
           exactly_one_may_act(cluster, leader, names, all, &why);
  })) << why;
  // A follower that owns something: SIGKILL, then time until another controller may act on
  // every one of its clusters.
  const std::map<std::string, std::string> owned = owners(cluster, leader);
  const NodeId victim = leader % 3 + 1;
  std::set<std::string> victims;
  for (const auto& [name, owner] : owned) {
    if (owner == "ctl" + std::to_string(victim)) victims.insert(name);
  }
  ASSERT_FALSE(victims.empty());
  const auto killed = Clock::now();
  cluster.kill(victim, SIGKILL);
  const std::set<NodeId> live = {leader, 6 - leader - victim};
  std::set<std::string> taken;
  ASSERT_TRUE(eventually(kSettle, [&] {
    for (const std::string& name : victims) {
      for (NodeId id : live) {
        std::optional<api::MayAct> answer = cluster.may_act(id, name);
        if (answer && answer->may_act()) taken.insert(name);
      }
    }
    return taken.size() == victims.size();
  }));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
  std::fprintf(stderr, "takeover of %zu cluster(s) after SIGKILL of node %llu: %lld ms\n", victims.size(),
               static_cast<unsigned long long>(victim), static_cast<long long>(took.count()));
  // Never before the dead owner's own lease could have run out (L(1-rho) - delta = 0.95 s after
  // its last confirmed keepalive, which is at most a few heartbeats before the kill).
  EXPECT_GE(took, 800ms);
  // W + a plan interval + commit, with room for a shared CI machine.
  EXPECT_LE(took, 4000ms);
  EXPECT_TRUE(exactly_one_may_act(cluster, leader, names, live, &why)) << why;
  EXPECT_NE(cluster.metric(leader, "quorum_pool_takeovers_total"), "0");
  // The gap closes at the leader's first plan after the grant applied (a heartbeat later); it
  // starts at the owner's last keepalive.
  std::string longest;
  EXPECT_TRUE(eventually(10 * kT, [&] {
    longest = cluster.metric(leader, "quorum_pool_longest_unowned_ms");
    return !longest.empty() && std::stoll(longest) >= 800;
  })) << longest;
  EXPECT_NE(cluster.metric(leader, "quorum_session_lease_left_ms"), "0");
}

TEST(IntegrationPool, QuorumctlPoolUsageErrorsExit64WithAClearLine) {
  const std::string dir = ::testing::TempDir();
  const std::map<std::string, std::string> cases = {
      {"cluster", "quorumctl: cluster needs one of --list, --add, --remove, --move, --pin, --unpin"},
      {"cluster --move db1", "quorumctl: cluster --move ID|NAME needs --to CONTROLLER"},
      {"cluster --add", "quorumctl: cluster --add NAME: exactly one NAME"},
      {"cluster --list --to ctl1", "quorumctl: --to goes with --move or --pin"},
      {"cluster --remove db1 --tags a=b", "quorumctl: --tags, --id and --no-auto-recovery go with --add"},
      {"cluster --add db1 --id x", "quorumctl: --id takes a cluster id (1 or more), not 'x'"},
      {"cluster --add db1 --tags site", "quorumctl: --tags takes KEY=VALUE,... (not 'site')"},
      {"cluster --list --add db1", "quorumctl: cluster takes one of --list, --add, --remove, --move, --pin, --unpin"},
      {"cluster --frob", "quorumctl: unknown cluster option '--frob'"},
      {"controller --drain", "quorumctl: controller --drain: exactly one controller NAME"},
      {"controller --weight 0 ctl1", "quorumctl: --weight takes 1 to 10000, not '0'"},
      {"controller --drain ctl1 --standby", "quorumctl: --tags and --standby go with --register"},
      {"standby", "quorumctl: standby needs --promote NAME"},
      {"standby --promote", "quorumctl: standby --promote: exactly one controller NAME"},
  };
  for (const auto& [args, line] : cases) {
    CommandResult result = run_quorumctl("--host 127.0.0.1:1 " + args, dir);
    EXPECT_EQ(result.exit_code, 64) << args;
    EXPECT_EQ(result.err.substr(0, result.err.find('\n')), line) << args;
    EXPECT_TRUE(result.out.empty()) << args;
  }
}

}  // namespace
}  // namespace quorum::integration
