// Measurements, not tests (DISABLED_: never run by ctest). Run with
//   build-storage/adapters/quorum_adapters_test --gtest_also_run_disabled_tests
//       --gtest_filter='StorageBench.*'
// Each prints one line of figures; each asserts only what makes the figure meaningful.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "adapters/rocks/group_commit.h"
#include "adapters/rocks/keys.h"
#include "adapters/rocks/rocks_storage.h"

namespace quorum::adapters::rocks {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr auto kRunTime = std::chrono::seconds(3);

std::string temp_dir() {
  std::string templ = (fs::temp_directory_path() / "quorum-bench-XXXXXX").string();
  return ::mkdtemp(templ.data());
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The physical limit a commit waits on: append 4 KiB and fsync, one thread.
TEST(StorageBench, DISABLED_FsyncRate) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/fsync.dat";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  const std::string block(4096, 'x');
  std::uint64_t count = 0;
  const auto start = Clock::now();
  while (Clock::now() - start < kRunTime) {
    ASSERT_EQ(::write(fd, block.data(), block.size()), 4096);
    ASSERT_EQ(::fsync(fd), 0);
    ++count;
  }
  const double secs = seconds_since(start);
  ::close(fd);
  fs::remove_all(dir);
  std::printf("fsync: %llu x (4 KiB append + fsync) in %.2f s = %.0f fsync/s, %.3f ms each\n",
              static_cast<unsigned long long>(count), secs, count / secs, 1000 * secs / count);
  EXPECT_GT(count, 0u);
}

host::PersistBatch one_entry(LogIndex index) {
  host::PersistBatch batch;
  raft::Entry e;
  e.index = index;
  e.term = 1;
  e.kind = raft::EntryKind::kCommand;
  e.data = std::string(256, 'v');
  batch.entries.push_back(std::move(e));
  batch.sync = true;
  return batch;
}

// RocksStorage::persist of one 256-byte entry with sync, one thread.
TEST(StorageBench, DISABLED_RocksSyncWritesSingleThread) {
  const std::string dir = temp_dir();
  {
    auto storage = RocksStorage::open(dir, wire::StoreIdentity{"bench", 1, 1}).value();
    ASSERT_TRUE(storage->load().has_value());
    LogIndex index = 0;
    const auto start = Clock::now();
    while (Clock::now() - start < kRunTime)
      ASSERT_TRUE(storage->persist(one_entry(++index)).is_ok());
    const double secs = seconds_since(start);
    GroupCommitStats stats = storage->committer().stats();
    std::printf(
        "rocksdb persist (1 x 256 B entry, sync), 1 thread: %llu in %.2f s = %.0f/s "
        "(%llu syncs)\n",
        static_cast<unsigned long long>(index), secs, index / secs,
        static_cast<unsigned long long>(stats.syncs_total));
    EXPECT_EQ(stats.syncs_total, index);
  }
  fs::remove_all(dir);
}

// `writers` threads each commit 256-byte synced batches in a loop through one GroupCommitter
// (group = true) or straight into RocksDB (group = false: RocksDB's own write-group batching).
void concurrent_writers(int writers, bool group) {
  const std::string dir = temp_dir();
  rocksdb::DB* raw = nullptr;
  rocksdb::Options options;
  options.create_if_missing = true;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  GroupCommitter committer(db.get());
  std::atomic<std::uint64_t> commits{0};
  std::atomic<std::uint64_t> direct_syncs{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (std::uint64_t i = 0; !stop.load(); ++i) {
        rocksdb::WriteBatch batch;
        EXPECT_TRUE(
            batch.Put(log_key(static_cast<LogIndex>(w) << 40 | i), std::string(256, 'v')).ok());
        if (group) {
          EXPECT_TRUE(committer.commit(&batch, true).is_ok());
        } else {
          rocksdb::WriteOptions wo;
          wo.sync = true;
          EXPECT_TRUE(db->Write(wo, &batch).ok());
          ++direct_syncs;
        }
        ++commits;
      }
    });
  }
  std::this_thread::sleep_for(kRunTime);  // a measurement window, not a synchronisation
  stop = true;
  for (std::thread& t : threads) t.join();
  const double secs = seconds_since(start);
  GroupCommitStats stats = committer.stats();
  const std::uint64_t n = commits.load();
  if (group) {
    std::printf(
        "group commit, %d writers: %llu commits in %.2f s = %.0f commits/s, %llu syncs "
        "(%.0f syncs/s, %.1f batches per sync, largest group %llu)\n",
        writers, static_cast<unsigned long long>(n), secs, n / secs,
        static_cast<unsigned long long>(stats.syncs_total), stats.syncs_total / secs,
        static_cast<double>(stats.batches_total) / static_cast<double>(stats.syncs_total),
        static_cast<unsigned long long>(stats.group_batches_max));
    EXPECT_LT(stats.syncs_total, n);  // batches were merged
  } else {
    std::printf("rocksdb direct sync writes, %d writers: %llu commits in %.2f s = %.0f commits/s\n",
                writers, static_cast<unsigned long long>(n), secs, n / secs);
  }
  db.reset();
  fs::remove_all(dir);
}

TEST(StorageBench, DISABLED_GroupCommit16Writers) {
  concurrent_writers(16, true);
}
TEST(StorageBench, DISABLED_GroupCommit64Writers) {
  concurrent_writers(64, true);
}
TEST(StorageBench, DISABLED_RocksDirect16Writers) {
  concurrent_writers(16, false);
}
TEST(StorageBench, DISABLED_RocksDirect64Writers) {
  concurrent_writers(64, false);
}

}  // namespace
}  // namespace quorum::adapters::rocks
