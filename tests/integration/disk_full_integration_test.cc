// A full disk on real processes (issue 4): node X's data_dir is a small tmpfs mounted by the
// test (root only; skipped with the reason otherwise, and when the container refuses the mount).
// A client writes big config puts until X's disk is full. X must fail-stop with a "no space"
// line and exit status 1 (docs/operations.md, "Recover a node"); the two others keep committing;
// after the operator grows the file system and restarts X, it starts cleanly, catches up, and
// every acknowledged put is in every node's config_dir.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace quorum::integration {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kT = 500ms;                // election timeout of the test cluster
constexpr auto kElectionBound = 20 * kT;  // generous: CI machines are shared
constexpr std::size_t kValueBytes = 128 * 1024;  // well below config_sync::kContentBytesMax
constexpr int kPutsMax = 400;  // 50 MiB: a 4 MiB disk must fill long before
constexpr int kPutsAfterFailure = 5;

// A tmpfs of `size` mounted on `path` (created); unmounted (detached) on destruction.
class SmallFileSystem {
 public:
  SmallFileSystem(const std::string& path, const std::string& size) : path_(path) {
    if (::geteuid() != 0) {
      error_ = "needs root to mount a tmpfs";
      return;
    }
    std::error_code ec;
    fs::create_directories(path_, ec);
    if (ec) {
      error_ = fmt::format("mkdir {}: {}", path_, ec.message());
      return;
    }
    const std::string data = "size=" + size;
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, data.c_str()) != 0) {
      error_ = fmt::format("mount tmpfs on {}: {}", path_, std::strerror(errno));
      return;
    }
    mounted_ = true;
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  SmallFileSystem(const SmallFileSystem&) = delete;
  SmallFileSystem& operator=(const SmallFileSystem&) = delete;

  // Grows the file system in place; its content stays.
  bool grow(const std::string& size) {
    const std::string data = "size=" + size;
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, data.c_str()) == 0;
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

// Put i's content: distinct per put and per byte position, so a torn or swapped file shows, and
// pseudo-random letters, so that no compression of RocksDB's files slows the filling down.
std::string value_of(int i) {
  std::string value = fmt::format("put {}\n", i);
  value.reserve(kValueBytes);
  std::uint64_t x = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(i + 1);
  while (value.size() < kValueBytes) {
    x ^= x << 13;  // xorshift64
    x ^= x >> 7;
    x ^= x << 17;
    value.push_back(static_cast<char>('a' + x % 26));
  }
  return value;
}

std::string path_of(int i) { return fmt::format("full/k{}", i); }

bool put(const quorumctl::ClientOptions& options, int i) {
  Result<quorumctl::HttpReply> reply = quorumctl::http_request(options, "PUT", "/v1/config/" + path_of(i), value_of(i));
  return reply && reply->status == 200;
}

// The acknowledged puts that `id`'s config_dir lacks or holds with other content.
std::vector<int> missing_on(const TestCluster& cluster, NodeId id, const std::vector<int>& acked) {
  std::vector<int> missing;
  for (int i : acked) {
    if (cluster.config_file(id, path_of(i)) != std::optional<std::string>(value_of(i))) missing.push_back(i);
  }
  return missing;
}

// The replication counters of every node that answers, for a failure message: a slow catch-up
// shows whether messages pile up, are dropped, or never leave the leader.
std::string metrics_summary(const TestCluster& cluster) {
  std::string out;
  for (NodeId id : cluster.ids()) {
    Result<quorumctl::HttpReply> reply = cluster.request(id, "GET", "/metrics", "", false);
    if (!reply || reply->status != 200) {
      out += fmt::format("node {}: no /metrics\n", id);
      continue;
    }
    std::istringstream lines(reply->body);
    std::string line;
    while (std::getline(lines, line)) {
      for (const char* name : {"quorum_role", "quorum_term", "quorum_commit_index", "quorum_applied_index",
                               "quorum_messages_", "quorum_readys_total", "quorum_elections_started_total",
                               "quorum_fsync_seconds_count", "quorum_fsync_seconds_sum"}) {
        if (line.rfind(name, 0) == 0) out += fmt::format("node {}: {}\n", id, line);
      }
    }
  }
  return out;
}

enum class FullNode { kFollower, kLeader };

// The whole scenario; `role` is what node kFull is when its disk fills.
void run_disk_full_scenario(FullNode role) {
  const auto started_at = std::chrono::steady_clock::now();
  // Prints how long each phase took (the test log shows where the time goes on a slow machine).
  auto phase_at = started_at;
  auto phase_done = [&](const char* name) {
    const auto now = std::chrono::steady_clock::now();
    std::printf("  %-34s %6lld ms\n", name,
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(now - phase_at).count()));
    phase_at = now;
  };
  ClusterOptions cluster_options;
  if (std::getenv("QUORUM_ITEST_DEBUG_LOGS") != nullptr) {  // NOLINT(concurrency-mt-unsafe)
    for (NodeId id = 1; id <= 3; ++id) cluster_options.extra_config[id] = "log_level = debug";
  }
  TestCluster cluster(cluster_options);
  constexpr NodeId kFull = 3;
  // Declared after the cluster: unmounted before the cluster removes its directory.
  SmallFileSystem disk(cluster.data_dir(kFull), "4m");
  if (!disk.mounted()) GTEST_SKIP() << disk.error();
  cluster.start_all();
  const NodeId first_leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(first_leader, kNoNode);
  if (role == FullNode::kLeader && first_leader != kFull) {
    // Hand leadership to the node whose disk will fill (retried: the target may lag a little).
    EXPECT_TRUE(eventually(kElectionBound, [&] {
      const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
      if (leader == kFull) return true;
      if (leader != kNoNode) {
        (void)cluster.request(leader, "POST", fmt::format("/v1/leader/transfer?to={}", kFull));
      }
      return false;
    }));
    ASSERT_EQ(cluster.wait_leader(cluster.ids(), kElectionBound), kFull);
  } else if (role == FullNode::kFollower && first_leader == kFull) {
    ASSERT_EQ(cluster.request(kFull, "POST", "/v1/leader/transfer?to=1")->status, 200u);
    ASSERT_TRUE(eventually(kElectionBound, [&] {
      const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
      return leader != kNoNode && leader != kFull;
    }));
  }

  phase_done("cluster up, leader placed");
  // Fill: puts through whoever leads until node kFull has exited.
  quorumctl::ClientOptions options;
  for (NodeId id : cluster.ids()) options.hosts.push_back(cluster.api_address(id));
  options.wait_for_leader = 5s;
  options.io_timeout = 3s;
  std::vector<int> acked;
  std::optional<int> exit_status;
  int next = 0;
  for (; next < kPutsMax && !exit_status; ++next) {
    if (put(options, next)) acked.push_back(next);
    exit_status = cluster.wait_exit(kFull, 0ms);
  }
  if (!exit_status) exit_status = cluster.wait_exit(kFull, 10s);
  ASSERT_TRUE(exit_status.has_value()) << "node " << kFull << " still runs after " << next << " puts of "
                                       << kValueBytes << " bytes on a 4 MiB disk";
  phase_done("filled the disk, node exited");
  const std::string full_log = cluster.log_text(kFull);
  EXPECT_TRUE(WIFEXITED(*exit_status) && WEXITSTATUS(*exit_status) == 1)
      << "fail-stop must be exit status 1, got wait status " << *exit_status << "\n" << full_log;
  EXPECT_NE(full_log.find("fail-stop: no space"), std::string::npos) << full_log;
  EXPECT_NE(full_log.find("is full: free space"), std::string::npos) << "no operator hint:\n" << full_log;
  ASSERT_FALSE(acked.empty());
  // What the operator sees: the log lines of the failure, printed for the test log.
  for (std::size_t at = full_log.find("no space"); at != std::string::npos; at = full_log.find("no space", at + 1)) {
    const std::size_t begin = full_log.rfind('\n', at) == std::string::npos ? 0 : full_log.rfind('\n', at) + 1;
    const std::size_t end = full_log.find('\n', at);
    std::printf("node %llu: %s\n", static_cast<unsigned long long>(kFull), full_log.substr(begin, end - begin).c_str());
    at = end == std::string::npos ? full_log.size() : end;
  }

  // The two others keep serving: a leader among them, and puts still commit on the majority.
  std::vector<NodeId> survivors;
  for (NodeId id : cluster.ids()) {
    if (id != kFull) survivors.push_back(id);
  }
  ASSERT_NE(cluster.wait_leader(survivors, kElectionBound), kNoNode);
  options.hosts.clear();
  for (NodeId id : survivors) options.hosts.push_back(cluster.api_address(id));
  for (int k = 0; k < kPutsAfterFailure; ++k, ++next) {
    ASSERT_TRUE(put(options, next)) << "the majority stopped committing after node " << kFull << " failed";
    acked.push_back(next);
  }
  for (NodeId id : survivors) {
    std::vector<int> missing;
    EXPECT_TRUE(eventually(20s, [&] {
      missing = missing_on(cluster, id, acked);
      return missing.empty();
    })) << "node " << id << " lacks " << missing.size() << " acknowledged puts";
  }

  phase_done("majority committed, survivors caught up");
  // An operator who restarts the node before freeing space: it must stop again with "no space"
  // (at start or at its first write), exit status 1, and damage nothing.
  std::size_t log_before_restart = cluster.log_text(kFull).size();
  cluster.start(kFull);
  exit_status = cluster.wait_exit(kFull, kElectionBound);
  ASSERT_TRUE(exit_status.has_value()) << "node " << kFull << " runs on a full disk:\n"
                                       << cluster.log_text(kFull).substr(log_before_restart);
  const std::string still_full_log = cluster.log_text(kFull).substr(log_before_restart);
  EXPECT_TRUE(WIFEXITED(*exit_status) && WEXITSTATUS(*exit_status) == 1)
      << "wait status " << *exit_status << "\n" << still_full_log;
  EXPECT_NE(still_full_log.find("no space"), std::string::npos) << still_full_log;
  EXPECT_NE(still_full_log.find("is full: free space"), std::string::npos) << still_full_log;
  std::printf("node %llu restarted on the still full disk:\n%s", static_cast<unsigned long long>(kFull),
              still_full_log.c_str());

  phase_done("refused start on the full disk");
  // The operator frees space and restarts the node: a clean start, then catch-up.
  ASSERT_TRUE(disk.grow("256m")) << std::strerror(errno);
  log_before_restart = cluster.log_text(kFull).size();
  cluster.start(kFull);
  // From the start on, a file committed long before must never leave config_dir: the restart
  // re-applies the log before it syncs the directory (a consumer reading config_dir sees no gap).
  const std::string first_file = cluster.config_dir(kFull) + "/" + path_of(acked.front());
  bool first_file_vanished = false;
  std::vector<int> missing;
  EXPECT_TRUE(eventually(20s, [&] {
    if (!fs::exists(first_file)) first_file_vanished = true;
    missing = missing_on(cluster, kFull, acked);
    return missing.empty();
  })) << "restarted node lacks " << missing.size() << " acknowledged puts, first "
      << (missing.empty() ? std::string("-") : path_of(missing.front())) << "\n" << metrics_summary(cluster);
  EXPECT_FALSE(first_file_vanished) << first_file << " vanished from config_dir during the restart";
  const NodeId leader = cluster.wait_leader(cluster.ids(), kElectionBound);
  ASSERT_NE(leader, kNoNode) << cluster.log_text(kFull).substr(log_before_restart);
  ASSERT_TRUE(cluster.running(kFull) && !cluster.wait_exit(kFull, 0ms).has_value())
      << "the restarted node exited:\n" << cluster.log_text(kFull).substr(log_before_restart);
  const std::string restart_log = cluster.log_text(kFull).substr(log_before_restart);
  if (std::getenv("QUORUM_ITEST_DEBUG_LOGS") != nullptr) {  // NOLINT(concurrency-mt-unsafe)
    std::printf("node %llu after the restart:\n%s", static_cast<unsigned long long>(kFull), restart_log.c_str());
  }
  EXPECT_EQ(restart_log.find("corrupt"), std::string::npos) << restart_log;
  EXPECT_EQ(restart_log.find("cannot start"), std::string::npos) << restart_log;
  EXPECT_EQ(restart_log.find("fail-stop"), std::string::npos) << restart_log;
  phase_done("grown, restarted, caught up");
  // And it writes again: one more put reaches its config_dir.
  options.hosts.push_back(cluster.api_address(kFull));
  ASSERT_TRUE(put(options, next));
  acked.push_back(next++);
  for (NodeId id : cluster.ids()) {
    EXPECT_TRUE(eventually(20s, [&] {
      missing = missing_on(cluster, id, acked);
      return missing.empty();
    })) << "node " << id << " lacks " << missing.size() << " acknowledged puts\n" << metrics_summary(cluster);
  }
  phase_done("one more put on all three");
  const auto took = std::chrono::steady_clock::now() - started_at;
  std::printf("disk full (%s): %zu puts acknowledged (%d attempted) of %zu bytes, took %lld ms\n",
              role == FullNode::kLeader ? "leader" : "follower", acked.size(), next,
              kValueBytes, static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  EXPECT_LT(took, 60s);
}

TEST(IntegrationDiskFull, AFollowerWhoseDiskFillsFailStopsWithNoSpaceAndCatchesUpAfterTheDiskGrows) {
  run_disk_full_scenario(FullNode::kFollower);
}

TEST(IntegrationDiskFull, ALeaderWhoseDiskFillsFailStopsWithNoSpaceAndTheOthersKeepEveryAcknowledgedPut) {
  run_disk_full_scenario(FullNode::kLeader);
}

}  // namespace
}  // namespace quorum::integration
