// Tests of the GroupCommitter: batches queued behind an in-flight write share the next one.
#include "adapters/rocks/group_commit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace quorum::adapters::rocks {
namespace {

// A write function that records each write and can hold the first one until released, so a
// test can queue batches behind it without depending on timing.
class GatedWrites {
 public:
  rocksdb::Status write(rocksdb::WriteBatch* batch, bool sync) {
    std::unique_lock lock(mu_);
    counts_.push_back(batch->Count());
    syncs_.push_back(sync);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    return rocksdb::Status::OK();
  }
  void wait_entered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  std::vector<std::uint32_t> counts() {
    std::lock_guard lock(mu_);
    return counts_;
  }
  std::vector<bool> syncs() {
    std::lock_guard lock(mu_);
    return syncs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
  std::vector<std::uint32_t> counts_;
  std::vector<bool> syncs_;
};

void wait_queued(const GroupCommitter& committer, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (committer.queued() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(committer.queued(), n);
}

TEST(GroupCommitter, BatchesQueuedDuringASyncShareTheNextSync) {
  GatedWrites gate;
  GroupCommitter committer([&](rocksdb::WriteBatch* b, bool sync) { return gate.write(b, sync); });
  constexpr int kFollowers = 8;
  std::vector<rocksdb::WriteBatch> batches(kFollowers + 1);
  for (std::size_t i = 0; i < batches.size(); ++i) {
    ASSERT_TRUE(batches[i].Put("k" + std::to_string(i), "v").ok());
    ASSERT_TRUE(batches[i].Put("j" + std::to_string(i), "v").ok());
  }
  std::vector<Status> results(batches.size());
  std::vector<std::thread> threads;
  threads.emplace_back([&] { results[0] = committer.commit(&batches[0], true); });
  gate.wait_entered();  // the first write is in flight and held
  for (int i = 1; i <= kFollowers; ++i) {
    threads.emplace_back([&, i] { results[i] = committer.commit(&batches[i], i % 2 == 0); });
  }
  wait_queued(committer, kFollowers);
  gate.open();
  for (std::thread& t : threads) t.join();

  for (const Status& s : results) EXPECT_TRUE(s.is_ok());
  // One write for the first batch, one merged write (2 operations per batch) for the rest.
  EXPECT_EQ(gate.counts(), (std::vector<std::uint32_t>{2, 2 * kFollowers}));
  EXPECT_EQ(gate.syncs(), (std::vector<bool>{true, true}));
  GroupCommitStats stats = committer.stats();
  EXPECT_EQ(stats.batches_total, static_cast<std::uint64_t>(kFollowers + 1));
  EXPECT_EQ(stats.writes_total, 2u);
  EXPECT_EQ(stats.syncs_total, 2u);
  EXPECT_EQ(stats.group_batches_max, static_cast<std::uint64_t>(kFollowers));
}

TEST(GroupCommitter, GroupIsUnsyncedOnlyIfNoMemberAskedForSync) {
  std::vector<bool> syncs;
  GroupCommitter committer([&](rocksdb::WriteBatch*, bool sync) {
    syncs.push_back(sync);
    return rocksdb::Status::OK();
  });
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(batch.Put("k", "v").ok());
  ASSERT_TRUE(committer.commit(&batch, false).is_ok());
  EXPECT_EQ(syncs, std::vector<bool>{false});
  EXPECT_EQ(committer.stats().syncs_total, 0u);
}

TEST(GroupCommitter, FailureFailsTheWholeGroupAndEveryLaterCommit) {
  int writes = 0;
  GroupCommitter committer([&](rocksdb::WriteBatch*, bool) {
    ++writes;
    return rocksdb::Status::IOError("disk gone");
  });
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(batch.Put("k", "v").ok());
  Status first = committer.commit(&batch, true);
  EXPECT_EQ(first.code(), StatusCode::kIoError);
  EXPECT_NE(first.message().find("disk gone"), std::string::npos);
  EXPECT_EQ(committer.commit(&batch, true).code(), StatusCode::kIoError);
  EXPECT_EQ(writes, 1);
}

TEST(GroupCommitter, MapsRocksdbErrorsToStatusCodes) {
  EXPECT_EQ(to_status(rocksdb::Status::NoSpace("x"), "w").code(), StatusCode::kNoSpace);
  EXPECT_EQ(to_status(rocksdb::Status::Corruption("x"), "w").code(), StatusCode::kCorruption);
  EXPECT_EQ(to_status(rocksdb::Status::IOError("x"), "w").code(), StatusCode::kIoError);
  EXPECT_EQ(to_status(rocksdb::Status::IOError("x"), "rocksdb put log/1").message(),
            "rocksdb put log/1: IO error: x");
}

}  // namespace
}  // namespace quorum::adapters::rocks
