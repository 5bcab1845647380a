#include "sim/ports/sim_storage.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

raft::Entry entry(Term term, LogIndex index, std::string data = "x") {
  raft::Entry e;
  e.term = term;
  e.index = index;
  e.kind = raft::EntryKind::kCommand;
  e.data = std::move(data);
  return e;
}

host::PersistBatch batch(std::vector<raft::Entry> entries, bool sync) {
  host::PersistBatch b;
  b.entries = std::move(entries);
  b.sync = sync;
  return b;
}

TEST(SimStorage, SyncedWritesSurviveACrash) {
  SimStorage disk(1, Prng(1));
  ASSERT_TRUE(disk.persist(batch({entry(1, 1), entry(1, 2)}, true)).is_ok());
  Prng prng(5);
  EXPECT_EQ(disk.crash(prng), 0u);
  auto loaded = disk.load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->persisted.entries.size(), 2u);
}

TEST(SimStorage, ACrashKeepsOnlyAPrefixOfUnsyncedWrites) {
  int lost_total = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    SimStorage disk(1, Prng(1));
    ASSERT_TRUE(disk.persist(batch({entry(1, 1)}, true)).is_ok());
    ASSERT_TRUE(disk.persist(batch({entry(1, 2)}, false)).is_ok());
    ASSERT_TRUE(disk.persist(batch({entry(1, 3)}, false)).is_ok());
    Prng prng(seed);
    const std::size_t lost = disk.crash(prng);
    lost_total += static_cast<int>(lost);
    auto loaded = disk.load();
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->persisted.entries.size(), 3u - lost);
    // A prefix: entries stay consecutive from 1.
    for (std::size_t i = 0; i < loaded->persisted.entries.size(); ++i) {
      EXPECT_EQ(loaded->persisted.entries[i].index, i + 1);
    }
  }
  EXPECT_GT(lost_total, 0);
}

TEST(SimStorage, ASyncMakesEarlierUnsyncedWritesDurable) {
  SimStorage disk(1, Prng(1));
  ASSERT_TRUE(disk.persist(batch({entry(1, 1)}, false)).is_ok());
  host::PersistBatch hs;
  hs.hard_state = raft::HardState{2, 1, 1};
  hs.sync = true;
  ASSERT_TRUE(disk.persist(hs).is_ok());
  Prng prng(1);
  EXPECT_EQ(disk.crash(prng), 0u);
  auto loaded = disk.load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->persisted.entries.size(), 1u);
  EXPECT_EQ(loaded->persisted.hard_state.current_term, 2u);
}

TEST(SimStorage, EntriesReplaceTheSuffixAndSnapshotsCompact) {
  SimStorage disk(1, Prng(1));
  ASSERT_TRUE(disk.persist(batch({entry(1, 1), entry(1, 2), entry(1, 3)}, true)).is_ok());
  ASSERT_TRUE(disk.persist(batch({entry(2, 2)}, true)).is_ok());
  host::PersistBatch snap;
  snap.snapshot = raft::Snapshot{raft::SnapshotMeta{1, 1, {}}, "data"};
  snap.sync = true;
  ASSERT_TRUE(disk.persist(snap).is_ok());
  auto loaded = disk.load();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->persisted.entries.size(), 1u);
  EXPECT_EQ(loaded->persisted.entries[0].term, 2u);
  EXPECT_EQ(loaded->snapshot->data, "data");
}

TEST(SimStorage, AFailedWriteReportsAnErrorAndWritesNothing) {
  SimStorage disk(1, Prng(1));
  disk.fail_next_write();
  EXPECT_FALSE(disk.persist(batch({entry(1, 1)}, true)).is_ok());
  EXPECT_TRUE(disk.persist(batch({entry(1, 1)}, true)).is_ok());
  EXPECT_EQ(disk.load()->persisted.entries.size(), 1u);
}

TEST(SimStorage, DetectsACorruptedRecordOnLoad) {
  SimStorage disk(1, Prng(1));
  ASSERT_TRUE(disk.persist(batch({entry(1, 1)}, true)).is_ok());
  Prng prng(3);
  ASSERT_TRUE(disk.corrupt_one_record(prng));
  auto loaded = disk.load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace quorum::sim
