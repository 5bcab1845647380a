// Tests of RocksStorage against a real RocksDB in a temporary directory.
#include "adapters/rocks/rocks_storage.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "adapters/rocks/keys.h"
#include "adapters/rocks/records.h"

namespace quorum::adapters::rocks {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "quorum-rocks-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

wire::StoreIdentity identity(NodeId node = 1, std::string cluster = "test-cluster") {
  return wire::StoreIdentity{std::move(cluster), node, wire::kStoreFormatVersion};
}

raft::Entry entry(LogIndex index, Term term, std::string data = "x") {
  raft::Entry e;
  e.index = index;
  e.term = term;
  e.kind = raft::EntryKind::kCommand;
  e.data = std::move(data);
  return e;
}

std::vector<raft::Entry> entries(LogIndex first, LogIndex last, Term term) {
  std::vector<raft::Entry> out;
  for (LogIndex i = first; i <= last; ++i)
    out.push_back(entry(i, term, "data" + std::to_string(i)));
  return out;
}

std::unique_ptr<RocksStorage> open_loaded(const std::string& dir, RocksStorageOptions o = {}) {
  Result<std::unique_ptr<RocksStorage>> storage = RocksStorage::open(dir, identity(), std::move(o));
  EXPECT_TRUE(storage.has_value()) << storage.error().to_string();
  EXPECT_TRUE(storage.value()->load().has_value());
  return std::move(storage).value();
}

host::LoadedState reload(const std::string& dir) {
  std::unique_ptr<RocksStorage> storage = RocksStorage::open(dir, identity()).value();
  Result<host::LoadedState> loaded = storage->load();
  EXPECT_TRUE(loaded.has_value()) << loaded.error().to_string();
  return std::move(loaded).value();
}

Status persist_entries(RocksStorage& s, LogIndex first, LogIndex last, Term term) {
  host::PersistBatch batch;
  batch.hard_state = raft::HardState{term, 1, 0};
  batch.entries = entries(first, last, term);
  batch.sync = true;
  return s.persist(batch);
}

// Opens the raw database (the storage must be closed) and overwrites one value.
void raw_put(const std::string& dir, const std::string& key, const std::string& value) {
  rocksdb::DB* db = nullptr;
  rocksdb::Options options;
  options.create_if_missing = true;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, &db).ok());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  ASSERT_TRUE(db->Put(wo, key, value).ok());
  delete db;
}

std::string raw_get(const std::string& dir, const std::string& key) {
  rocksdb::DB* db = nullptr;
  rocksdb::Options options;
  EXPECT_TRUE(rocksdb::DB::Open(options, dir, &db).ok());
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), key, &value).ok());
  delete db;
  return value;
}

TEST(RocksStorage, FreshDatabaseLoadsEmptyState) {
  TempDir dir;
  host::LoadedState loaded = reload(dir.path());
  EXPECT_EQ(loaded.persisted.hard_state, raft::HardState{});
  EXPECT_TRUE(loaded.persisted.entries.empty());
  EXPECT_FALSE(loaded.snapshot.has_value());
}

TEST(RocksStorage, RoundTripsHardStateEntriesAndMembership) {
  TempDir dir;
  host::PersistBatch batch;
  batch.hard_state = raft::HardState{7, 2, 3};
  batch.entries = entries(1, 3, 7);
  batch.entries[1].kind = raft::EntryKind::kMembership;
  batch.entries[1].data.clear();
  batch.entries[1].membership.members = {{1, raft::MemberRole::kVoter, 2},
                                         {4, raft::MemberRole::kLearner, 0}};
  batch.sync = true;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(s->persist(batch).is_ok());
  }
  host::LoadedState loaded = reload(dir.path());
  EXPECT_EQ(loaded.persisted.hard_state, *batch.hard_state);
  EXPECT_EQ(loaded.persisted.entries, batch.entries);
}

TEST(RocksStorage, EntriesReplaceTheSuffixFromTheFirstNewIndex) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 10, 1).is_ok());
    // A new leader in term 2 overwrites from index 6: 7..10 of term 1 must disappear.
    ASSERT_TRUE(persist_entries(*s, 6, 6, 2).is_ok());
  }
  host::LoadedState loaded = reload(dir.path());
  ASSERT_EQ(loaded.persisted.entries.size(), 6u);
  EXPECT_EQ(loaded.persisted.entries.back().index, 6u);
  EXPECT_EQ(loaded.persisted.entries.back().term, 2u);
  EXPECT_EQ(loaded.persisted.entries[4].term, 1u);
}

TEST(RocksStorage, SnapshotDeletesTheLogRangeItCovers) {
  TempDir dir;
  raft::Snapshot snap;
  snap.meta.last_index = 40;
  snap.meta.last_term = 3;
  snap.meta.membership.members = {{1, raft::MemberRole::kVoter, 1}};
  snap.data = "state machine bytes";
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 50, 3).is_ok());
    host::PersistBatch batch;
    batch.snapshot = snap;
    batch.sync = true;
    ASSERT_TRUE(s->persist(batch).is_ok());
  }
  host::LoadedState loaded = reload(dir.path());
  ASSERT_TRUE(loaded.snapshot.has_value());
  EXPECT_EQ(*loaded.snapshot, snap);
  ASSERT_TRUE(loaded.persisted.snapshot.has_value());
  EXPECT_EQ(*loaded.persisted.snapshot, snap.meta);
  ASSERT_EQ(loaded.persisted.entries.size(), 10u);
  EXPECT_EQ(loaded.persisted.entries.front().index, 41u);
  // The covered keys are gone from the database, not merely skipped by load().
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.path(), &db).ok());
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), log_key(40), &value).IsNotFound());
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), log_key(1), &value).IsNotFound());
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), log_key(41), &value).ok());
  delete db;
}

TEST(RocksStorage, SnapshotBeyondTheLogEmptiesItAndAppendsContinueAfterIt) {
  TempDir dir;
  raft::Snapshot snap;
  snap.meta.last_index = 100;
  snap.meta.last_term = 5;
  snap.meta.membership.members = {{1, raft::MemberRole::kVoter, 1}};
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 5, 1).is_ok());
    host::PersistBatch batch;
    batch.snapshot = snap;
    batch.entries = entries(101, 102, 5);
    ASSERT_TRUE(s->persist(batch).is_ok());
    ASSERT_TRUE(persist_entries(*s, 103, 103, 6).is_ok());
  }
  host::LoadedState loaded = reload(dir.path());
  ASSERT_EQ(loaded.persisted.entries.size(), 3u);
  EXPECT_EQ(loaded.persisted.entries.front().index, 101u);
  EXPECT_EQ(loaded.persisted.entries.back().term, 6u);
}

TEST(RocksStorage, AReceivedConflictingSnapshotReplacesTheWholeLog) {
  // A follower holds 1..10 of term 1; the leader's snapshot covers 1..5 in term 3 (its entry 5
  // differs): the core discarded its whole log (Raft §7), so 6..10 of term 1 must go too, or a
  // restart would find older-term entries after a newer snapshot and refuse to start.
  TempDir dir;
  raft::Snapshot snap;
  snap.meta.last_index = 5;
  snap.meta.last_term = 3;
  snap.meta.membership.members = {{1, raft::MemberRole::kVoter, 1}};
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 10, 1).is_ok());
    host::PersistBatch batch;
    batch.hard_state = raft::HardState{3, 0, 5};
    batch.snapshot = snap;
    batch.snapshot_replaces_log = true;
    batch.sync = true;
    ASSERT_TRUE(s->persist(batch).is_ok());
  }
  EXPECT_TRUE(reload(dir.path()).persisted.entries.empty());  // and loads without corruption
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 6, 6, 3).is_ok());  // the log continues right after it
  }
  host::LoadedState loaded = reload(dir.path());
  ASSERT_EQ(loaded.persisted.entries.size(), 1u);
  EXPECT_EQ(loaded.persisted.entries.front().index, 6u);
  EXPECT_EQ(loaded.persisted.entries.front().term, 3u);
}

TEST(RocksStorage, ReopenAfterCloseKeepsAppending) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 3, 1).is_ok());
  }
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 4, 5, 2).is_ok());
  }
  host::LoadedState loaded = reload(dir.path());
  ASSERT_EQ(loaded.persisted.entries.size(), 5u);
  EXPECT_EQ(loaded.persisted.entries[3].term, 2u);
}

TEST(RocksStorage, CorruptValueByteIsReportedWithItsKey) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 50, 1).is_ok());
  }
  std::string value = raw_get(dir.path(), log_key(42));
  value[value.size() - 1] ^= 0x01;  // one bit of the payload
  raw_put(dir.path(), log_key(42), value);
  std::unique_ptr<RocksStorage> s = RocksStorage::open(dir.path(), identity()).value();
  Result<host::LoadedState> loaded = s->load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), StatusCode::kCorruption);
  EXPECT_EQ(loaded.error().message().rfind("log/00000000000000000042: crc mismatch", 0), 0u)
      << loaded.error().message();
}

TEST(RocksStorage, TruncatedRecordIsReportedWithItsKey) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    host::PersistBatch batch;
    batch.hard_state = raft::HardState{3, 1, 0};
    batch.entries = entries(1, 3, 3);
    batch.sync = true;
    ASSERT_TRUE(s->persist(batch).is_ok());
  }
  // Cut inside the header: named as truncated.
  std::string value = raw_get(dir.path(), std::string(kHardStateKey));
  raw_put(dir.path(), std::string(kHardStateKey), value.substr(0, 3));
  std::unique_ptr<RocksStorage> s = RocksStorage::open(dir.path(), identity()).value();
  Result<host::LoadedState> loaded = s->load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), StatusCode::kCorruption);
  EXPECT_EQ(loaded.error().message().rfind("state/hard: ", 0), 0u) << loaded.error().message();
  EXPECT_NE(loaded.error().message().find("truncated"), std::string::npos);
  s.reset();
  // Cut inside the payload of a log record: the checksum catches it, and the key is named.
  raw_put(dir.path(), std::string(kHardStateKey), value);
  std::string entry_value = raw_get(dir.path(), log_key(2));
  raw_put(dir.path(), log_key(2), entry_value.substr(0, entry_value.size() - 2));
  s = RocksStorage::open(dir.path(), identity()).value();
  loaded = s->load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), StatusCode::kCorruption);
  EXPECT_EQ(loaded.error().message().rfind("log/00000000000000000002: ", 0), 0u)
      << loaded.error().message();
}

TEST(RocksStorage, LogGapIsReportedWithTheKeyAfterTheGap) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 3, 1).is_ok());
  }
  raw_put(dir.path(), log_key(5), encode_entry_record(entry(5, 1)));
  std::unique_ptr<RocksStorage> s = RocksStorage::open(dir.path(), identity()).value();
  Result<host::LoadedState> loaded = s->load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message(),
            "log/00000000000000000005: log not consecutive: expected index 4");
}

TEST(RocksStorage, RecordUnderTheWrongKeyIsCorruption) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 2, 1).is_ok());
  }
  raw_put(dir.path(), log_key(2), encode_entry_record(entry(7, 1)));
  std::unique_ptr<RocksStorage> s = RocksStorage::open(dir.path(), identity()).value();
  Result<host::LoadedState> loaded = s->load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message(), "log/00000000000000000002: record holds index 7");
}

TEST(RocksStorage, CommitIndexBeyondTheLogIsReportedAsLostRecords) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    host::PersistBatch batch;
    batch.hard_state = raft::HardState{2, 1, 5};
    batch.entries = entries(1, 5, 2);
    batch.sync = true;
    ASSERT_TRUE(s->persist(batch).is_ok());
  }
  {
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.path(), &db).ok());
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), log_key(5)).ok());
    delete db;
  }
  std::unique_ptr<RocksStorage> s = RocksStorage::open(dir.path(), identity()).value();
  Result<host::LoadedState> loaded = s->load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message(),
            "state/hard: commit index 5 beyond the last persisted entry 4 (log records lost)");
}

TEST(RocksStorage, LogTermAboveTheHardStateTermIsCorruption) {
  TempDir dir;
  {
    std::unique_ptr<RocksStorage> s = open_loaded(dir.path());
    ASSERT_TRUE(persist_entries(*s, 1, 2, 4).is_ok());
  }
  raw_put(dir.path(), std::string(kHardStateKey),
          encode_hard_state_record(raft::HardState{3, 1, 0}));
  std::unique_ptr<RocksStorage> s = RocksStorage::open(dir.path(), identity()).value();
  Result<host::LoadedState> loaded = s->load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().message(), "state/hard: term 3 below the last entry's term 4");
}

TEST(RocksStorage, FailedWriteMakesTheStorageRefuseLaterWrites) {
  TempDir dir;
  std::atomic<int> writes{0};
  RocksStorageOptions options;
  options.write = [&](rocksdb::DB*, rocksdb::WriteBatch*, bool) {
    ++writes;
    return rocksdb::Status::IOError("injected fsync failure");
  };
  std::unique_ptr<RocksStorage> s = open_loaded(dir.path(), std::move(options));
  Status first = persist_entries(*s, 1, 1, 1);
  EXPECT_EQ(first.code(), StatusCode::kIoError);
  Status second = persist_entries(*s, 1, 1, 1);
  EXPECT_EQ(second.code(), StatusCode::kIoError);
  EXPECT_EQ(writes.load(), 1);  // never retried
  EXPECT_FALSE(s->failure().is_ok());
}

TEST(RocksStorage, FullDiskIsReportedAsNoSpace) {
  TempDir dir;
  RocksStorageOptions options;
  options.write = [](rocksdb::DB*, rocksdb::WriteBatch*, bool) {
    return rocksdb::Status::NoSpace("injected ENOSPC");
  };
  std::unique_ptr<RocksStorage> s = open_loaded(dir.path(), std::move(options));
  Status status = persist_entries(*s, 1, 1, 1);
  EXPECT_EQ(status.code(), StatusCode::kNoSpace);
  EXPECT_NE(status.message().find("injected ENOSPC"), std::string::npos);
}

TEST(RocksStorage, SyncFlagReachesTheWrite) {
  TempDir dir;
  std::vector<bool> syncs;
  RocksStorageOptions options;
  options.write = [&](rocksdb::DB* db, rocksdb::WriteBatch* batch, bool sync) {
    syncs.push_back(sync);
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    return db->Write(wo, batch);
  };
  std::unique_ptr<RocksStorage> s = open_loaded(dir.path(), std::move(options));
  host::PersistBatch batch;
  batch.entries = entries(1, 1, 1);
  batch.sync = false;
  ASSERT_TRUE(s->persist(batch).is_ok());
  ASSERT_TRUE(persist_entries(*s, 2, 2, 1).is_ok());
  EXPECT_EQ(syncs, (std::vector<bool>{false, true}));
}

TEST(RocksStorage, DataOfAnotherNodeOrClusterIsRefused) {
  TempDir dir;
  { std::unique_ptr<RocksStorage> s = open_loaded(dir.path()); }
  Result<std::unique_ptr<RocksStorage>> other_node = RocksStorage::open(dir.path(), identity(2));
  ASSERT_FALSE(other_node.has_value());
  EXPECT_EQ(other_node.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other_node.error().message(),
            dir.path() +
                ": data of node 1 in cluster 'test-cluster', but this is node 2 in "
                "cluster 'test-cluster'");
  EXPECT_FALSE(RocksStorage::open(dir.path(), identity(1, "other")).has_value());
  EXPECT_TRUE(RocksStorage::open(dir.path(), identity(1)).has_value());
}

TEST(RocksStorage, NonEmptyDatabaseWithoutIdentityIsRefused) {
  TempDir dir;
  raw_put(dir.path(), log_key(1), encode_entry_record(entry(1, 1)));
  Result<std::unique_ptr<RocksStorage>> s = RocksStorage::open(dir.path(), identity());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), StatusCode::kCorruption);
  EXPECT_NE(s.error().message().find("meta/identity: missing"), std::string::npos);
}

}  // namespace
}  // namespace quorum::adapters::rocks
