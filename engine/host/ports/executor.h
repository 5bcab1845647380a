#pragma once

#include <cstdint>

namespace quorum::host {

// Runs the host's straight-line task. Production: a Boost.Asio stackful coroutine. Simulator: a
// boost::context fiber under the deterministic scheduler. All calls into a NodeHost (deliver,
// propose, callbacks) happen on the executor that runs its task, never concurrently.
class Executor {
 public:
  virtual ~Executor() = default;
  // Suspends the calling task until notify() is called or the node's clock reaches
  // deadline_us, whichever comes first. May return early (spurious wake-ups are allowed).
  virtual void wait_until(std::uint64_t deadline_us) = 0;
  // Wakes the task if it is suspended in wait_until(); otherwise the next wait_until() returns
  // at once. Called by transports and clients when they hand the host work.
  virtual void notify() = 0;
};

}  // namespace quorum::host
