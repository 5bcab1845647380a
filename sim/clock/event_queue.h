// EventQueue: the simulator's single source of "what happens next".
//
// Events are ordered by (time_us, seq): seq is a counter assigned at push, so two events at the
// same virtual microsecond run in the order they were scheduled, on every machine. Events are
// plain values (a kind tag, a target node and two arguments); the World owns any payload (for
// example the message bytes of a delivery) in its own slabs and refers to it by argument.
//
// Invariant: now_us() never decreases; an event may not be scheduled in the past.
//
// Layout (speed: every simulated message, tick and client step is one push and one pop): 4-ary
// min-heaps of 16-byte keys {time_us, seq << kSlotBits | slot}, the rest of each event in a slab
// slot. Since seq is unique, comparing the second word compares seq; the slot bits never decide.
// Four children share one cache line, and a sift moves 16 bytes instead of a whole event. Two
// heaps: events due within kFarUs of their push (ticks, deliveries, disk) and later ones (client
// timeouts, fault ends), so the hot heap stays small; pop takes the smaller of the two tops, so
// the order is exactly (time_us, seq) whichever heap an event sits in.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/base/types.h"

namespace quorum::sim {

struct Event {
  std::uint64_t time_us = 0;
  std::uint64_t seq = 0;
  std::uint32_t kind = 0;  // the World's EventKind
  std::uint32_t node = 0;  // target node, 0 for world-level events
  std::uint64_t arg0 = 0;
  std::uint64_t arg1 = 0;
};

class EventQueue {
 public:
  // Schedules an event; returns its sequence number. Asserts time_us >= now_us().
  std::uint64_t push(std::uint64_t time_us, std::uint32_t kind, std::uint32_t node,
                     std::uint64_t arg0 = 0, std::uint64_t arg1 = 0);
  bool empty() const { return near_.empty() && far_.empty(); }
  std::size_t size() const { return near_.size() + far_.size(); }
  // Time of the earliest event. Requires !empty().
  std::uint64_t next_time_us() const;
  // Removes the earliest event and advances now_us() to its time.
  Event pop();
  std::uint64_t now_us() const { return now_us_; }
  std::uint64_t popped_count() const { return popped_count_; }

 private:
  // Pending events at once: 2^24 (asserted); sequence numbers: 2^40 per run (asserted).
  static constexpr unsigned kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kSeqMax = std::uint64_t{1} << (64 - kSlotBits);
  // Events due at least this far after their push go to the far heap.
  static constexpr std::uint64_t kFarUs = 1'000'000;

  struct Key {
    std::uint64_t time_us;
    std::uint64_t seq_slot;  // seq << kSlotBits | slot
  };
  struct Payload {
    std::uint32_t kind;
    std::uint32_t node;
    std::uint64_t arg0;
    std::uint64_t arg1;
  };
  static bool before(const Key& a, const Key& b) {
    return a.time_us != b.time_us ? a.time_us < b.time_us : a.seq_slot < b.seq_slot;
  }
  using Heap = std::vector<Key>;  // 4-ary min-heap on (time_us, seq): children of i: 4i+1..4i+4
  static void sift_up(Heap& heap, std::size_t i);
  static void sift_down(Heap& heap, std::size_t i);
  // The heap holding the earliest event. Requires !empty().
  Heap& earliest();
  const Heap& earliest() const;

  Heap near_;
  Heap far_;
  std::vector<Payload> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t now_us_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t popped_count_ = 0;
};

}  // namespace quorum::sim
