// The leadership history: bounded, terms strictly increasing, previous leader derived at apply,
// restore refuses what apply could not have built.
#include "engine/core/history/state_machine.h"

#include <gtest/gtest.h>

namespace quorum::history {
namespace {

Record record(Term term, NodeId leader, Reason reason = Reason::kElection) {
  return Record{term, leader, reason, 1'700'000'000'000 + term};
}

TEST(LeaderHistory, RecordsEachNewTermWithThePreviousLeader) {
  StateMachine sm;
  EXPECT_EQ(sm.apply(3, record(1, 1)).code, ApplyResult::Code::kApplied);
  EXPECT_EQ(sm.apply(9, record(4, 2, Reason::kTransfer)).code, ApplyResult::Code::kApplied);
  ASSERT_EQ(sm.changes().size(), 2u);
  EXPECT_EQ(sm.changes()[0].previous_leader, kNoNode);
  EXPECT_EQ(sm.changes()[1].previous_leader, 1u);
  EXPECT_EQ(sm.changes()[1].previous_term, 1u);
  EXPECT_EQ(sm.changes()[1].index, 9u);
  EXPECT_EQ(sm.changes()[1].record.reason, Reason::kTransfer);
  EXPECT_EQ(sm.applied_index(), 9u);
}

TEST(LeaderHistory, ARecordAtOrBelowTheNewestTermIsStaleAndChangesNothing) {
  StateMachine sm;
  ASSERT_EQ(sm.apply(2, record(5, 1)).code, ApplyResult::Code::kApplied);
  const ApplyResult same = sm.apply(3, record(5, 2));
  EXPECT_EQ(same.code, ApplyResult::Code::kStale);
  EXPECT_NE(same.reason.find("term 5"), std::string::npos) << same.reason;
  EXPECT_EQ(sm.apply(4, record(4, 3)).code, ApplyResult::Code::kStale);
  EXPECT_EQ(sm.changes().size(), 1u);
  EXPECT_EQ(sm.applied_index(), 4u);  // consumed all the same
}

TEST(LeaderHistory, NoTermOrNoLeaderIsInvalid) {
  StateMachine sm;
  EXPECT_EQ(sm.apply(1, record(0, 1)).code, ApplyResult::Code::kInvalid);
  EXPECT_EQ(sm.apply(2, record(1, kNoNode)).code, ApplyResult::Code::kInvalid);
  EXPECT_TRUE(sm.changes().empty());
}

TEST(LeaderHistory, KeepsOnlyTheNewestRecords) {
  StateMachine sm;
  for (Term t = 1; t <= kRecordsMax + 10; ++t) {
    ASSERT_EQ(sm.apply(t, record(t, 1 + t % 3)).code, ApplyResult::Code::kApplied);
  }
  ASSERT_EQ(sm.changes().size(), kRecordsMax);
  EXPECT_EQ(sm.changes().front().record.term, 11u);
  EXPECT_EQ(sm.changes().back().record.term, kRecordsMax + 10);
  EXPECT_EQ(validate_changes(sm.changes(), sm.applied_index()), "");
}

TEST(LeaderHistory, RestoreRoundTripsAndRefusesWhatApplyCouldNotBuild) {
  StateMachine sm;
  sm.apply(2, record(1, 1));
  sm.apply(5, record(2, 2));
  StateMachine copy;
  ASSERT_TRUE(copy.restore(7, sm.changes()).is_ok());
  EXPECT_EQ(copy.changes(), sm.changes());
  EXPECT_EQ(copy.applied_index(), 7u);

  std::deque<Change> backwards = sm.changes();
  std::swap(backwards[0], backwards[1]);
  EXPECT_FALSE(copy.restore(9, backwards).is_ok());
  std::deque<Change> beyond = sm.changes();
  EXPECT_FALSE(copy.restore(4, beyond).is_ok());  // index 5 above the snapshot's index
  std::deque<Change> wrong_previous = sm.changes();
  wrong_previous[1].previous_leader = 3;
  EXPECT_FALSE(copy.restore(9, wrong_previous).is_ok());
  std::deque<Change> bad_reason = sm.changes();
  bad_reason[0].record.reason = static_cast<Reason>(7);
  EXPECT_FALSE(copy.restore(9, bad_reason).is_ok());
  EXPECT_EQ(copy.changes(), sm.changes());  // every refusal left the state as it was
  EXPECT_EQ(copy.applied_index(), 7u);
}

}  // namespace
}  // namespace quorum::history
