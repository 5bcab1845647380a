// EventQueue: the simulator's single source of "what happens next".
//
// Events are ordered by (time_us, seq): seq is a counter assigned at push, so two events at the
// same virtual microsecond run in the order they were scheduled, on every machine. Events are
// plain values (a kind tag, a target node and two arguments); the World owns any payload (for
// example the message bytes of a delivery) in its own slabs and refers to it by argument.
//
// Invariant: now_us() never decreases; an event may not be scheduled in the past.
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
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // Time of the earliest event. Requires !empty().
  std::uint64_t next_time_us() const;
  // Removes the earliest event and advances now_us() to its time.
  Event pop();
  std::uint64_t now_us() const { return now_us_; }
  std::uint64_t popped_count() const { return popped_count_; }

 private:
  static bool later(const Event& a, const Event& b) {
    return a.time_us != b.time_us ? a.time_us > b.time_us : a.seq > b.seq;
  }
  std::vector<Event> heap_;  // binary min-heap on (time_us, seq)
  std::uint64_t now_us_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t popped_count_ = 0;
};

}  // namespace quorum::sim
