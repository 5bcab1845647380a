// Clock time -> ticks. Host layer: core only.
#include "engine/host/ticker.h"

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::host {

Ticker::Ticker(std::uint64_t tick_interval_us) : tick_interval_us_(tick_interval_us) {
  QUORUM_ASSERT(tick_interval_us_ > 0);
}

void Ticker::start(std::uint64_t now_us) {
  QUORUM_ASSERT(!started_, "Ticker::start called twice");
  start_us_ = now_us;
  last_now_us_ = now_us;
  taken_ticks_ = 0;
  started_ = true;
}

Ticks Ticker::take(std::uint64_t now_us, Ticks max) {
  QUORUM_ASSERT(started_);
  last_now_us_ = std::max(last_now_us_, now_us);
  const Ticks elapsed_ticks = (last_now_us_ - start_us_) / tick_interval_us_;
  QUORUM_ASSERT(elapsed_ticks >= taken_ticks_, "ticks ran backwards");
  const Ticks due_ticks = elapsed_ticks - taken_ticks_;
  const Ticks taken = std::min(due_ticks, max);
  taken_ticks_ += taken;
  QUORUM_ASSERT(start_us_ + taken_ticks_ * tick_interval_us_ <= last_now_us_);
  return taken;
}

Ticks Ticker::ticks_at(std::uint64_t now_us) const {
  QUORUM_ASSERT(started_);
  const Ticks elapsed_ticks = (std::max(last_now_us_, now_us) - start_us_) / tick_interval_us_;
  QUORUM_ASSERT(elapsed_ticks >= taken_ticks_);
  return elapsed_ticks;
}

Ticks Ticker::due(std::uint64_t now_us) const {
  return ticks_at(now_us) - taken_ticks_;
}

std::uint64_t Ticker::next_tick_us() const {
  QUORUM_ASSERT(started_);
  return start_us_ + (taken_ticks_ + 1) * tick_interval_us_;
}

}  // namespace quorum::host
