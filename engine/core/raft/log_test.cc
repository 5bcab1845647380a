#include "engine/core/raft/log.h"

#include <gtest/gtest.h>

namespace quorum::raft {
namespace {

Entry e(Term term, LogIndex index, std::string data = "") {
  return Entry{term, index, EntryKind::kCommand, std::move(data), {}};
}

RaftLog log_with(std::vector<Term> terms, LogIndex commit = 0) {
  RaftLog log;
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < terms.size(); ++i) entries.push_back(e(terms[i], i + 1));
  log.restore_persisted(0, 0, entries, commit);
  return log;
}

TEST(RaftLog, TermAtKnowsZeroSnapshotAndEntries) {
  RaftLog log = log_with({1, 1, 2});
  EXPECT_EQ(log.term_at(0), Term{0});
  EXPECT_EQ(log.term_at(3), Term{2});
  EXPECT_FALSE(log.term_at(4).has_value());
  EXPECT_EQ(log.last_id(), (EntryId{2, 3}));
}

TEST(RaftLog, UpToDateComparesLastTermThenLength) {
  RaftLog log = log_with({1, 2, 2});
  EXPECT_TRUE(log.is_up_to_date(1, 3));   // higher last term wins even if shorter
  EXPECT_FALSE(log.is_up_to_date(9, 1));  // lower last term loses even if longer
  EXPECT_TRUE(log.is_up_to_date(3, 2));
  EXPECT_FALSE(log.is_up_to_date(2, 2));
}

TEST(RaftLog, AppendAfterMatchSkipsExistingEntries) {
  RaftLog log = log_with({1, 1, 1});
  EXPECT_EQ(log.append_after_match({e(1, 2), e(1, 3), e(1, 4)}), LogIndex{0});
  EXPECT_EQ(log.last_index(), LogIndex{4});
  EXPECT_EQ(log.unstable_index(), LogIndex{4});
}

TEST(RaftLog, TruncatesConflictingSuffix) {
  RaftLog log = log_with({1, 1, 1, 1}, 1);
  EXPECT_EQ(log.append_after_match({e(1, 2), e(2, 3)}), LogIndex{3});
  EXPECT_EQ(log.last_index(), LogIndex{3});
  EXPECT_EQ(log.term_at(3), Term{2});
  EXPECT_EQ(log.persisted_index(), LogIndex{2});
  EXPECT_EQ(log.unstable_index(), LogIndex{3});
}

TEST(RaftLog, TruncatingACommittedEntryAsserts) {
  RaftLog log = log_with({1, 1, 1}, 3);
  EXPECT_DEATH(log.append_after_match({e(2, 2)}), "committed");
}

TEST(RaftLog, FindConflictByTermSkipsWholeTerms) {
  RaftLog log = log_with({1, 1, 3, 3, 3, 5});
  EXPECT_EQ(log.find_conflict_by_term(6, 4), LogIndex{5});
  EXPECT_EQ(log.find_conflict_by_term(6, 2), LogIndex{2});
  EXPECT_EQ(log.find_conflict_by_term(9, 5), LogIndex{6});
  EXPECT_EQ(log.find_conflict_by_term(6, 0), LogIndex{0});
}

TEST(RaftLog, FindConflictByTermBelowSnapshotAsksForSnapshot) {
  RaftLog log;
  log.restore_persisted(10, 4, {e(5, 11), e(5, 12)}, 10);
  EXPECT_EQ(log.find_conflict_by_term(12, 4), LogIndex{10});
  EXPECT_LT(log.find_conflict_by_term(12, 3), LogIndex{10});
  EXPECT_EQ(log.find_conflict_by_term(7, 9), LogIndex{7});
}

TEST(RaftLog, SliceStopsAtBytesMaxButReturnsOneEntry) {
  RaftLog log;
  log.restore_persisted(0, 0, {e(1, 1, "aaaa"), e(1, 2, "bbbb"), e(1, 3, "cccc")}, 0);
  EXPECT_EQ(log.slice(1, 3, 8).size(), 2u);
  EXPECT_EQ(log.slice(1, 3, 1).size(), 1u);
  EXPECT_EQ(log.slice(1, 3, 100).size(), 3u);
}

TEST(RaftLog, UnstableAndCommittedAreHandedOutOnce) {
  RaftLog log = log_with({1});
  log.append(e(1, 2));
  log.append(e(1, 3));
  EXPECT_EQ(log.take_unstable().size(), 2u);
  EXPECT_TRUE(log.take_unstable().empty());
  log.commit_to(3);
  EXPECT_EQ(log.take_committed().size(), 3u);
  EXPECT_TRUE(log.take_committed().empty());
  log.on_persisted({1, 3});
  log.on_applied(3);
  EXPECT_EQ(log.persisted_index(), LogIndex{3});
  EXPECT_EQ(log.applied_index(), LogIndex{3});
}

TEST(RaftLog, PersistedIgnoresReplacedEntries) {
  RaftLog log = log_with({1});
  log.append(e(1, 2));
  log.take_unstable();
  log.append_after_match({e(2, 2)});  // replaced before the host acknowledged
  log.on_persisted({1, 2});
  EXPECT_EQ(log.persisted_index(), LogIndex{1});
}

TEST(RaftLog, CommitNeverDecreases) {
  RaftLog log = log_with({1, 1, 1});
  log.commit_to(3);
  log.commit_to(2);
  EXPECT_EQ(log.commit_index(), LogIndex{3});
}

TEST(RaftLog, CompactDropsPrefixAndKeepsBoundaryTerm) {
  RaftLog log = log_with({1, 2, 3}, 3);
  log.take_committed();
  log.on_applied(3);
  log.compact(2);
  EXPECT_EQ(log.first_index(), LogIndex{3});
  EXPECT_EQ(log.term_at(2), Term{2});
  EXPECT_FALSE(log.term_at(1).has_value());
  EXPECT_TRUE(log.check().empty());
}

TEST(RaftLog, CompactBeyondAppliedAsserts) {
  RaftLog log = log_with({1, 2, 3}, 3);
  EXPECT_DEATH(log.compact(2), "applied");
}

TEST(RaftLog, RestoreSnapshotReplacesEverything) {
  RaftLog log = log_with({1, 1}, 1);
  log.restore_snapshot({9, 4, {}});
  EXPECT_EQ(log.last_index(), LogIndex{9});
  EXPECT_EQ(log.commit_index(), LogIndex{9});
  EXPECT_EQ(log.last_term(), Term{4});
  EXPECT_FALSE(log.has_unstable());
}

}  // namespace
}  // namespace quorum::raft
