// Inflights. Core: std and fmt only.
#include "engine/core/raft/inflights.h"

#include "engine/core/base/assert.h"

namespace quorum::raft {

Inflights::Inflights(std::uint32_t capacity) : ring_(capacity, 0) {
  QUORUM_ASSERT(capacity > 0);
}

void Inflights::add(LogIndex last_index) {
  QUORUM_ASSERT(!full(), "inflight window of {} is full", capacity());
  if (count_ > 0) {
    const LogIndex newest = ring_[(start_ + count_ - 1) % capacity()];
    QUORUM_ASSERT(last_index > newest, "inflight {} not after {}", last_index, newest);
  }
  ring_[(start_ + count_) % capacity()] = last_index;
  ++count_;
  QUORUM_ASSERT(count_ <= capacity());
}

void Inflights::free_up_to(LogIndex index) {
  while (count_ > 0 && ring_[start_] <= index) {
    start_ = (start_ + 1) % capacity();
    --count_;
  }
  QUORUM_ASSERT(count_ == 0 || ring_[start_] > index);
}

void Inflights::free_first() {
  if (count_ == 0) return;
  start_ = (start_ + 1) % capacity();
  --count_;
}

void Inflights::reset() {
  start_ = 0;
  count_ = 0;
}

}  // namespace quorum::raft
