// SimExecutor: the host's Executor on a simulator fiber.
//
// wait_until(deadline) converts the node-local deadline to world time (SimClock), asks the
// scheduler for a wake-up event carrying a fresh token, and yields. notify() from outside the
// fiber schedules an immediate wake-up with the current token (at most one pending); from inside
// (or while the task is busy) it makes the next wait_until() return at once. A wake-up whose
// token is stale (the task already woke for another reason) is ignored by the World.
//
// sleep_for() is the non-interruptible wait of a slow port (disk latency): notify() during it
// only marks the next wait_until() as due.
#pragma once

#include <cstdint>

#include "engine/core/base/types.h"
#include "engine/host/ports/executor.h"
#include "sim/clock/sim_clock.h"
#include "sim/fiber/fiber.h"

namespace quorum::sim {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::uint64_t now_us() const = 0;
  virtual void schedule_wake(NodeId node, std::uint64_t at_us, std::uint64_t token) = 0;
};

class SimExecutor final : public host::Executor {
 public:
  SimExecutor(NodeId node, Scheduler& scheduler, SimClock& clock)
      : node_(node), scheduler_(scheduler), clock_(clock) {}

  void set_fiber(Fiber* fiber) { fiber_ = fiber; }
  void wait_until(std::uint64_t deadline_us) override;
  void notify() override;
  // Suspends the task for duration_us of world time, ignoring notify().
  void sleep_for(std::uint64_t duration_us);

  // World side: the token a wake-up must carry to resume the task.
  std::uint64_t token() const { return token_; }
  bool waiting() const { return waiting_; }
  std::uint64_t wait_count() const { return wait_count_; }

 private:
  void suspend(std::uint64_t at_us);

  NodeId node_;
  Scheduler& scheduler_;
  SimClock& clock_;
  Fiber* fiber_ = nullptr;
  std::uint64_t token_ = 0;
  bool waiting_ = false;          // suspended in wait_until (interruptible)
  bool notified_ = false;         // notify() arrived while not waiting
  bool wake_scheduled_ = false;   // an immediate wake-up for token_ is queued
  std::uint64_t wait_count_ = 0;
};

}  // namespace quorum::sim
