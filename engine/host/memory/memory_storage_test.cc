#include "engine/host/memory/memory_storage.h"

#include <gtest/gtest.h>

namespace quorum::host {
namespace {

raft::Entry entry(LogIndex index, Term term) {
  raft::Entry e;
  e.index = index;
  e.term = term;
  e.kind = raft::EntryKind::kNoop;
  return e;
}

PersistBatch batch(std::vector<raft::Entry> entries, Term term, bool sync) {
  PersistBatch b;
  b.entries = std::move(entries);
  b.hard_state = raft::HardState{term, kNoNode, 0};
  b.sync = sync;
  return b;
}

TEST(MemoryStorage, CrashKeepsOnlyWhatASyncCovered) {
  MemoryStorage storage;
  ASSERT_TRUE(storage.persist(batch({entry(1, 1), entry(2, 1)}, 1, false)).is_ok());
  ASSERT_TRUE(storage.persist(batch({entry(3, 1)}, 1, true)).is_ok());  // syncs 1..3
  ASSERT_TRUE(storage.persist(batch({entry(4, 2)}, 2, false)).is_ok());
  EXPECT_EQ(storage.current().last_index(), 4u);
  EXPECT_EQ(storage.durable().last_index(), 3u);
  storage.crash();
  Result<LoadedState> loaded = storage.load();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->persisted.entries.size(), 3u);
  EXPECT_EQ(loaded->persisted.entries.back().index, 3u);
  EXPECT_EQ(loaded->persisted.hard_state.current_term, 1u);
}

TEST(MemoryStorage, EntriesReplaceTheSuffixFromTheirFirstIndex) {
  MemoryStorage storage;
  ASSERT_TRUE(storage.persist(batch({entry(1, 1), entry(2, 1), entry(3, 1)}, 1, true)).is_ok());
  ASSERT_TRUE(storage.persist(batch({entry(2, 2)}, 2, true)).is_ok());
  ASSERT_EQ(storage.current().entries.size(), 2u);
  EXPECT_EQ(storage.current().entries[1].term, 2u);
  EXPECT_EQ(storage.durable().entries.size(), 2u);
}

TEST(MemoryStorage, SnapshotDropsTheEntriesItCovers) {
  MemoryStorage storage;
  ASSERT_TRUE(storage.persist(batch({entry(1, 1), entry(2, 1), entry(3, 1)}, 1, true)).is_ok());
  PersistBatch compaction;
  compaction.snapshot = raft::Snapshot{raft::SnapshotMeta{2, 1, {}}, "data"};
  compaction.sync = true;
  ASSERT_TRUE(storage.persist(compaction).is_ok());
  Result<LoadedState> loaded = storage.load();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_TRUE(loaded->snapshot.has_value());
  EXPECT_EQ(loaded->snapshot->data, "data");
  ASSERT_EQ(loaded->persisted.entries.size(), 1u);
  EXPECT_EQ(loaded->persisted.entries[0].index, 3u);
  EXPECT_EQ(loaded->persisted.snapshot->last_index, 2u);
}

TEST(MemoryStorage, InjectedFailureStoresNothing) {
  MemoryStorage storage;
  storage.fail_after(1, Status::io_error("disk gone"));
  ASSERT_TRUE(storage.persist(batch({entry(1, 1)}, 1, true)).is_ok());
  const Status failed = storage.persist(batch({entry(2, 1)}, 1, true));
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_EQ(storage.current().last_index(), 1u);
  storage.clear_failure();
  EXPECT_TRUE(storage.persist(batch({entry(2, 1)}, 1, true)).is_ok());
}

}  // namespace
}  // namespace quorum::host
