#pragma once

#include <cstdint>
#include <string_view>

namespace quorum::host {

// Health of this controller's database backend (the Galera issue). A controller whose backend is
// not healthy is not fit to lead or to own anything (DESIGN invariant 8).
enum class BackendHealth : std::uint8_t { kUnknown, kHealthy, kUnhealthy };

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendHealth health() = 0;
};

}  // namespace quorum::host
