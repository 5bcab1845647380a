// The Storage port's contract (engine/host/ports/storage.h), asserted against every
// implementation: MemoryStorage (the reference store of the unit tests and the core harness),
// the simulator's SimStorage and the production RocksStorage. One typed suite: a store that
// disagrees with the port fails the same test as the others pass.
//
// Each store is used the way a node uses it: opened and loaded once, then written; "reopen" is
// a new process on the same data (the store is closed, opened again and loaded). Every batch here
// is synced unless a test says otherwise, so a reopen may lose nothing.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/rocks/rocks_storage.h"
#include "engine/core/base/assert.h"
#include "engine/core/base/prng.h"
#include "engine/host/memory/memory_storage.h"
#include "engine/host/ports/storage.h"
#include "sim/ports/sim_storage.h"

namespace quorum {
namespace {

// --- The stores under test. Each: storage() (opened and loaded), reopen() (a new process on
// the same data: close, open, load), fail_next_persist() (the next persist() fails as a broken
// disk would; the store may refuse later writes too, until reopened). ---

class MemoryStore {
 public:
  static constexpr const char* kName = "MemoryStorage";
  MemoryStore() { EXPECT_TRUE(storage_.load().has_value()); }
  host::Storage& storage() { return storage_; }
  // MemoryStorage has no process of its own: a reopen is the power loss of its process (every
  // batch synced, so nothing is lost) and a fresh load().
  Result<host::LoadedState> reopen() {
    storage_.clear_failure();
    storage_.crash();
    return storage_.load();
  }
  void fail_next_persist() { storage_.fail_after(0, Status::io_error("injected")); }

 private:
  host::MemoryStorage storage_;
};

class SimStore {
 public:
  static constexpr const char* kName = "SimStorage";
  SimStore() : storage_(1, Prng(7)) { EXPECT_TRUE(storage_.load().has_value()); }
  host::Storage& storage() { return storage_; }
  // The simulator restarts a node with a crash (keeps a random prefix of the unsynced writes)
  // and a load().
  Result<host::LoadedState> reopen() {
    Prng prng(11);
    storage_.crash(prng);
    return storage_.load();
  }
  void fail_next_persist() { storage_.fail_next_write(); }

 private:
  sim::SimStorage storage_;
};

class RocksStore {
 public:
  static constexpr const char* kName = "RocksStorage";
  RocksStore() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "quorum-contract-XXXXXX").string();
    QUORUM_ASSERT(::mkdtemp(templ.data()) != nullptr);
    dir_ = templ;
    Result<host::LoadedState> loaded = open();
    EXPECT_TRUE(loaded.has_value()) << loaded.error().to_string();
  }
  ~RocksStore() {
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }
  host::Storage& storage() { return *storage_; }
  Result<host::LoadedState> reopen() {
    storage_.reset();  // closes the database
    return open();
  }
  void fail_next_persist() { *fail_next_ = true; }

 private:
  Result<host::LoadedState> open() {
    adapters::rocks::RocksStorageOptions options;
    options.write = [fail = fail_next_](rocksdb::DB* db, rocksdb::WriteBatch* batch, bool sync) {
      if (std::exchange(*fail, false)) return rocksdb::Status::IOError("injected");
      rocksdb::WriteOptions write_options;
      write_options.sync = sync;
      return db->Write(write_options, batch);
    };
    auto opened = adapters::rocks::RocksStorage::open(
        dir_, wire::StoreIdentity{"contract", 1, wire::kStoreFormatVersion}, std::move(options));
    if (!opened) return opened.error();
    storage_ = std::move(*opened);
    return storage_->load();
  }

  std::string dir_;
  std::shared_ptr<bool> fail_next_ = std::make_shared<bool>(false);
  std::unique_ptr<adapters::rocks::RocksStorage> storage_;
};

// --- Batches ---

raft::Entry entry(LogIndex index, Term term) {
  raft::Entry e;
  e.index = index;
  e.term = term;
  e.kind = raft::EntryKind::kCommand;
  e.data = "cmd-" + std::to_string(index) + "-t" + std::to_string(term);
  return e;
}

std::vector<raft::Entry> entries(LogIndex first, LogIndex last, Term term) {
  std::vector<raft::Entry> out;
  for (LogIndex i = first; i <= last; ++i) out.push_back(entry(i, term));
  return out;
}

raft::Membership three_voters() {
  raft::Membership m;
  for (NodeId id = 1; id <= 3; ++id) {
    m.members.push_back(raft::Member{id, raft::MemberRole::kVoter, static_cast<std::uint32_t>(id)});
  }
  return m;
}

host::PersistBatch append(std::vector<raft::Entry> log, Term term) {
  host::PersistBatch b;
  b.hard_state = raft::HardState{term, 1, 0};
  b.entries = std::move(log);
  b.sync = true;
  return b;
}

raft::Snapshot snapshot(LogIndex index, Term term, std::string data) {
  return raft::Snapshot{raft::SnapshotMeta{index, term, three_voters()}, std::move(data)};
}

host::PersistBatch install(raft::Snapshot snap, bool replaces_log) {
  host::PersistBatch b;
  b.snapshot = std::move(snap);
  b.snapshot_replaces_log = replaces_log;
  b.sync = true;
  return b;
}

// (index, term) of each loaded entry: what most expectations compare.
std::vector<std::pair<LogIndex, Term>> ids(const host::LoadedState& state) {
  std::vector<std::pair<LogIndex, Term>> out;
  for (const raft::Entry& e : state.persisted.entries) out.emplace_back(e.index, e.term);
  return out;
}

std::vector<std::pair<LogIndex, Term>> ids(LogIndex first, LogIndex last, Term term) {
  std::vector<std::pair<LogIndex, Term>> out;
  for (LogIndex i = first; i <= last; ++i) out.emplace_back(i, term);
  return out;
}

template <class Store>
class StorageContract : public ::testing::Test {
 protected:
  void persist(const host::PersistBatch& batch) {
    const Status status = store_.storage().persist(batch);
    ASSERT_TRUE(status.is_ok()) << Store::kName << ": " << status.to_string();
  }
  host::LoadedState reopen() {
    Result<host::LoadedState> loaded = store_.reopen();
    EXPECT_TRUE(loaded.has_value()) << Store::kName << ": " << loaded.error().to_string();
    return loaded.has_value() ? std::move(loaded).value() : host::LoadedState{};
  }
  Store store_;
};

struct StoreNames {
  template <class Store>
  static std::string GetName(int) {
    return Store::kName;
  }
};

using Stores = ::testing::Types<MemoryStore, SimStore, RocksStore>;
TYPED_TEST_SUITE(StorageContract, Stores, StoreNames);

TYPED_TEST(StorageContract, AFreshStoreLoadsEmpty) {
  const host::LoadedState loaded = this->reopen();
  EXPECT_EQ(loaded.persisted.hard_state, raft::HardState{});
  EXPECT_FALSE(loaded.snapshot.has_value());
  EXPECT_FALSE(loaded.persisted.snapshot.has_value());
  EXPECT_TRUE(loaded.persisted.entries.empty());
}

TYPED_TEST(StorageContract, WhatWasPersistedLoadsBackFieldForField) {
  host::PersistBatch batch;
  batch.hard_state = raft::HardState{4, 3, 2};
  raft::Entry noop;
  noop.index = 1;
  noop.term = 2;
  noop.kind = raft::EntryKind::kNoop;
  raft::Entry member;
  member.index = 2;
  member.term = 3;
  member.kind = raft::EntryKind::kMembership;
  member.membership = three_voters();
  raft::Entry command = entry(3, 4);
  command.data = std::string("binary\0data\xff", 12);
  batch.entries = {noop, member, command};
  batch.sync = true;
  this->persist(batch);

  const host::LoadedState loaded = this->reopen();
  EXPECT_EQ(loaded.persisted.hard_state, (raft::HardState{4, 3, 2}));
  EXPECT_EQ(loaded.persisted.entries, batch.entries);
  EXPECT_FALSE(loaded.snapshot.has_value());
}

TYPED_TEST(StorageContract, AHardStateAloneReplacesTheStoredOneAndKeepsTheLog) {
  this->persist(append(entries(1, 2, 1), 1));
  host::PersistBatch vote;
  vote.hard_state = raft::HardState{5, 2, 1};
  vote.sync = true;
  this->persist(vote);
  const host::LoadedState loaded = this->reopen();
  EXPECT_EQ(loaded.persisted.hard_state, (raft::HardState{5, 2, 1}));
  EXPECT_EQ(ids(loaded), ids(1, 2, 1));
}

TYPED_TEST(StorageContract, EntriesAppendAtTheEndAndReplaceTheSuffixFromTheirFirstIndex) {
  this->persist(append(entries(1, 3, 1), 1));
  this->persist(append(entries(4, 5, 1), 1));  // at the end: nothing dropped
  EXPECT_EQ(ids(this->reopen()), ids(1, 5, 1));

  // A new leader's overwrite from index 3: 3 and 4 replaced, 5 (after the batch) gone.
  this->persist(append(entries(3, 4, 2), 2));
  const host::LoadedState loaded = this->reopen();
  std::vector<std::pair<LogIndex, Term>> want = ids(1, 2, 1);
  for (const auto& id : ids(3, 4, 2)) want.push_back(id);
  EXPECT_EQ(ids(loaded), want);
  EXPECT_EQ(loaded.persisted.entries[2].data, "cmd-3-t2");

  // The whole log, from index 1.
  this->persist(append(entries(1, 1, 3), 3));
  EXPECT_EQ(ids(this->reopen()), ids(1, 1, 3));
}

TYPED_TEST(StorageContract, AFailedBatchIsStoredWholeOrNotAtAll) {
  this->persist(append(entries(1, 3, 1), 1));
  const host::LoadedState before = this->reopen();

  // One batch touching everything: snapshot, an overwrite, the hard state.
  host::PersistBatch batch = append(entries(3, 5, 2), 2);
  batch.snapshot = snapshot(2, 1, "upto2");
  this->store_.fail_next_persist();
  EXPECT_FALSE(this->store_.storage().persist(batch).is_ok());

  const host::LoadedState after = this->reopen();
  // "Nothing in the batch may be assumed durable": the store holds the state before the batch
  // or the state after it, never a part. (Every store here injects the failure before the
  // write, so it is the state before; the either-or is the port's promise.)
  const bool untouched = after.persisted.hard_state == before.persisted.hard_state &&
                         !after.snapshot.has_value() &&
                         after.persisted.entries == before.persisted.entries;
  const bool whole = after.persisted.hard_state == batch.hard_state && after.snapshot.has_value() &&
                     *after.snapshot == *batch.snapshot && ids(after) == ids(3, 5, 2);
  EXPECT_TRUE(untouched || whole) << ids(after).size() << " entries after the failed batch";
  EXPECT_TRUE(untouched);

  // The reopened store takes the batch.
  this->persist(batch);
  const host::LoadedState retried = this->reopen();
  EXPECT_EQ(ids(retried), ids(3, 5, 2));
  ASSERT_TRUE(retried.snapshot.has_value());
  EXPECT_EQ(retried.snapshot->data, "upto2");
}

TYPED_TEST(StorageContract, ACompactionDropsTheLogItCoversAndKeepsTheEntriesAfterIt) {
  this->persist(append(entries(1, 5, 1), 1));
  this->persist(install(snapshot(3, 1, "upto3"), /*replaces_log=*/false));
  host::LoadedState loaded = this->reopen();
  ASSERT_TRUE(loaded.snapshot.has_value());
  EXPECT_EQ(*loaded.snapshot, snapshot(3, 1, "upto3"));
  ASSERT_TRUE(loaded.persisted.snapshot.has_value());
  EXPECT_EQ(*loaded.persisted.snapshot, loaded.snapshot->meta);
  EXPECT_EQ(ids(loaded), ids(4, 5, 1));
  EXPECT_EQ(loaded.persisted.hard_state.current_term, 1u);  // a snapshot leaves the hard state

  // Appends continue after it, overwrites after it work, and a later compaction of the whole
  // log leaves it empty with appends continuing after the new snapshot.
  this->persist(append(entries(6, 7, 1), 1));
  this->persist(append(entries(7, 8, 2), 2));
  loaded = this->reopen();
  std::vector<std::pair<LogIndex, Term>> want = ids(4, 6, 1);
  for (const auto& id : ids(7, 8, 2)) want.push_back(id);
  EXPECT_EQ(ids(loaded), want);

  this->persist(install(snapshot(8, 2, "upto8"), false));
  loaded = this->reopen();
  EXPECT_TRUE(loaded.persisted.entries.empty());
  ASSERT_TRUE(loaded.snapshot.has_value());
  EXPECT_EQ(loaded.snapshot->meta.last_index, 8u);
  this->persist(append(entries(9, 9, 2), 2));
  EXPECT_EQ(ids(this->reopen()), ids(9, 9, 2));
}

TYPED_TEST(StorageContract, ACompactionAndAnAppendInOneBatch) {
  this->persist(append(entries(1, 4, 1), 1));
  host::PersistBatch batch = append(entries(5, 6, 1), 1);
  batch.snapshot = snapshot(2, 1, "upto2");
  this->persist(batch);
  const host::LoadedState loaded = this->reopen();
  EXPECT_EQ(ids(loaded), ids(3, 6, 1));
  ASSERT_TRUE(loaded.snapshot.has_value());
  EXPECT_EQ(loaded.snapshot->meta.last_index, 2u);
}

TYPED_TEST(StorageContract, AReceivedSnapshotReplacesTheWholeLogEvenALongerOne) {
  // The log reaches index 6; the leader's snapshot covers only 4 and conflicts (Raft §7): every
  // stored entry goes, including 5 and 6 after the snapshot.
  this->persist(append(entries(1, 6, 1), 1));
  host::PersistBatch received = install(snapshot(4, 3, "leader"), /*replaces_log=*/true);
  received.hard_state = raft::HardState{3, 2, 4};
  this->persist(received);
  host::LoadedState loaded = this->reopen();
  EXPECT_TRUE(loaded.persisted.entries.empty());
  ASSERT_TRUE(loaded.snapshot.has_value());
  EXPECT_EQ(*loaded.snapshot, snapshot(4, 3, "leader"));
  EXPECT_EQ(loaded.persisted.hard_state, (raft::HardState{3, 2, 4}));

  // The leader's appends continue right after the snapshot.
  this->persist(append(entries(5, 6, 3), 3));
  loaded = this->reopen();
  EXPECT_EQ(ids(loaded), ids(5, 6, 3));
}

TYPED_TEST(StorageContract, ASnapshotBeyondTheLogEmptiesItAndAppendsContinueAfterIt) {
  this->persist(append(entries(1, 2, 1), 1));
  for (const bool replaces_log : {false, true}) {
    const LogIndex at = replaces_log ? 20 : 10;
    host::PersistBatch far = install(snapshot(at, 2, "far"), replaces_log);
    far.hard_state = raft::HardState{2, 2, 0};  // the leader's term: never below the log's
    this->persist(far);
    host::LoadedState loaded = this->reopen();
    EXPECT_TRUE(loaded.persisted.entries.empty()) << "replaces_log " << replaces_log;
    ASSERT_TRUE(loaded.snapshot.has_value());
    EXPECT_EQ(loaded.snapshot->meta.last_index, at);
    this->persist(append(entries(at + 1, at + 2, 2), 2));
    EXPECT_EQ(ids(this->reopen()), ids(at + 1, at + 2, 2));
  }
}

TYPED_TEST(StorageContract, ASyncMakesTheUnsyncedBatchesBeforeItDurable) {
  host::PersistBatch unsynced = append(entries(1, 2, 1), 1);
  unsynced.sync = false;
  this->persist(unsynced);
  unsynced.entries = entries(3, 3, 1);
  this->persist(unsynced);
  host::PersistBatch synced = append(entries(4, 4, 1), 1);
  this->persist(synced);
  EXPECT_EQ(ids(this->reopen()), ids(1, 4, 1));
}

TYPED_TEST(StorageContract, AReopenedStoreKeepsWritingWhereItStopped) {
  // The write path's bounds (first and last stored index) must come back from load(): an
  // overwrite and a compaction after a reopen act on the stored log, not on an empty one.
  this->persist(append(entries(1, 5, 1), 1));
  EXPECT_EQ(ids(this->reopen()), ids(1, 5, 1));
  this->persist(append(entries(4, 4, 2), 2));  // drops 5, written before the reopen
  EXPECT_EQ(this->reopen().persisted.entries.size(), 4u);
  this->persist(install(snapshot(2, 1, "upto2"), false));
  this->reopen();
  this->persist(append(entries(5, 5, 2), 2));
  host::LoadedState loaded = this->reopen();
  std::vector<std::pair<LogIndex, Term>> want = ids(3, 3, 1);
  for (const auto& id : ids(4, 5, 2)) want.push_back(id);
  EXPECT_EQ(ids(loaded), want);
  ASSERT_TRUE(loaded.snapshot.has_value());
  EXPECT_EQ(loaded.snapshot->data, "upto2");
  // Twice in a row: a reopen without writes changes nothing.
  const host::LoadedState again = this->reopen();
  EXPECT_EQ(again.persisted.entries, loaded.persisted.entries);
  EXPECT_EQ(again.persisted.hard_state, loaded.persisted.hard_state);
  EXPECT_EQ(again.snapshot, loaded.snapshot);
}

}  // namespace
}  // namespace quorum
