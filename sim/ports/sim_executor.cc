#include "sim/ports/sim_executor.h"

#include "engine/core/base/assert.h"

namespace quorum::sim {

void SimExecutor::suspend(std::uint64_t at_us) {
  QUORUM_ASSERT(fiber_ != nullptr && fiber_->running(), "node {}: wait outside its fiber", node_);
  ++token_;
  wake_scheduled_ = false;
  scheduler_.schedule_wake(node_, at_us, token_);
  fiber_->yield();
}

void SimExecutor::wait_until(std::uint64_t deadline_us) {
  if (notified_) {
    notified_ = false;
    return;
  }
  const std::uint64_t now = scheduler_.now_us();
  std::uint64_t at = clock_.global_us(deadline_us);
  if (at < now) at = now;
  ++wait_count_;
  waiting_ = true;
  suspend(at);
  waiting_ = false;
  notified_ = false;
}

void SimExecutor::notify() {
  if (!waiting_) {
    notified_ = true;
    return;
  }
  if (wake_scheduled_) return;
  wake_scheduled_ = true;
  scheduler_.schedule_wake(node_, scheduler_.now_us(), token_);
}

void SimExecutor::sleep_for(std::uint64_t duration_us) {
  QUORUM_ASSERT(!waiting_);
  suspend(scheduler_.now_us() + duration_us);
}

}  // namespace quorum::sim
