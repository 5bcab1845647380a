#include "sim/clock/event_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace quorum::sim {
namespace {

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue q;
  q.push(30, 1, 0);
  q.push(10, 2, 0);
  q.push(20, 3, 0);
  EXPECT_EQ(q.pop().kind, 2u);
  EXPECT_EQ(q.now_us(), 10u);
  EXPECT_EQ(q.pop().kind, 3u);
  EXPECT_EQ(q.pop().kind, 1u);
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, BreaksTiesBySchedulingOrder) {
  EventQueue q;
  for (std::uint32_t k = 0; k < 50; ++k) q.push(5, k, 0);
  std::vector<std::uint32_t> kinds;
  while (!q.empty()) kinds.push_back(q.pop().kind);
  for (std::uint32_t k = 0; k < 50; ++k) EXPECT_EQ(kinds[k], k);
}

TEST(EventQueue, CountsPoppedEvents) {
  EventQueue q;
  q.push(1, 0, 0);
  q.push(2, 0, 0);
  q.pop();
  EXPECT_EQ(q.popped_count(), 1u);
  EXPECT_EQ(q.next_time_us(), 2u);
}

TEST(EventQueueDeathTest, RefusesEventsInThePast) {
  EventQueue q;
  q.push(100, 0, 0);
  q.pop();
  EXPECT_DEATH(q.push(99, 0, 0), "in the past");
}

}  // namespace
}  // namespace quorum::sim
