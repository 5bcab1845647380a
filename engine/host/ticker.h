// Ticker: turns the Clock port's microseconds into core ticks. Host layer: core only.
//
// Tick k (k >= 1) falls due at start_us + k * tick_interval_us. Ticks are never dropped: after a
// pause every due tick is still handed out, at most `max` per take() so the host can handle
// Readys in between. Dropping time would let a paused leader believe in a lease that ran out.
#pragma once

#include <cstdint>

#include "engine/core/base/types.h"

namespace quorum::host {

class Ticker {
 public:
  // Asserts: tick_interval_us > 0.
  explicit Ticker(std::uint64_t tick_interval_us);

  // Tick 0 is `now_us`. Must be called once before take().
  void start(std::uint64_t now_us);
  // Ticks due at now_us and not yet taken, at most `max`; they count as taken. A clock that goes
  // backwards (a broken port) is treated as standing still: ticks never run backwards.
  Ticks take(std::uint64_t now_us, Ticks max);
  // Time at which the next not-yet-taken tick is due (in the past if take() was bounded).
  std::uint64_t next_tick_us() const;
  // True if a tick due at now_us has not been taken yet (the core is behind that reading).
  bool behind(std::uint64_t now_us) const { return next_tick_us() <= now_us; }
  // Ticks due at now_us and not taken yet (0 if now_us is before the next tick). Const.
  Ticks due(std::uint64_t now_us) const;
  Ticks ticks_taken() const { return taken_ticks_; }
  // Ticks elapsed at now_us, taken or not (the clock's reading in ticks: leases are judged
  // against it, never against ticks the core has not been fed yet).
  Ticks ticks_at(std::uint64_t now_us) const;
  std::uint64_t tick_interval_us() const { return tick_interval_us_; }

 private:
  std::uint64_t tick_interval_us_;
  std::uint64_t start_us_ = 0;
  // Invariant: last_now_us_ never decreases.
  std::uint64_t last_now_us_ = 0;
  // Invariant: start_us_ + taken_ticks_ * tick_interval_us_ <= last_now_us_.
  Ticks taken_ticks_ = 0;
  bool started_ = false;
};

}  // namespace quorum::host
