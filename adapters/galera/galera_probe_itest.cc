// GaleraProbe and GaleraBackend against a real 3-node MariaDB Galera cluster (tools/galera-local).
// The cluster is started once for the whole binary (a gtest Environment); each test leaves it
// healthy again. Needs root; never skips: a machine that cannot run the cluster fails loudly.
//
// Bounds below are generous multiples of what was measured (docs/operations.md, "Galera
// (preview)"): they catch a probe that never notices a fault, not a slow machine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/galera/fence.h"
#include "adapters/galera/galera_backend.h"
#include "adapters/galera/probe.h"

namespace quorum::adapters::galera {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFaultBound = std::chrono::seconds(20);

std::string tool() {
  const char* path = std::getenv("GALERA_LOCAL");
  return path != nullptr ? path : "tools/galera-local";
}

int galera_local(const std::string& args) {
  const std::string command = tool() + " " + args;
  std::fprintf(stderr, "[galera-local] %s\n", command.c_str());
  return std::system(command.c_str());
}

class GaleraCluster : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "the real-Galera tests need root (mariadbd runs as user mysql, "
                                "isolation uses iptables): run them as root";
    const auto start = Clock::now();
    ASSERT_EQ(galera_local("up"), 0) << "tools/galera-local up failed (its output names the node "
                                        "and prints its error log)";
    std::fprintf(stderr, "[galera-local] up in %.1f s\n",
                 std::chrono::duration<double>(Clock::now() - start).count());
  }
  void TearDown() override { galera_local("down"); }
};

const ::testing::Environment* const kCluster =
    ::testing::AddGlobalTestEnvironment(new GaleraCluster);

ProbeConfig tcp_config(int node) {
  ProbeConfig config;
  config.host = "127.0.0.1";
  config.port = static_cast<std::uint16_t>(3310 + node);
  config.user = "galera";
  config.password = "galera";
  return config;
}

// Probes `node` until `done(result)` or kFaultBound; returns the last result and the time taken.
ProbeResult probe_until(int node, const std::function<bool(const ProbeResult&)>& done,
                        double* elapsed_s = nullptr) {
  GaleraProbe probe(tcp_config(node));
  const auto start = Clock::now();
  ProbeResult result;
  while (Clock::now() - start < kFaultBound) {
    result = probe.probe();
    if (done(result)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (elapsed_s != nullptr) *elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

class GaleraReal : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(galera_local("up"), 0); }
  void TearDown() override { EXPECT_EQ(galera_local("up"), 0) << "could not restore the cluster"; }
};

TEST_F(GaleraReal, EveryNodeIsPrimarySyncedReadySize3OverTcpAndSocket) {
  for (int node = 1; node <= 3; ++node) {
    GaleraProbe probe(tcp_config(node));
    const ProbeResult r = probe.probe();
    EXPECT_EQ(r.error_code, 0u) << describe(r);
    EXPECT_EQ(r.cluster_status, "Primary");
    EXPECT_EQ(r.local_state_comment, "Synced");
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.cluster_size, 3);
    EXPECT_TRUE(is_healthy(r));
  }
  ProbeConfig socket;
  socket.unix_socket = std::string(std::getenv("GALERA_LOCAL_BASE")) + "/node2/mysqld.sock";
  socket.user = "root";
  GaleraProbe probe(socket);
  EXPECT_TRUE(is_healthy(probe.probe()));
}

TEST_F(GaleraReal, AnIsolatedNodeIsNonPrimaryAndItsClientsGet1047) {
  GaleraProbe writer(tcp_config(1));
  std::string error;
  ASSERT_EQ(writer.execute("CREATE TABLE IF NOT EXISTS quorum_test.t (id INT PRIMARY KEY)", &error),
            0u) << error;
  ASSERT_EQ(galera_local("isolate 3"), 0);
  double elapsed_s = 0;
  const ProbeResult r = probe_until(3, [](const ProbeResult& p) {
    return p.error_code == 0 && p.cluster_status == "non-Primary";
  }, &elapsed_s);
  std::fprintf(stderr, "isolated node non-Primary after %.1f s: %s\n", elapsed_s, describe(r).c_str());
  EXPECT_EQ(r.cluster_status, "non-Primary") << describe(r);
  EXPECT_FALSE(r.ready);
  EXPECT_FALSE(is_healthy(r));
  GaleraProbe reader(tcp_config(3));
  const std::uint32_t code = reader.execute("SELECT * FROM quorum_test.t", &error);
  EXPECT_EQ(code, 1047u) << error;
  EXPECT_NE(error_name(code), "");
  // The majority stays healthy, with size 2.
  const ProbeResult majority = probe_until(1, [](const ProbeResult& p) { return p.cluster_size == 2; });
  EXPECT_TRUE(is_healthy(majority)) << describe(majority);
  ASSERT_EQ(galera_local("heal"), 0);
  const ProbeResult healed = probe_until(3, is_healthy, &elapsed_s);
  std::fprintf(stderr, "healed node healthy after %.1f s\n", elapsed_s);
  EXPECT_TRUE(is_healthy(healed)) << describe(healed);
}

TEST_F(GaleraReal, AProbeOfAPausedNodeTimesOutInsteadOfHanging) {
  ASSERT_EQ(galera_local("pause 2"), 0);
  GaleraProbe probe(tcp_config(2));
  const auto start = Clock::now();
  const ProbeResult r = probe.probe();
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::fprintf(stderr, "probe of a paused node: %.1f s, %s\n", elapsed_s, describe(r).c_str());
  EXPECT_NE(r.error_code, 0u);
  EXPECT_FALSE(is_healthy(r));
  EXPECT_LT(elapsed_s, 15.0) << "connect/read timeouts of 1 s did not bound the probe";
  ASSERT_EQ(galera_local("resume 2"), 0);
}

TEST_F(GaleraReal, AKilledNodeRefusesTheConnectionAndIsNamed) {
  ASSERT_EQ(galera_local("kill 1"), 0);
  GaleraProbe probe(tcp_config(1));
  const ProbeResult r = probe.probe();
  EXPECT_TRUE(r.error_code == 2002u || r.error_code == 2003u) << describe(r);
  EXPECT_NE(describe(r).find("cannot connect"), std::string::npos) << describe(r);
}

// The Backend pushes each change through `post`, here onto this thread's io_context (the host's
// thread in quorumd), with the hysteresis of 2 probes either way.
TEST_F(GaleraReal, GaleraBackendPushesUnhealthyOnIsolationAndHealthyAfterHeal) {
  boost::asio::io_context io;
  GaleraBackendConfig config;
  config.probe = tcp_config(3);
  config.probe_interval_ms = 200;
  config.filter = {.bad_probes_min = 2, .good_probes_min = 2};
  GaleraBackend backend(config, [&io](std::function<void()> fn) {
    boost::asio::post(io, std::move(fn));
  });
  std::vector<host::BackendHealth> pushed;
  const std::thread::id host_thread = std::this_thread::get_id();
  bool on_host_thread = true;
  backend.subscribe([&](host::BackendHealth h) {
    on_host_thread = on_host_thread && std::this_thread::get_id() == host_thread;
    pushed.push_back(h);
  });
  auto run_until = [&](host::BackendHealth want) {
    const auto start = Clock::now();
    while ((pushed.empty() || pushed.back() != want) && Clock::now() - start < kFaultBound) {
      io.restart();
      io.run_for(std::chrono::milliseconds(50));
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  run_until(host::BackendHealth::kHealthy);
  ASSERT_EQ(pushed, std::vector{host::BackendHealth::kHealthy});
  ASSERT_EQ(galera_local("isolate 3"), 0);
  const double unhealthy_s = run_until(host::BackendHealth::kUnhealthy);
  ASSERT_EQ(galera_local("heal"), 0);
  const double healthy_s = run_until(host::BackendHealth::kHealthy);
  std::fprintf(stderr, "backend pushed unhealthy %.1f s after isolate, healthy %.1f s after heal\n",
               unhealthy_s, healthy_s);
  EXPECT_EQ(pushed, (std::vector{host::BackendHealth::kHealthy, host::BackendHealth::kUnhealthy,
                                 host::BackendHealth::kHealthy}));
  EXPECT_TRUE(on_host_thread);
  EXPECT_GE(backend.bad_probes_count(), 2u);
}

// Fencing at the database: a stale owner's write, fenced on its epoch, is refused by the
// database itself, also when it goes through another Galera node than the one that published the
// newer owner; an older publication never rolls the mirror back; a stale leader's term too.
TEST_F(GaleraReal, AStaleOwnersFencedWriteIsRefusedByTheDatabase) {
  ProbeConfig slow = tcp_config(1);
  slow.read_timeout_s = 10;  // DDL goes through Galera's total order
  GaleraProbe leader_connection(slow);
  GaleraFence publisher(leader_connection);
  std::string error;
  ASSERT_EQ(publisher.ensure_schema(&error), 0u) << error;
  ASSERT_EQ(leader_connection.execute("CREATE TABLE IF NOT EXISTS quorum_test.cmon_jobs (cluster_id "
                                      "BIGINT UNSIGNED, note VARCHAR(64)) ENGINE=InnoDB", &error),
            0u) << error;
  ASSERT_EQ(leader_connection.execute("DELETE FROM quorum_test.cmon_jobs WHERE cluster_id = 7", &error), 0u);
  // The cluster's data survives between runs and publication is monotonic: start from an empty
  // mirror (an operator's reset, not something a controller does).
  ASSERT_EQ(leader_connection.execute("DELETE FROM quorum_fence.ownership WHERE cluster_id = 7", &error), 0u);
  ASSERT_EQ(leader_connection.execute("DELETE FROM quorum_fence.leader", &error), 0u);
  ASSERT_EQ(publisher.publish_leader(3, 1, &error), 0u) << error;
  ASSERT_EQ(publisher.publish_owner(7, 2, 100, 5'000, &error), 0u) << error;

  // Controller 2 owns cluster 7 at epoch 100 and writes through Galera node 2.
  GaleraProbe owner_connection(tcp_config(2));
  GaleraFence owner(owner_connection);
  EXPECT_EQ(owner.fenced_write(7, 100, 3, {"INSERT INTO quorum_test.cmon_jobs VALUES (7, 'by 2 at 100')"}, &error), 0u)
      << error;
  // The cluster moves to controller 3 at epoch 120 (published through node 1) ...
  ASSERT_EQ(publisher.publish_owner(7, 3, 120, 9'000, &error), 0u) << error;
  // ... and a late publication of epoch 110 does not roll it back.
  ASSERT_EQ(publisher.publish_owner(7, 2, 110, 9'500, &error), 0u) << error;
  // The stale owner (still believing epoch 100) is refused, on any node.
  for (int node : {2, 3}) {
    GaleraProbe stale_connection(tcp_config(node));
    GaleraFence stale(stale_connection);
    const std::uint32_t code = stale.fenced_write(
        7, 100, 3, {"INSERT INTO quorum_test.cmon_jobs VALUES (7, 'stale')"}, &error);
    EXPECT_EQ(code, kFenceRefusedError) << "node " << node << ": " << error;
    EXPECT_NE(error.find("stale epoch"), std::string::npos) << error;
    const std::uint32_t also_110 = stale.fenced_write(
        7, 110, 3, {"INSERT INTO quorum_test.cmon_jobs VALUES (7, 'stale 110')"}, &error);
    EXPECT_EQ(also_110, kFenceRefusedError) << error;
  }
  GaleraProbe new_connection(tcp_config(3));
  GaleraFence current(new_connection);
  EXPECT_EQ(current.fenced_write(7, 120, 3, {"INSERT INTO quorum_test.cmon_jobs VALUES (7, 'by 3 at 120')"}, &error), 0u)
      << error;
  // A leader of an older term is refused too, even with the right epoch.
  ASSERT_EQ(publisher.publish_leader(4, 2, &error), 0u) << error;
  EXPECT_EQ(current.fenced_write(7, 120, 3, {"INSERT INTO quorum_test.cmon_jobs VALUES (7, 'old term')"}, &error),
            kFenceRefusedError) << error;
  EXPECT_NE(error.find("stale term"), std::string::npos) << error;
  // Exactly the two current writes landed (read with wsrep_sync_wait from another node).
  GaleraProbe reader(tcp_config(2));
  ASSERT_EQ(reader.execute("SET SESSION wsrep_sync_wait = 1", &error), 0u) << error;
  std::int64_t landed = 0;
  std::int64_t current_writes = 0;
  ASSERT_EQ(reader.query_int("SELECT COUNT(*) FROM quorum_test.cmon_jobs WHERE cluster_id = 7", &landed, &error), 0u)
      << error;
  ASSERT_EQ(reader.query_int("SELECT COUNT(*) FROM quorum_test.cmon_jobs WHERE cluster_id = 7 AND note IN "
                             "('by 2 at 100', 'by 3 at 120')", &current_writes, &error), 0u) << error;
  EXPECT_EQ(landed, 2);
  EXPECT_EQ(current_writes, 2);
  std::int64_t epoch = 0;
  ASSERT_EQ(reader.query_int("SELECT epoch FROM quorum_fence.ownership WHERE cluster_id = 7", &epoch, &error), 0u);
  EXPECT_EQ(epoch, 120) << "the mirror must never go back";
}

}  // namespace
}  // namespace quorum::adapters::galera
