// Reconnect backoff: exponential, bounded, with jitter drawn from a seeded Prng (so tests and
// the simulator can reproduce it). Adapter layer.
#pragma once

#include <cstdint>

#include "engine/core/base/prng.h"

namespace quorum::adapters {

// Delay n (0-based) is uniform in [d/2, d] with d = min(delay_ms_max, delay_ms_min * 2^n):
// "equal jitter", so two nodes that lost each other at the same instant do not re-dial in step,
// and a delay is never below half its nominal value.
// Invariant: 0 < delay_ms_min <= delay_ms_max; every delay is in [delay_ms_min/2, delay_ms_max].
class Backoff {
 public:
  Backoff(std::uint64_t delay_ms_min, std::uint64_t delay_ms_max, Prng prng);

  std::uint64_t next_delay_ms();
  // After a successful connection: the next failure starts again from delay_ms_min.
  void reset() { attempt_ = 0; }
  std::uint32_t attempt() const { return attempt_; }

 private:
  std::uint64_t delay_ms_min_;
  std::uint64_t delay_ms_max_;
  Prng prng_;
  std::uint32_t attempt_ = 0;
};

}  // namespace quorum::adapters
