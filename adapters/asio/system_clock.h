// SystemClock: the production Clock port, std::chrono::steady_clock in microseconds.
// Adapter layer: may include engine/ and the standard library.
#pragma once

#include <cstdint>

#include "engine/host/ports/clock.h"

namespace quorum::adapters {

// Thread safety: now_us() may be called from any thread.
// Invariant: never goes backwards (steady_clock is monotonic).
class SystemClock final : public host::Clock {
 public:
  std::uint64_t now_us() override;
};

}  // namespace quorum::adapters
