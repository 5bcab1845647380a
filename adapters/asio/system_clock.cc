#include "adapters/asio/system_clock.h"

#include <chrono>

namespace quorum::adapters {

std::uint64_t SystemClock::now_us() {
  const auto since_epoch = std::chrono::steady_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

}  // namespace quorum::adapters
