#include "sim/clock/event_queue.h"

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::uint64_t EventQueue::push(std::uint64_t time_us, std::uint32_t kind, std::uint32_t node,
                               std::uint64_t arg0, std::uint64_t arg1) {
  QUORUM_ASSERT(time_us >= now_us_, "event at {} us scheduled in the past (now {} us)", time_us,
                now_us_);
  const std::uint64_t seq = next_seq_++;
  QUORUM_ASSERT(seq < kSeqMax, "event sequence numbers exhausted");
  std::uint32_t slot;
  if (free_slots_.empty()) {
    QUORUM_ASSERT(slots_.size() <= kSlotMask, "more than {} pending events", kSlotMask + 1);
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Payload{kind, node, arg0, arg1});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = Payload{kind, node, arg0, arg1};
  }
  Heap& heap = time_us - now_us_ >= kFarUs ? far_ : near_;
  heap.push_back(Key{time_us, (seq << kSlotBits) | slot});
  sift_up(heap, heap.size() - 1);
  return seq;
}

const EventQueue::Heap& EventQueue::earliest() const {
  QUORUM_ASSERT(!empty());
  if (far_.empty()) return near_;
  if (near_.empty()) return far_;
  return before(far_.front(), near_.front()) ? far_ : near_;
}

EventQueue::Heap& EventQueue::earliest() {
  return const_cast<Heap&>(static_cast<const EventQueue*>(this)->earliest());
}

std::uint64_t EventQueue::next_time_us() const {
  return earliest().front().time_us;
}

Event EventQueue::pop() {
  Heap& heap = earliest();
  const Key top = heap.front();
  heap.front() = heap.back();
  heap.pop_back();
  if (!heap.empty()) sift_down(heap, 0);
  QUORUM_ASSERT(top.time_us >= now_us_, "time went backwards");
  now_us_ = top.time_us;
  ++popped_count_;
  const auto slot = static_cast<std::uint32_t>(top.seq_slot & kSlotMask);
  const Payload& p = slots_[slot];
  free_slots_.push_back(slot);
  return Event{top.time_us, top.seq_slot >> kSlotBits, p.kind, p.node, p.arg0, p.arg1};
}

void EventQueue::sift_up(Heap& heap, std::size_t i) {
  const Key moving = heap[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!before(moving, heap[parent])) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = moving;
}

void EventQueue::sift_down(Heap& heap, std::size_t i) {
  const std::size_t n = heap.size();
  const Key moving = heap[i];
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = first + 4 < n ? first + 4 : n;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (before(heap[c], heap[best])) best = c;
    }
    if (!before(heap[best], moving)) break;
    heap[i] = heap[best];
    i = best;
  }
  heap[i] = moving;
}

}  // namespace quorum::sim
