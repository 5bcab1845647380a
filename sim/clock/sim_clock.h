// SimClock: one simulated machine's monotonic clock, derived from the world's virtual time.
//
//   local_us(g) = offset_us + g + floor(g * drift_ppm / 1e6)
//
// drift_ppm is drawn per machine within +-clock_drift_ppm_max and stays fixed (a crystal does
// not change); offset_us models an arbitrary boot time. Monotonic because |drift_ppm| < 1e6.
// Pauses (GC-like stalls) do not stop the clock: the process does not run, time goes on, so a
// paused leader wakes up with its lease expired (TigerBeetle models VM migration the same way).
#pragma once

#include <cstdint>

#include "engine/host/ports/clock.h"

namespace quorum::sim {

class WorldTime {
 public:
  virtual ~WorldTime() = default;
  virtual std::uint64_t now_us() const = 0;
};

class SimClock final : public host::Clock {
 public:
  SimClock(const WorldTime& world, std::int64_t drift_ppm, std::uint64_t offset_us);

  std::uint64_t now_us() override { return local_us(world_.now_us()); }
  // Local reading at world time global_us.
  std::uint64_t local_us(std::uint64_t global_us) const;
  // The earliest world time at which the local clock reads >= local_deadline_us.
  std::uint64_t global_us(std::uint64_t local_deadline_us) const;
  std::int64_t drift_ppm() const { return drift_ppm_; }

 private:
  const WorldTime& world_;
  std::int64_t drift_ppm_;
  std::uint64_t offset_us_;
  // global_us() of the last deadline asked for: a node waits for the same tick deadline again
  // after every message it handles in between. A pure function's memo: same results.
  mutable std::uint64_t memo_local_us_ = 0;
  mutable std::uint64_t memo_global_us_ = 0;
  mutable bool memo_valid_ = false;
};

}  // namespace quorum::sim
