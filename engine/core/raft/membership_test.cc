#include "engine/core/raft/membership.h"

#include <gtest/gtest.h>

#include "engine/core/raft/config.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/ready.h"

namespace quorum::raft {
namespace {

using Kind = MembershipChange::Kind;

Membership three() {
  return Membership{
      {{1, MemberRole::kVoter, 1}, {2, MemberRole::kVoter, 1}, {3, MemberRole::kLearner, 1}}};
}

TEST(Membership, FindsVotersAndLearners) {
  Membership m = three();
  EXPECT_TRUE(m.is_voter(1));
  EXPECT_TRUE(m.is_learner(3));
  EXPECT_FALSE(m.is_voter(3));
  EXPECT_EQ(m.find(9), nullptr);
  EXPECT_EQ(m.voters(), (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(m.learners(), (std::vector<NodeId>{3}));
  EXPECT_EQ(m.voter_count(), 2u);
}

TEST(Membership, ValidateRejectsUnsortedDuplicatesZeroAndNoVoter) {
  EXPECT_TRUE(three().validate().empty());
  const Membership unsorted{{{2, MemberRole::kVoter, 1}, {1, MemberRole::kVoter, 1}}};
  EXPECT_FALSE(unsorted.validate().empty());
  const Membership duplicate{{{1, MemberRole::kVoter, 1}, {1, MemberRole::kVoter, 1}}};
  EXPECT_FALSE(duplicate.validate().empty());
  EXPECT_FALSE((Membership{{{0, MemberRole::kVoter, 1}}}.validate().empty()));
  EXPECT_FALSE((Membership{{{1, MemberRole::kLearner, 1}}}.validate().empty()));
}

TEST(Membership, ApplyChangeAddsKeepsOrder) {
  std::string why;
  auto m = apply_change(three(), {Kind::kAddVoter, 0 + 5, 2}, &why);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->is_voter(5));
  EXPECT_EQ(m->find(5)->priority, 2u);
  m = apply_change(*m, {Kind::kAddLearner, 4, 1}, &why);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->validate().empty());
}

TEST(Membership, ApplyChangeRefusesWithReason) {
  std::string why;
  EXPECT_FALSE(apply_change(three(), {Kind::kAddVoter, 1, 1}, &why).has_value());
  EXPECT_NE(why.find("already"), std::string::npos);
  EXPECT_FALSE(apply_change(three(), {Kind::kRemove, 9, 1}, &why).has_value());
  EXPECT_FALSE(apply_change(three(), {Kind::kPromoteLearner, 1, 1}, &why).has_value());
  Membership one{{{1, MemberRole::kVoter, 1}}};
  EXPECT_FALSE(apply_change(one, {Kind::kRemove, 1, 1}, &why).has_value());
  EXPECT_NE(why.find("last voter"), std::string::npos);
}

TEST(Membership, PromoteAndSetPriority) {
  std::string why;
  auto m = apply_change(three(), {Kind::kPromoteLearner, 3, 1}, &why);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->is_voter(3));
  m = apply_change(*m, {Kind::kSetPriority, 3, 0}, &why);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->find(3)->priority, 0u);
}

TEST(RaftConfig, ValidateNamesTheProblem) {
  RaftConfig c;
  c.id = 1;
  EXPECT_TRUE(c.validate().empty());
  c.heartbeat_interval_ticks = 10;
  EXPECT_NE(c.validate().find("heartbeat_interval_ticks"), std::string::npos);
  c = RaftConfig{};
  EXPECT_FALSE(c.validate().empty());  // id 0
}

TEST(EntrySlice, ValidateChecksOrderAndKinds) {
  std::vector<Entry> ok{{1, 1, EntryKind::kNoop, {}, {}}, {1, 2, EntryKind::kCommand, "x", {}}};
  EXPECT_TRUE(validate_slice(ok).empty());
  std::vector<Entry> gap{{1, 1, EntryKind::kNoop, {}, {}}, {1, 3, EntryKind::kNoop, {}, {}}};
  EXPECT_FALSE(validate_slice(gap).empty());
  std::vector<Entry> back{{2, 1, EntryKind::kNoop, {}, {}}, {1, 2, EntryKind::kNoop, {}, {}}};
  EXPECT_FALSE(validate_slice(back).empty());
  std::vector<Entry> noop_data{{1, 1, EntryKind::kNoop, "x", {}}};
  EXPECT_FALSE(validate_slice(noop_data).empty());
}

TEST(ReadyCheck, FlagsEntriesWithoutSync) {
  Ready r;
  EXPECT_TRUE(r.empty());
  r.entries.push_back({1, 1, EntryKind::kNoop, {}, {}});
  EXPECT_FALSE(r.check().empty());
  r.must_sync = true;
  EXPECT_TRUE(r.check().empty());
  r.messages.push_back(Message{1, 1, 1, TimeoutNow{}});
  EXPECT_FALSE(r.check().empty());
}

}  // namespace
}  // namespace quorum::raft
