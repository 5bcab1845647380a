#include "engine/core/raft/inflights.h"

#include <gtest/gtest.h>

namespace quorum::raft {
namespace {

TEST(Inflights, FillsUpToCapacity) {
  Inflights in(3);
  in.add(1);
  in.add(2);
  EXPECT_FALSE(in.full());
  in.add(5);
  EXPECT_TRUE(in.full());
  EXPECT_DEATH(in.add(6), "full");
}

TEST(Inflights, FreeUpToReleasesAcknowledgedAppends) {
  Inflights in(4);
  for (LogIndex i : {2, 4, 6, 8}) in.add(i);
  in.free_up_to(5);
  EXPECT_EQ(in.count(), 2u);
  in.free_up_to(8);
  EXPECT_EQ(in.count(), 0u);
}

TEST(Inflights, WrapsAroundTheRing) {
  Inflights in(2);
  for (LogIndex i = 1; i <= 100; ++i) {
    in.add(i);
    if (in.full()) in.free_up_to(i - 1);
  }
  EXPECT_EQ(in.count(), 1u);
}

TEST(Inflights, FreeFirstUnblocksAFullWindow) {
  Inflights in(1);
  in.add(3);
  in.free_first();
  EXPECT_FALSE(in.full());
}

TEST(Inflights, IndexesMustIncrease) {
  Inflights in(3);
  in.add(5);
  EXPECT_DEATH(in.add(5), "not after");
}

}  // namespace
}  // namespace quorum::raft
