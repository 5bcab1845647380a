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
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
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
        "galera_probe_interval_ms = 200\ngalera_probes_to_change = 2",
        3310 + id);
  }
  return options;
}

class QuorumdGalera : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(galera_local("up"), 0);
    cluster_.start_all();
    const auto start = Clock::now();
    leader_ = cluster_.wait_leader(cluster_.ids(), kFirstLeaderBound);
    ASSERT_NE(leader_, kNoNode) << "no leader with every Galera node healthy";
    std::fprintf(stderr, "first leader node %llu after %.1f s\n",
                 static_cast<unsigned long long>(leader_), seconds_since(start));
  }
  void TearDown() override { EXPECT_EQ(galera_local("up"), 0) << "could not restore Galera"; }

  bool log_has(NodeId id, const std::string& text) const {
    return cluster_.log_text(id).find(text) != std::string::npos;
  }
  bool is_leader(NodeId id) const {
    std::optional<api::Status> s = cluster_.status(id);
    return s && s->role() == "leader";
  }

  TestCluster cluster_{galera_options()};
  NodeId leader_ = kNoNode;
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

  // While its Galera node stays isolated the old leader never leads again (it does not campaign).
  const auto hold = Clock::now();
  while (Clock::now() - hold < milliseconds(3000)) {
    EXPECT_FALSE(is_leader(old)) << "unfit node " << old << " leads again";
    std::this_thread::sleep_for(milliseconds(100));
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
}

}  // namespace
}  // namespace quorum::integration
