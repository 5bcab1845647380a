#include "engine/check/split_brain.h"

#include <gtest/gtest.h>

namespace quorum::check {
namespace {

raft::SoftState leader(Term term, NodeId self) { return {raft::Role::kLeader, self, term}; }
raft::SoftState follower(Term term, NodeId leader_id) {
  return {raft::Role::kFollower, leader_id, term};
}

constexpr std::uint64_t kBoundUs = 2'000'000;

TEST(SplitBrainBound, AnOldLeaderSteppingDownWithinTheBoundIsFine) {
  Findings f;
  SplitBrainBound c(f, kBoundUs);
  c.on_role(0, 1, leader(1, 1));
  c.on_role(5'000'000, 2, leader(2, 2));
  c.on_role(6'000'000, 1, follower(2, 2));  // 1 s of overlap
  EXPECT_FALSE(f.any());
  EXPECT_EQ(c.overlap_us_longest(), 1'000'000u);
}

TEST(SplitBrainBound, AnOldLeaderLingeringPastTheBoundIsReported) {
  Findings f;
  SplitBrainBound c(f, kBoundUs);
  c.on_role(0, 1, leader(1, 1));
  c.on_role(5'000'000, 2, leader(2, 2));
  c.on_role(8'000'000, 1, follower(2, 2));  // 3 s > 2 s
  ASSERT_TRUE(f.any_safety());
  EXPECT_EQ(f.all()[0].invariant, "split-brain-step-down");
  EXPECT_EQ(f.all()[0].node, 1u);
}

TEST(SplitBrainBound, ALeaderStillInOfficeAtTheEndIsJudged) {
  Findings f;
  SplitBrainBound c(f, kBoundUs);
  c.on_role(0, 1, leader(1, 1));
  c.on_role(1'000'000, 2, leader(2, 2));
  c.finish(10'000'000);
  EXPECT_TRUE(f.any_safety());
}

TEST(SplitBrainBound, PausedAndDownTimeDoesNotCount) {
  Findings f;
  SplitBrainBound c(f, kBoundUs);
  c.on_role(0, 1, leader(1, 1));
  c.on_pause(100'000, 1);
  c.on_role(1'000'000, 2, leader(2, 2));
  c.on_resume(5'000'000, 1);                // paused for the first 4 s of the overlap
  c.on_role(6'000'000, 1, follower(2, 2));  // 1 s of running overlap
  EXPECT_FALSE(f.any());
  EXPECT_EQ(c.overlap_us_longest(), 1'000'000u);

  c.on_role(7'000'000, 3, leader(3, 3));    // 3 supersedes 2
  c.on_down(20'000'000, 2);                 // 2 crashed 13 s later: that is 13 s in office
  EXPECT_TRUE(f.any_safety());
}

TEST(SplitBrainBound, ACrashedLeaderIsNotAnOverlap) {
  Findings f;
  SplitBrainBound c(f, kBoundUs);
  c.on_role(0, 1, leader(1, 1));
  c.on_down(100'000, 1);
  c.on_role(5'000'000, 2, leader(2, 2));
  c.finish(60'000'000);
  EXPECT_FALSE(f.any());
}

TEST(SplitBrainBound, ALateObservedOlderLeaderStartsSuperseded) {
  Findings f;
  SplitBrainBound c(f, kBoundUs);
  c.on_role(0, 2, leader(5, 2));
  c.on_role(10, 1, leader(4, 1));  // observed after the newer office
  c.finish(3'000'000);
  ASSERT_TRUE(f.any_safety());
  EXPECT_EQ(f.all()[0].node, 1u);
}

TEST(SplitBrainBound, RepeatedObservationsOfOneOfficeChangeNothing) {
  Findings f;
  SplitBrainBound c(f, kBoundUs);
  c.on_role(0, 1, leader(1, 1));
  c.on_role(1'000'000, 2, leader(2, 2));
  c.on_role(1'500'000, 2, leader(2, 2));
  c.on_role(2'500'000, 1, follower(2, 2));
  EXPECT_FALSE(f.any());
  EXPECT_EQ(c.overlap_us_longest(), 1'500'000u);
}

}  // namespace
}  // namespace quorum::check
