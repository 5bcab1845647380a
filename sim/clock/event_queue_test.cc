#include "sim/clock/event_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "engine/core/base/prng.h"

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

// Pushes and pops at random against a sorted reference: the pop order must be exactly (time,
// scheduling order). `offset_us` draws each event's delay from now.
template <typename DrawOffset>
void check_against_reference(DrawOffset offset_us) {
  EventQueue q;
  Prng prng(42);
  std::vector<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> reference;  // time, seq, arg
  std::uint64_t pushed = 0;
  std::uint64_t popped = 0;
  for (int step = 0; step < 20000; ++step) {
    if (q.empty() || prng.chance(55, 100)) {
      const std::uint64_t t = q.now_us() + offset_us(prng);
      const std::uint64_t seq = q.push(t, 7, 3, pushed, pushed * 2);
      reference.emplace_back(t, seq, pushed);
      ++pushed;
    } else {
      const auto first = std::min_element(reference.begin(), reference.end());
      ASSERT_EQ(q.next_time_us(), std::get<0>(*first));
      const Event e = q.pop();
      ASSERT_EQ(e.time_us, std::get<0>(*first));
      ASSERT_EQ(e.seq, std::get<1>(*first));
      ASSERT_EQ(e.arg0, std::get<2>(*first));
      ASSERT_EQ(e.arg1, std::get<2>(*first) * 2);
      ASSERT_EQ(e.kind, 7u);
      ASSERT_EQ(e.node, 3u);
      reference.erase(first);
      ++popped;
    }
    ASSERT_EQ(q.size(), reference.size());
  }
  EXPECT_EQ(q.popped_count(), popped);
}

TEST(EventQueue, MatchesASortedReferenceWithManyTies) {
  check_against_reference([](Prng& prng) { return prng.uniform(0, 8); });
}

TEST(EventQueue, MatchesASortedReferenceAcrossTheNearAndFarHeaps) {
  // Multiples of 250 ms from now: ties are frequent, and events due >= 1 s ahead (the far heap)
  // tie with events pushed later into the near heap.
  check_against_reference([](Prng& prng) { return 250'000 * prng.uniform(0, 9); });
}

TEST(EventQueueDeathTest, RefusesEventsInThePast) {
  EventQueue q;
  q.push(100, 0, 0);
  q.pop();
  EXPECT_DEATH(q.push(99, 0, 0), "in the past");
}

}  // namespace
}  // namespace quorum::sim
