#include "sim/clock/sim_clock.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

struct FakeTime : WorldTime {
  std::uint64_t t = 0;
  std::uint64_t now_us() const override { return t; }
};

TEST(SimClock, RunsFastOrSlowByItsDrift) {
  FakeTime world;
  SimClock fast(world, 200, 0);
  SimClock slow(world, -200, 0);
  world.t = 1'000'000;
  EXPECT_EQ(fast.now_us(), 1'000'200u);
  EXPECT_EQ(slow.now_us(), 999'800u);
}

TEST(SimClock, InvertsLocalDeadlinesToTheFirstWorldTimeReachingThem) {
  FakeTime world;
  for (std::int64_t drift : {-150'000, -200, 0, 7, 200, 150'000}) {
    SimClock c(world, drift, 12'345);
    for (std::uint64_t deadline : {12'346ULL, 50'000ULL, 1'000'000ULL, 987'654'321ULL}) {
      const std::uint64_t g = c.global_us(deadline);
      EXPECT_GE(c.local_us(g), deadline);
      if (g > 0) {
        EXPECT_LT(c.local_us(g - 1), deadline);
      }
    }
  }
}

TEST(SimClock, NeverGoesBackwards) {
  FakeTime world;
  SimClock c(world, -123'456, 99);
  std::uint64_t last = 0;
  for (world.t = 0; world.t < 100'000; world.t += 7) {
    EXPECT_GE(c.now_us(), last);
    last = c.now_us();
  }
}

}  // namespace
}  // namespace quorum::sim
