#include "engine/host/ticker.h"

#include <gtest/gtest.h>

namespace quorum::host {
namespace {

TEST(Ticker, HandsOutOneTickPerInterval) {
  Ticker ticker(10'000);
  ticker.start(1'000'000);
  EXPECT_EQ(ticker.take(1'009'999, 100), 0u);
  EXPECT_EQ(ticker.next_tick_us(), 1'010'000u);
  EXPECT_EQ(ticker.take(1'010'000, 100), 1u);
  EXPECT_EQ(ticker.take(1'015'000, 100), 0u);
  EXPECT_EQ(ticker.take(1'030'000, 100), 2u);
  EXPECT_EQ(ticker.ticks_taken(), 3u);
  EXPECT_EQ(ticker.next_tick_us(), 1'040'000u);
}

TEST(Ticker, CatchesUpAfterAPauseInBoundedSteps) {
  // A 1 s stall at 10 ms per tick owes 100 ticks: none is dropped, at most 16 per take().
  Ticker ticker(10'000);
  ticker.start(0);
  EXPECT_EQ(ticker.take(1'000'000, 16), 16u);
  EXPECT_LE(ticker.next_tick_us(), 1'000'000u);  // still behind: due at once
  EXPECT_TRUE(ticker.behind(1'000'000));
  EXPECT_EQ(ticker.due(1'000'000), 84u);
  Ticks total = 16;
  while (Ticks taken = ticker.take(1'000'000, 16)) total += taken;
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(ticker.next_tick_us(), 1'010'000u);
  EXPECT_FALSE(ticker.behind(1'009'999));
  EXPECT_EQ(ticker.due(1'009'999), 0u);
  EXPECT_EQ(ticker.due(1'020'000), 2u);
}

TEST(Ticker, TheClocksReadingInTicksCountsTicksNotYetTaken) {
  Ticker ticker(10'000);
  ticker.start(0);
  EXPECT_EQ(ticker.take(1'000'000, 16), 16u);
  EXPECT_EQ(ticker.ticks_at(1'000'000), 100u);  // what a lease is judged against
  EXPECT_EQ(ticker.ticks_at(1'009'999), 100u);
  EXPECT_EQ(ticker.ticks_at(500'000), 100u);   // never behind a reading already seen
  EXPECT_EQ(ticker.ticks_taken(), 16u);
}

TEST(Ticker, NeverRunsBackwardsWhenTheClockDoes) {
  Ticker ticker(10'000);
  ticker.start(0);
  EXPECT_EQ(ticker.take(50'000, 100), 5u);
  EXPECT_EQ(ticker.take(20'000, 100), 0u);  // a broken clock stepped back: time stands still
  EXPECT_EQ(ticker.take(59'999, 100), 0u);
  EXPECT_EQ(ticker.take(60'000, 100), 1u);
  EXPECT_EQ(ticker.ticks_taken(), 6u);
}

}  // namespace
}  // namespace quorum::host
