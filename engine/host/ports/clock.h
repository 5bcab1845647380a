#pragma once

#include <cstdint>

namespace quorum::host {

// Monotonic time of this node. Production: steady clock. Simulator: virtual time with drift.
// Invariant: never goes backwards.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_us() = 0;
};

}  // namespace quorum::host
