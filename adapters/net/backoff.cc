#include "adapters/net/backoff.h"

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::adapters {

Backoff::Backoff(std::uint64_t delay_ms_min, std::uint64_t delay_ms_max, Prng prng)
    : delay_ms_min_(delay_ms_min), delay_ms_max_(delay_ms_max), prng_(prng) {
  QUORUM_ASSERT(delay_ms_min > 0);
  QUORUM_ASSERT(delay_ms_min <= delay_ms_max);
}

std::uint64_t Backoff::next_delay_ms() {
  // Cap the shift so the multiplication cannot overflow; the max bounds it anyway.
  const std::uint32_t shift = std::min<std::uint32_t>(attempt_, 32);
  const std::uint64_t nominal_ms = std::min(delay_ms_max_, delay_ms_min_ << shift);
  if (attempt_ < 64) ++attempt_;
  const std::uint64_t low_ms = nominal_ms / 2;
  const std::uint64_t delay_ms = prng_.uniform(low_ms, nominal_ms + 1);
  QUORUM_ASSERT(delay_ms <= delay_ms_max_);
  return delay_ms;
}

}  // namespace quorum::adapters
