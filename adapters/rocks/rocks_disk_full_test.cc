// RocksStorage on a file system that really runs out of space: a small tmpfs mounted for the
// test (root only; skipped with the reason otherwise). The injected-status tests in
// rocks_storage_test.cc check the mapping; this one checks what an operator meets: the first
// failed write reports "no space" and fail-stops the storage, nothing that persist() reported
// durable is lost, and once space is freed the node starts again from a clean, contiguous log.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "adapters/rocks/rocks_storage.h"

namespace quorum::adapters::rocks {
namespace {

namespace fs = std::filesystem;

// A tmpfs of `size` mounted on a fresh directory; unmounted and removed on destruction.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(const std::string& size) {
    std::string templ = (fs::temp_directory_path() / "quorum-full-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
      error_ = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    path_ = templ;
    if (::geteuid() != 0) {
      error_ = "needs root to mount a tmpfs";
      return;
    }
    const std::string data = "size=" + size;
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, data.c_str()) != 0) {
      error_ = std::string("mount tmpfs: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    if (!path_.empty()) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
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
  std::string db_dir() const { return path_ + "/db"; }

 private:
  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

wire::StoreIdentity identity() { return wire::StoreIdentity{"disk-full", 1, wire::kStoreFormatVersion}; }

std::string payload(LogIndex index) {
  std::string data = "entry-" + std::to_string(index) + "-";
  data.resize(4096, static_cast<char>('a' + index % 26));
  return data;
}

// One synced batch of `count` 4 KiB entries starting at `first`, as the host persists them.
Status persist_batch(RocksStorage& storage, LogIndex first, std::size_t count) {
  host::PersistBatch batch;
  batch.hard_state = raft::HardState{1, 1, 0};
  for (std::size_t i = 0; i < count; ++i) {
    raft::Entry e;
    e.index = first + i;
    e.term = 1;
    e.kind = raft::EntryKind::kCommand;
    e.data = payload(e.index);
    batch.entries.push_back(std::move(e));
  }
  batch.sync = true;
  return storage.persist(batch);
}

TEST(RocksDiskFull, AFullFileSystemFailStopsWithNoSpaceAndLosesNothingDurable) {
  SmallFileSystem small("3m");
  if (!small.mounted()) GTEST_SKIP() << small.error();

  constexpr std::size_t kBatchEntries = 8;
  LogIndex durable_last = 0;  // the last index persist() reported durable
  Status failure = Status::ok();
  {
    Result<std::unique_ptr<RocksStorage>> opened = RocksStorage::open(small.db_dir(), identity());
    ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
    RocksStorage& storage = **opened;
    ASSERT_TRUE(storage.load().has_value());
    // 3 MiB cannot hold 2,000 batches of 32 KiB: the loop must end in a failure.
    for (int batch = 0; batch < 2'000; ++batch) {
      failure = persist_batch(storage, durable_last + 1, kBatchEntries);
      if (!failure.is_ok()) break;
      durable_last += kBatchEntries;
    }
    ASSERT_FALSE(failure.is_ok()) << "the file system never filled up";
    EXPECT_EQ(failure.code(), StatusCode::kNoSpace) << failure.to_string();
    EXPECT_GT(durable_last, LogIndex{0});
    // Fail-stop: a later write is refused without touching the disk, even a tiny one.
    const Status again = persist_batch(storage, durable_last + 1, 1);
    EXPECT_FALSE(again.is_ok());
    EXPECT_FALSE(storage.failure().is_ok());
  }

  // The operator frees space; the node must start from a clean log holding every durable entry.
  ASSERT_TRUE(small.grow("64m")) << std::strerror(errno);
  Result<std::unique_ptr<RocksStorage>> reopened = RocksStorage::open(small.db_dir(), identity());
  ASSERT_TRUE(reopened.has_value()) << reopened.error().to_string();
  Result<host::LoadedState> loaded = (*reopened)->load();
  ASSERT_TRUE(loaded.has_value()) << loaded.error().to_string();
  const std::vector<raft::Entry>& log = loaded->persisted.entries;
  // The failed batch is atomic: either all of it is there or none of it.
  ASSERT_TRUE(log.size() == durable_last || log.size() == durable_last + kBatchEntries)
      << "log holds " << log.size() << " entries, " << durable_last << " were durable";
  for (std::size_t i = 0; i < log.size(); ++i) {
    ASSERT_EQ(log[i].index, LogIndex{i + 1});
    ASSERT_EQ(log[i].data, payload(log[i].index)) << "entry " << log[i].index << " damaged";
  }
  // And it writes again.
  EXPECT_TRUE(persist_batch(**reopened, log.size() + 1, kBatchEntries).is_ok());
}

}  // namespace
}  // namespace quorum::adapters::rocks
