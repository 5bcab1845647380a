// Durability on real processes: a client writes config puts in a loop while daemons are
// SIGKILLed and restarted at random, for a bounded time. Every acknowledged put must be present
// on every node at the end (DESIGN invariant 5 on real disks and sockets). Label: slow.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace quorum::integration {
namespace {

using namespace std::chrono_literals;

constexpr auto kChaosDuration = 30s;  // the whole test stays well under two minutes
constexpr int kPutsMax = 3000;       // below config_sync::kFilesMax

TEST(IntegrationSlow, EveryAcknowledgedPutSurvivesRandomKillsAndRestarts) {
  TestCluster cluster({});
  cluster.start_all();
  ASSERT_NE(cluster.wait_leader(cluster.ids(), 10s), kNoNode);

  const char* seed_env = std::getenv("QUORUM_DURABILITY_SEED");  // NOLINT(concurrency-mt-unsafe)
  const std::uint64_t seed = seed_env != nullptr ? std::strtoull(seed_env, nullptr, 10)
                                                 : static_cast<std::uint64_t>(std::random_device{}());
  std::printf("durability seed %llu (QUORUM_DURABILITY_SEED=%llu to replay the schedule)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);

  std::atomic<bool> stop{false};
  std::mutex acked_mutex;
  std::vector<int> acked;
  int attempted = 0;
  std::thread writer([&] {
    quorumctl::ClientOptions options;
    for (NodeId id : cluster.ids()) options.hosts.push_back(cluster.api_address(id));
    options.wait_for_leader = 3s;
    options.io_timeout = 2s;
    for (int i = 0; i < kPutsMax && !stop.load(); ++i) {
      ++attempted;
      Result<quorumctl::HttpReply> reply =
          quorumctl::http_request(options, "PUT", fmt::format("/v1/config/dur/k{}", i), fmt::format("v{}", i));
      if (reply && reply->status == 200) {
        std::lock_guard<std::mutex> lock(acked_mutex);
        acked.push_back(i);
      }
    }
  });

  const auto end = std::chrono::steady_clock::now() + kChaosDuration;
  int kills = 0;
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500 + rng() % 1500));
    const NodeId victim = 1 + rng() % 3;
    cluster.kill(victim, SIGKILL);
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 1300));
    cluster.start(victim);
  }
  stop = true;
  writer.join();

  ASSERT_NE(cluster.wait_leader(cluster.ids(), 20s), kNoNode);
  std::printf("durability: %d kills, %d puts attempted, %zu acknowledged\n", kills, attempted, acked.size());
  ASSERT_GT(acked.size(), 10u) << "the cluster made almost no progress under chaos";
  for (NodeId id : cluster.ids()) {
    std::vector<int> missing;
    const bool converged = eventually(30s, [&] {
      missing.clear();
      for (int i : acked) {
        if (cluster.config_file(id, fmt::format("dur/k{}", i)) != std::optional<std::string>(fmt::format("v{}", i))) {
          missing.push_back(i);
        }
      }
      return missing.empty();
    });
    EXPECT_TRUE(converged) << "node " << id << " lacks " << missing.size() << " acknowledged puts, first dur/k"
                           << (missing.empty() ? -1 : missing.front());
  }
}

}  // namespace
}  // namespace quorum::integration
