#include "adapters/net/backoff.h"

#include <gtest/gtest.h>

namespace quorum::adapters {
namespace {

TEST(Backoff, DelaysGrowThenStayBelowTheMaximum) {
  Backoff backoff(10, 1000, Prng(1));
  std::uint64_t nominal_ms = 10;
  for (int i = 0; i < 20; ++i) {
    const std::uint64_t delay_ms = backoff.next_delay_ms();
    EXPECT_GE(delay_ms, nominal_ms / 2) << "attempt " << i;
    EXPECT_LE(delay_ms, nominal_ms) << "attempt " << i;
    nominal_ms = std::min<std::uint64_t>(1000, nominal_ms * 2);
  }
}

TEST(Backoff, ResetStartsAgainFromTheMinimum) {
  Backoff backoff(10, 1000, Prng(2));
  for (int i = 0; i < 10; ++i) (void)backoff.next_delay_ms();
  backoff.reset();
  EXPECT_LE(backoff.next_delay_ms(), 10u);
}

TEST(Backoff, TheSameSeedGivesTheSameDelaysAndAnotherSeedJitters) {
  Backoff a(100, 10'000, Prng(7));
  Backoff b(100, 10'000, Prng(7));
  Backoff c(100, 10'000, Prng(8));
  bool differs = false;
  for (int i = 0; i < 8; ++i) {
    const std::uint64_t da = a.next_delay_ms();
    EXPECT_EQ(da, b.next_delay_ms());
    differs = differs || da != c.next_delay_ms();
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace quorum::adapters
