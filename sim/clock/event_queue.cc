#include "sim/clock/event_queue.h"

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::uint64_t EventQueue::push(std::uint64_t time_us, std::uint32_t kind, std::uint32_t node,
                               std::uint64_t arg0, std::uint64_t arg1) {
  QUORUM_ASSERT(time_us >= now_us_, "event at {} us scheduled in the past (now {} us)", time_us,
                now_us_);
  const std::uint64_t seq = next_seq_++;
  heap_.push_back(Event{time_us, seq, kind, node, arg0, arg1});
  std::push_heap(heap_.begin(), heap_.end(), later);
  return seq;
}

std::uint64_t EventQueue::next_time_us() const {
  QUORUM_ASSERT(!heap_.empty());
  return heap_.front().time_us;
}

Event EventQueue::pop() {
  QUORUM_ASSERT(!heap_.empty());
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const Event e = heap_.back();
  heap_.pop_back();
  QUORUM_ASSERT(e.time_us >= now_us_, "time went backwards");
  now_us_ = e.time_us;
  ++popped_count_;
  return e;
}

}  // namespace quorum::sim
