// Three real quorumd processes, each probing its own node of a real 3-node MariaDB Galera
// cluster (tools/galera-local; controller N watches Galera node N on 127.0.0.1:331N). The Galera
// cluster is started once for the whole binary (a gtest Environment); each test gets fresh
// controllers and leaves Galera healthy again. Needs root; never skips: a machine that cannot run
// the cluster fails loudly.
//
// Stated bound for "the leader's Galera node isolated -> a healthy controller leads"
// (kMoveBound): Galera's own detection (the isolated node is non-Primary after its EVS inactive
// timeout, 4 s here; measured 2.8-4.0 s, up to ~6 s on a loaded machine) + the probe's hysteresis
// (2 bad probes at 200 ms, each bounded by the 1 s read timeout) + the core's hand-over (a transfer
// to a fit voter, at most one election timeout, 0.5 s) + one heartbeat for the others to learn the
// new leader. 4 + 2 x 1.2 + 0.5 + 0.1 = 7 s; the bound is 12 s so that a loaded CI machine does
// not fail it, while a leader that keeps leading while unfit (it would lead for ever) does.
//
// The controller pool runs in every test (6 managed clusters, L = 1 s) with the fencing mirror on
// (galera_fence): docs/ownership.md rule 8 (an unfit controller acts on nothing, its clusters are
// handed to fit ones) and the leader's publication into quorum_fence. Stated bound for "the
// leader's Galera node isolated -> its clusters acted on by healthy controllers" (kClustersBound):
// kMoveBound + the hand-over of its clusters by the new leader (a heartbeat to hear it unfit, the
// Releases and Assigns committed and applied: a few round trips, < 0.5 s) + 0.5 s of polling.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace quorum::integration {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr milliseconds kMoveBound{12'000};
constexpr milliseconds kClustersBound{13'000};
// Pool settling at start: registration, activation after the stable time, grants.
constexpr milliseconds kSettleBound{20'000};
constexpr int kClusters = 6;
// First leader: every controller starts unfit until 2 good probes (0.4 s), then an election.
constexpr milliseconds kFirstLeaderBound{15'000};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int galera_local(const std::string& args) {
  const char* path = std::getenv("GALERA_LOCAL");
  const std::string command = std::string(path != nullptr ? path : "tools/galera-local") + " " + args;
  std::fprintf(stderr, "[galera-local] %s\n", command.c_str());
  return std::system(command.c_str());  // NOLINT
}

class GaleraCluster : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "the real-Galera tests need root (mariadbd runs as user mysql, "
                                "isolation uses iptables): run them as root";
    const auto start = Clock::now();
    ASSERT_EQ(galera_local("up"), 0) << "tools/galera-local up failed (its output names the node)";
    std::fprintf(stderr, "[galera-local] up in %.1f s\n", seconds_since(start));
  }
  void TearDown() override { galera_local("down"); }
};

const ::testing::Environment* const kCluster =
    ::testing::AddGlobalTestEnvironment(new GaleraCluster);

ClusterOptions galera_options() {
  ClusterOptions options;
  options.cluster_id = "galera-itest";
  for (NodeId id = 1; id <= 3; ++id) {
    options.extra_config[id] = fmt::format(
        "galera_host = 127.0.0.1\ngalera_port = {}\ngalera_user = galera\ngalera_password = galera\n"
        "galera_probe_interval_ms = 200\ngalera_probes_to_change = 2\n"
        "galera_fence = on\ngalera_fence_interval_ms = 500",
        3310 + id);
  }
  options.pool = true;
  options.session_lease_ms = 1000;
  return options;
}

// One query through the mariadb client on Galera node `node` (127.0.0.1:331N), tab-separated
// rows without headers; nullopt when the client fails (its stderr in *error).
std::optional<std::string> sql(int node, const std::string& query, std::string* error = nullptr) {
  char path[] = "/tmp/quorum-galera-sql.XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return std::nullopt;
  close(fd);
  const std::string command = fmt::format(
      "mariadb -h 127.0.0.1 -P {} -u galera -pgalera -N -B -e \"{}\" >{} 2>{}.err", 3310 + node,
      query, path, path);
  const int rc = std::system(command.c_str());  // NOLINT
  auto slurp = [](const std::string& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::string out = slurp(path);
  if (error != nullptr) *error = slurp(std::string(path) + ".err");
  std::remove(path);
  std::remove((std::string(path) + ".err").c_str());
  if (rc != 0) return std::nullopt;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The fenced write of docs/operations.md section 7 ("A fenced write from a script"), verbatim but
// for the connection and the statement it guards; run by sh with QUORUM_* from the environment.
constexpr const char* kFencedScript = R"(#!/bin/sh
mariadb -h 127.0.0.1 -P "$GALERA_PORT" -u galera -pgalera quorum_test <<SQL
SET SESSION wsrep_sync_wait = 1;
START TRANSACTION;
DELIMITER //
BEGIN NOT ATOMIC
  UPDATE quorum_fence.ownership SET fenced_writes = fenced_writes + 1
   WHERE cluster_id = $QUORUM_CLUSTER_ID AND epoch = $QUORUM_EPOCH;
  IF ROW_COUNT() = 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'stale epoch: not the current owner';
  END IF;
END//
DELIMITER ;
INSERT INTO jobs VALUES ($QUORUM_CLUSTER_ID, $QUORUM_EPOCH, '$NOTE');
COMMIT;
SQL
)";

class QuorumdGalera : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(galera_local("up"), 0);
    // Each test's controllers are a new Raft cluster (terms from 1, epochs from small indices),
    // and the mirror is monotonic: start from none, as an operator does when a new controller
    // cluster takes over an existing cmon database (docs/operations.md section 7).
    std::string error;
    ASSERT_TRUE(sql(1, "DROP DATABASE IF EXISTS quorum_fence", &error)) << error;
    cluster_.start_all();
    const auto start = Clock::now();
    leader_ = cluster_.wait_leader(cluster_.ids(), kFirstLeaderBound);
    ASSERT_NE(leader_, kNoNode) << "no leader with every Galera node healthy";
    std::fprintf(stderr, "first leader node %llu after %.1f s\n",
                 static_cast<unsigned long long>(leader_), seconds_since(start));
    for (int i = 1; i <= kClusters; ++i) {
      const std::string name = fmt::format("db{}", i);
      ASSERT_TRUE(eventually(milliseconds(10'000), [&] { return cluster_.add_pool_cluster(leader_, name); }))
          << "could not add cluster " << name;
      names_.insert(name);
    }
    std::string why;
    ASSERT_TRUE(eventually(kSettleBound, [&] { return settled(cluster_.ids(), {}, &why); }))
        << "the pool did not settle: " << why;
    std::fprintf(stderr, "pool of %d clusters settled after %.1f s\n", kClusters, seconds_since(start));
  }
  void TearDown() override { EXPECT_EQ(galera_local("up"), 0) << "could not restore Galera"; }

  bool log_has(NodeId id, const std::string& text) const {
    return cluster_.log_text(id).find(text) != std::string::npos;
  }
  bool is_leader(NodeId id) const {
    std::optional<api::Status> s = cluster_.status(id);
    return s && s->role() == "leader";
  }

  // The leader's cluster table (asked through any of `via`), by name; empty when none answers.
  std::map<std::string, api::PoolCluster> table(const std::vector<NodeId>& via) const {
    std::map<std::string, api::PoolCluster> out;
    for (NodeId id : via) {
      if (std::optional<api::PoolClusterList> list = cluster_.pool_clusters(id)) {
        for (const api::PoolCluster& c : list->clusters()) out[c.name()] = c;
        return out;
      }
    }
    return out;
  }
  // Every managed cluster is owned by one of `owners` (any node when empty), not by one of
  // `never`, and its owner's may-act says yes with the table's epoch.
  bool settled(const std::vector<NodeId>& owners, const std::set<NodeId>& never, std::string* why) const {
    const std::map<std::string, api::PoolCluster> t = table(owners.empty() ? cluster_.ids() : owners);
    if (t.size() != names_.size()) return (*why = fmt::format("{} clusters listed", t.size())), false;
    for (const auto& [name, c] : t) {
      const NodeId owner = c.owner_id();
      if (c.state() != "owned") return (*why = name + " is " + c.state()), false;
      if (never.contains(owner)) return (*why = fmt::format("{} still owned by node {}", name, owner)), false;
      if (!owners.empty() && std::find(owners.begin(), owners.end(), owner) == owners.end()) {
        return (*why = fmt::format("{} owned by node {}", name, owner)), false;
      }
      const std::optional<api::MayAct> m = cluster_.may_act(owner, name);
      if (!m || !m->may_act() || m->epoch() != c.epoch()) {
        *why = fmt::format("{}: owner node {} may-act {} ({})", name, owner, m && m->may_act(),
                           m ? m->reason() : "no answer");
        return false;
      }
    }
    return true;
  }
  std::size_t owned_by(NodeId id) const {
    std::size_t n = 0;
    for (const auto& [name, c] : table(cluster_.ids())) n += c.owner_id() == id;
    return n;
  }

  TestCluster cluster_{galera_options()};
  NodeId leader_ = kNoNode;
  std::set<std::string> names_;
};

TEST_F(QuorumdGalera, LeadersGaleraNodeIsolatedLeadershipMovesToAHealthyControllerWithinTheBound) {
  const NodeId old = leader_;
  ASSERT_EQ(cluster_.request(old, "PUT", "/v1/config/before.cnf", "before")->status, 200u);
  const auto start = Clock::now();
  ASSERT_EQ(galera_local(fmt::format("isolate {}", old)), 0);

  NodeId moved_to = kNoNode;
  std::vector<NodeId> others;
  for (NodeId id : cluster_.ids()) {
    if (id != old) others.push_back(id);
  }
  ASSERT_TRUE(eventually(kMoveBound, [&] {
    const NodeId l = cluster_.wait_leader(cluster_.ids(), milliseconds(0));
    if (l == kNoNode || l == old) return false;
    moved_to = l;
    return true;
  })) << "leadership did not leave node " << old << " within " << kMoveBound.count() << " ms";
  const double moved_s = seconds_since(start);
  const bool saw_unfit = log_has(old, "backend healthy -> unhealthy");
  std::fprintf(stderr, "isolated Galera node %llu: leadership moved to node %llu after %.1f s\n",
               static_cast<unsigned long long>(old), static_cast<unsigned long long>(moved_to), moved_s);
  EXPECT_TRUE(saw_unfit) << "the old leader moved without seeing its backend unhealthy";
  EXPECT_LT(moved_s, kMoveBound.count() / 1000.0);

  // Rule 8: its clusters are acted on by healthy controllers, none by the unfit one.
  std::string why;
  const bool clusters_moved = eventually(kClustersBound, [&] { return settled(others, {old}, &why); });
  const double clusters_s = seconds_since(start);
  EXPECT_TRUE(clusters_moved) << "the unfit old leader's clusters did not move: " << why;
  std::fprintf(stderr, "isolated Galera node %llu: every cluster acted on by a healthy controller "
               "after %.1f s (bound %.0f s)\n", static_cast<unsigned long long>(old), clusters_s,
               kClustersBound.count() / 1000.0);
  EXPECT_LT(clusters_s, kClustersBound.count() / 1000.0);

  // While its Galera node stays isolated the old leader never leads again (it does not campaign),
  // is given no cluster and may act on none.
  const auto hold = Clock::now();
  while (Clock::now() - hold < milliseconds(3000)) {
    EXPECT_FALSE(is_leader(old)) << "unfit node " << old << " leads again";
    EXPECT_EQ(owned_by(old), 0u) << "unfit node " << old << " was given a cluster";
    for (const std::string& name : names_) {
      const std::optional<api::MayAct> m = cluster_.may_act(old, name);
      EXPECT_TRUE(m && !m->may_act()) << "unfit node " << old << " may act on " << name;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  // The new leader accepts writes; the earlier one is kept.
  EXPECT_EQ(cluster_.request(moved_to, "PUT", "/v1/config/after.cnf", "after")->status, 200u);
  Result<quorumctl::HttpReply> before = cluster_.request(moved_to, "GET", "/v1/config/before.cnf");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->status, 200u);

  const auto heal = Clock::now();
  ASSERT_EQ(galera_local("heal"), 0);
  EXPECT_TRUE(eventually(milliseconds(20'000),
                         [&] { return log_has(old, "backend unhealthy -> healthy"); }))
      << "node " << old << " did not see its Galera node healthy again";
  std::fprintf(stderr, "healed: node %llu healthy again after %.1f s\n",
               static_cast<unsigned long long>(old), seconds_since(heal));
  EXPECT_NE(cluster_.wait_leader(cluster_.ids(), milliseconds(5000)), kNoNode);
  EXPECT_TRUE(eventually(kSettleBound, [&] { return settled({}, {}, &why); }))
      << "the pool did not settle after the heal: " << why;
}

// The core rule "an unfit node does not campaign" across real processes: with one follower's
// Galera node isolated, a crash of the leader's quorumd leaves exactly one controller fit to lead,
// and it is the one elected (the unfit one still votes, so two of three suffice).
TEST_F(QuorumdGalera, WhenTheLeaderCrashesTheUnfitFollowerIsNotElected) {
  std::vector<NodeId> followers;
  for (NodeId id : cluster_.ids()) {
    if (id != leader_) followers.push_back(id);
  }
  const NodeId unfit = followers[0];
  const NodeId fit = followers[1];
  ASSERT_EQ(galera_local(fmt::format("isolate {}", unfit)), 0);
  const auto start = Clock::now();
  ASSERT_TRUE(eventually(milliseconds(20'000),
                         [&] { return log_has(unfit, "backend healthy -> unhealthy"); }))
      << "node " << unfit << " never saw its isolated Galera node unhealthy";
  std::fprintf(stderr, "node %llu unfit %.1f s after the isolation\n",
               static_cast<unsigned long long>(unfit), seconds_since(start));
  // Only a leader's Galera isolation moves leadership: the leader stays.
  EXPECT_TRUE(is_leader(leader_));
  // Rule 8: the unfit follower is reachable, so its clusters are handed over (no takeover: its
  // session is still renewed) to the two fit controllers.
  const std::string takeovers_before = cluster_.metric(leader_, "quorum_pool_takeovers_total");
  std::string why;
  EXPECT_TRUE(eventually(milliseconds(5000), [&] { return settled({leader_, fit}, {unfit}, &why); }))
      << "the unfit follower's clusters did not move: " << why;
  std::fprintf(stderr, "node %llu unfit: its clusters acted on by fit controllers %.1f s after the "
               "isolation\n", static_cast<unsigned long long>(unfit), seconds_since(start));
  EXPECT_EQ(cluster_.metric(leader_, "quorum_pool_takeovers_total"), takeovers_before)
      << "moved by takeover, not by hand-over";

  cluster_.kill(leader_, SIGKILL);
  const auto crash = Clock::now();
  const NodeId next = cluster_.wait_leader({unfit, fit}, milliseconds(10'000));
  std::fprintf(stderr, "after the leader's crash node %llu leads after %.1f s\n",
               static_cast<unsigned long long>(next), seconds_since(crash));
  EXPECT_EQ(next, fit);
  // And it stays so: the unfit node never takes over.
  const auto hold = Clock::now();
  while (Clock::now() - hold < milliseconds(2000)) {
    EXPECT_FALSE(is_leader(unfit));
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(cluster_.request(fit, "PUT", "/v1/config/x.cnf", "x")->status, 200u);
  // The crashed leader's clusters are taken over by the one fit controller, never the unfit one
  // (bound: L(1+rho) + delta + the grace of the new leader, 1.06 s each, with margin).
  EXPECT_TRUE(eventually(milliseconds(10'000), [&] { return settled({fit}, {unfit}, &why); }))
      << "the crashed leader's clusters were not taken over by the fit controller: " << why;
  std::fprintf(stderr, "every cluster acted on by node %llu %.1f s after the crash\n",
               static_cast<unsigned long long>(fit), seconds_since(crash));
}

// Degraded mode across real processes: every Galera node isolated (all non-Primary) -> the
// controllers keep a leader and answer status, every write is refused naming degraded mode,
// nothing acknowledged is lost, and writes resume by themselves once Galera is Primary again.
TEST_F(QuorumdGalera, GaleraDownEverywhereIsReadOnlyDegradedModeAndResumesByItself) {
  ASSERT_EQ(cluster_.request(leader_, "PUT", "/v1/config/kept.cnf", "kept")->status, 200u);
  const auto start = Clock::now();
  ASSERT_EQ(galera_local("isolate 1"), 0);
  ASSERT_EQ(galera_local("isolate 2"), 0);
  ASSERT_EQ(galera_local("isolate 3"), 0);
  ASSERT_TRUE(eventually(milliseconds(20'000), [&] {
    for (NodeId id : cluster_.ids()) {
      if (!log_has(id, "backend healthy -> unhealthy")) return false;
    }
    return true;
  })) << "not every controller saw its Galera node unhealthy";
  std::fprintf(stderr, "every backend unhealthy %.1f s after the isolation\n", seconds_since(start));

  // A leader is kept (or elected) and refuses writes with a clear reason; status is served.
  NodeId degraded = kNoNode;
  std::string refusal;
  ASSERT_TRUE(eventually(milliseconds(10'000), [&] {
    degraded = cluster_.wait_leader(cluster_.ids(), milliseconds(0));
    if (degraded == kNoNode) return false;
    Result<quorumctl::HttpReply> put = cluster_.request(degraded, "PUT", "/v1/config/x.cnf", "x");
    if (!put || put->status == 200) return false;
    refusal = put->body;
    return put->status == 503 && refusal.find("degraded mode") != std::string::npos;
  })) << "no leader refusing writes in degraded mode; last answer: " << refusal;
  std::fprintf(stderr, "degraded: node %llu leads and refuses writes: %s\n",
               static_cast<unsigned long long>(degraded), refusal.c_str());
  const auto hold = Clock::now();
  while (Clock::now() - hold < milliseconds(2000)) {
    for (NodeId id : cluster_.ids()) EXPECT_TRUE(cluster_.status(id).has_value()) << "node " << id;
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_NE(cluster_.request(degraded, "PUT", "/v1/config/y.cnf", "y")->status, 200u);
  // Every mutation, the pool's too, is refused; nobody acts on any cluster (every owner's
  // backend is unfit); the table is still served and lost nothing.
  EXPECT_FALSE(cluster_.add_pool_cluster(degraded, "refused")) << "a pool mutation in degraded mode";
  Result<quorumctl::HttpReply> drain =
      cluster_.request(degraded, "POST", "/v1/ownership/controllers/ctl1/drain");
  ASSERT_TRUE(drain.has_value());
  EXPECT_EQ(drain->status, 503u) << drain->body;
  const std::map<std::string, api::PoolCluster> during = table(cluster_.ids());
  EXPECT_EQ(during.size(), names_.size()) << "the cluster table is served in degraded mode";
  for (const auto& [name, c] : during) {
    // Owned, or handing over if the isolations reached one node's probe a moment earlier.
    EXPECT_NE(c.state(), "unowned") << name;
    for (NodeId id : cluster_.ids()) {
      const std::optional<api::MayAct> m = cluster_.may_act(id, name);
      ASSERT_TRUE(m.has_value()) << "node " << id;
      EXPECT_FALSE(m->may_act()) << "node " << id << " may act on " << name << " in degraded mode";
      // The owner's no says why: its backend, or, when leadership moved during the outage and
      // its session lapsed, a grant the refusing leader cannot renew yet (rule 5).
      if (id == c.owner_id() && c.state() == "owned") {
        EXPECT_TRUE(m->reason() == "backend_unfit" || m->reason() == "stale_grant" ||
                    m->reason() == "no_valid_lease")
            << name << ": " << m->reason();
      }
    }
  }
  Result<quorumctl::HttpReply> kept = cluster_.request(degraded, "GET", "/v1/config/kept.cnf");
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->status, 200u) << "an acknowledged write is readable in degraded mode";

  const auto heal = Clock::now();
  ASSERT_EQ(galera_local("heal"), 0);
  NodeId resumed = kNoNode;
  EXPECT_TRUE(eventually(milliseconds(20'000), [&] {
    resumed = cluster_.wait_leader(cluster_.ids(), milliseconds(0));
    if (resumed == kNoNode) return false;
    Result<quorumctl::HttpReply> put = cluster_.request(resumed, "PUT", "/v1/config/after.cnf", "a");
    return put && put->status == 200;
  })) << "writes did not resume after the heal";
  std::fprintf(stderr, "healed: writes accepted again by node %llu after %.1f s\n",
               static_cast<unsigned long long>(resumed), seconds_since(heal));
  EXPECT_EQ(cluster_.request(resumed, "GET", "/v1/config/kept.cnf")->status, 200u);
  EXPECT_EQ(cluster_.request(resumed, "GET", "/v1/config/x.cnf")->status, 404u)
      << "a refused write must not appear later";
  std::string why;
  EXPECT_TRUE(eventually(kSettleBound, [&] { return settled({}, {}, &why); }))
      << "the pool did not resume: " << why;
  std::fprintf(stderr, "healed: every cluster acted on again after %.1f s\n", seconds_since(heal));
  const std::map<std::string, api::PoolCluster> after = table(cluster_.ids());
  EXPECT_EQ(after.size(), names_.size()) << "the refused cluster must not appear later";
  EXPECT_EQ(after.count("refused"), 0u);
}

// Fencing at the database with the mirror quorumd publishes: the leader publishes each grant and
// its (term, leader); an owner's fenced write (the script of docs/operations.md section 7, run
// under quorumctl run) lands; after the cluster moved, the old owner's write with its old epoch
// is refused by the database through every Galera node, the new owner's lands; after a change of
// leader the old term is refused too.
TEST_F(QuorumdGalera, AStaleOwnersFencedWriteIsRefusedByTheDatabaseAfterItsClusterMoved) {
  std::string error;
  ASSERT_TRUE(sql(1, "CREATE DATABASE IF NOT EXISTS quorum_test", &error)) << error;
  ASSERT_TRUE(sql(1, "CREATE TABLE IF NOT EXISTS quorum_test.jobs (cluster_id BIGINT UNSIGNED, "
                     "epoch BIGINT UNSIGNED, note VARCHAR(64)) ENGINE=InnoDB", &error)) << error;
  // A follower's cluster (the drain below then moves no leadership).
  NodeId owner = kNoNode;
  api::PoolCluster moved;
  for (const auto& [name, c] : table(cluster_.ids())) {
    if (c.owner_id() != leader_) {
      owner = c.owner_id();
      moved = c;
      break;
    }
  }
  ASSERT_NE(owner, kNoNode) << "no follower owns a cluster";
  const std::string id = std::to_string(moved.cluster_id());
  ASSERT_TRUE(sql(1, "DELETE FROM quorum_test.jobs WHERE cluster_id = " + id, &error)) << error;
  const std::optional<api::MayAct> permit = cluster_.may_act(owner, moved.name());
  ASSERT_TRUE(permit && permit->may_act());
  const std::uint64_t old_epoch = permit->epoch();
  const std::uint64_t old_term = permit->term();
  // The leader published the grant and its record.
  const std::string expected_row = fmt::format("{}\t{}", owner, old_epoch);
  std::optional<std::string> row;
  EXPECT_TRUE(eventually(milliseconds(5000), [&] {
    row = sql(2, "SELECT owner, epoch FROM quorum_fence.ownership WHERE cluster_id = " + id);
    return row == expected_row;
  })) << "mirror row of " << moved.name() << ": '" << row.value_or("?") << "', expected '" << expected_row << "'";
  EXPECT_EQ(sql(3, "SELECT term, leader FROM quorum_fence.leader WHERE id = 1"),
            fmt::format("{}\t{}", old_term, leader_));

  const std::string script = cluster_.dir() + "/fenced-write.sh";
  {
    std::ofstream out(script);
    out << kFencedScript;
  }
  // The owner's guarded script makes its fenced write through its own Galera node (L = 1 s here:
  // a grace below the lease left).
  CommandResult guarded = run_quorumctl(
      fmt::format("--host {} run --cluster {} --grace-ms 200 --margin-ms 50 -- sh {}",
                  cluster_.api_address(owner), moved.name(), script),
      cluster_.dir(), fmt::format("GALERA_PORT={} NOTE=owner", 3310 + owner));
  EXPECT_EQ(guarded.exit_code, 0) << guarded.err;

  // The cluster moves: its owner is drained, the leader hands it over.
  const std::string owner_name = fmt::format("ctl{}", owner);
  Result<quorumctl::HttpReply> drain =
      cluster_.request(leader_, "POST", "/v1/ownership/controllers/" + owner_name + "/drain");
  ASSERT_TRUE(drain && drain->status == 200) << (drain ? drain->body : "no answer");
  NodeId next = kNoNode;
  std::uint64_t new_epoch = 0;
  Clock::time_point new_owner_acts;
  ASSERT_TRUE(eventually(milliseconds(10'000), [&] {
    const auto t = table(cluster_.ids());
    const auto it = t.find(moved.name());
    if (it == t.end() || it->second.state() != "owned" || it->second.owner_id() == owner) return false;
    const std::optional<api::MayAct> m = cluster_.may_act(it->second.owner_id(), moved.name());
    if (!m || !m->may_act()) return false;
    next = it->second.owner_id();
    new_epoch = m->epoch();
    new_owner_acts = Clock::now();
    return true;
  })) << moved.name() << " did not move";
  // How long after the new owner may act the mirror holds its epoch (the leader published it when
  // the grant applied; seen from another Galera node).
  ASSERT_TRUE(eventually(milliseconds(5000), [&] {
    return sql(1, "SELECT epoch FROM quorum_fence.ownership WHERE cluster_id = " + id) ==
           std::to_string(new_epoch);
  })) << "the mirror never showed epoch " << new_epoch;
  std::fprintf(stderr, "%s moved from node %llu (epoch %llu) to node %llu (epoch %llu); mirror "
               "current %.3f s after the new owner's first yes\n", moved.name().c_str(),
               static_cast<unsigned long long>(owner), static_cast<unsigned long long>(old_epoch),
               static_cast<unsigned long long>(next), static_cast<unsigned long long>(new_epoch),
               seconds_since(new_owner_acts));

  // The old owner, still believing its old permission (a paused or partitioned script), is
  // refused by the database itself, through every Galera node; nothing it wrote lands.
  for (int node = 1; node <= 3; ++node) {
    const int rc = shell(fmt::format(
        "env GALERA_PORT={} NOTE=stale QUORUM_CLUSTER_ID={} QUORUM_EPOCH={} sh {} >{}/stale.out 2>&1",
        3310 + node, id, old_epoch, script, cluster_.dir()));
    EXPECT_NE(rc, 0) << "the stale owner's fenced write through node " << node << " was accepted";
    std::ifstream in(cluster_.dir() + "/stale.out");
    const std::string text(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(text.find("stale epoch"), std::string::npos) << text;
  }
  // The new owner's guarded script lands.
  CommandResult current = run_quorumctl(
      fmt::format("--host {} run --cluster {} --grace-ms 200 --margin-ms 50 -- sh {}",
                  cluster_.api_address(next), moved.name(), script),
      cluster_.dir(), fmt::format("GALERA_PORT={} NOTE=new-owner", 3310 + next));
  EXPECT_EQ(current.exit_code, 0) << current.err;
  EXPECT_EQ(sql(2, "SET SESSION wsrep_sync_wait = 1; SELECT GROUP_CONCAT(note ORDER BY epoch) FROM "
                   "quorum_test.jobs WHERE cluster_id = " + id),
            "owner,new-owner") << "exactly the two current owners' writes";

  // A change of leader: the new leader publishes its term; a write fenced on the old one is refused.
  const NodeId target = next != leader_ ? next : owner;
  ASSERT_TRUE(cluster_.request(leader_, "POST", fmt::format("/v1/leader/transfer?to={}", target)).has_value());
  std::optional<api::Status> st;
  ASSERT_TRUE(eventually(milliseconds(10'000), [&] {
    st = cluster_.status(target);
    return st && st->role() == "leader";
  })) << "leadership did not move to node " << target;
  ASSERT_TRUE(eventually(milliseconds(5000), [&] {
    const std::optional<std::string> leader_row = sql(1, "SELECT term, leader FROM quorum_fence.leader WHERE id = 1");
    return leader_row && leader_row->starts_with(std::to_string(st->term()) + "\t");
  })) << "the new leader's term " << st->term() << " was not published";
  std::optional<std::string> refused = sql(2, fmt::format("CALL quorum_fence.fence_leader({})", old_term), &error);
  EXPECT_FALSE(refused.has_value()) << "a write fenced on the old term " << old_term << " was accepted";
  EXPECT_NE(error.find("stale term"), std::string::npos) << error;
}

}  // namespace
}  // namespace quorum::integration
