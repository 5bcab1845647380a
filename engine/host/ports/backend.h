#pragma once

#include <cstdint>
#include <functional>

namespace quorum::host {

// Health of this controller's database backend (the Galera issue). A controller whose backend is
// not healthy is not fit to lead or to own anything (DESIGN invariant 8). kUnknown (no probe has
// decided yet) counts as not healthy.
enum class BackendHealth : std::uint8_t { kUnknown, kHealthy, kUnhealthy };

// A push input: the backend calls the host when its health changes; the host never asks (a
// probe of a hung database must never block the host's task).
//
// Contract of subscribe(fn): fn is called only on the host's executor thread, never while the
// host's task runs a poll() (production: posted to the io_context, as OffloadedStorage hands
// results back; simulator: from the world's event loop), first with the current health once it
// is known, then at every change. At most one subscriber: a new subscribe() replaces it and
// subscribe(nullptr) removes it (a host does so when it is destroyed).
class Backend {
 public:
  using HealthFn = std::function<void(BackendHealth)>;
  virtual ~Backend() = default;
  virtual void subscribe(HealthFn fn) = 0;
};

}  // namespace quorum::host
