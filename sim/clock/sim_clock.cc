#include "sim/clock/sim_clock.h"

#include "engine/core/base/assert.h"

namespace quorum::sim {

namespace {
constexpr std::int64_t kMillion = 1'000'000;

// |a| stays below 2^63 for any run shorter than ~100 simulated days at |drift| < 5e5 ppm.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return static_cast<std::int64_t>(q);
}
}  // namespace

SimClock::SimClock(const WorldTime& world, std::int64_t drift_ppm, std::uint64_t offset_us)
    : world_(world), drift_ppm_(drift_ppm), offset_us_(offset_us) {
  QUORUM_ASSERT(drift_ppm > -kMillion / 2 && drift_ppm < kMillion / 2, "drift {} ppm", drift_ppm);
}

std::uint64_t SimClock::local_us(std::uint64_t global_us) const {
  if (drift_ppm_ == 0) return offset_us_ + global_us;
  const std::int64_t g = static_cast<std::int64_t>(global_us);
  const std::int64_t skew = floor_div(g * drift_ppm_, kMillion);
  return offset_us_ + global_us + static_cast<std::uint64_t>(skew);
}

std::uint64_t SimClock::global_us(std::uint64_t local_deadline_us) const {
  if (local_deadline_us <= offset_us_) return 0;
  if (drift_ppm_ == 0) return local_deadline_us - offset_us_;
  if (memo_valid_ && memo_local_us_ == local_deadline_us) return memo_global_us_;
  const std::int64_t elapsed = static_cast<std::int64_t>(local_deadline_us - offset_us_);
  std::int64_t g = floor_div(elapsed * kMillion, kMillion + drift_ppm_);
  if (g < 0) g = 0;
  // Integer rounding: step to the first world time whose local reading reaches the deadline.
  while (g > 0 && local_us(static_cast<std::uint64_t>(g - 1)) >= local_deadline_us) --g;
  while (local_us(static_cast<std::uint64_t>(g)) < local_deadline_us) ++g;
  QUORUM_ASSERT(local_us(static_cast<std::uint64_t>(g)) >= local_deadline_us);
  memo_local_us_ = local_deadline_us;
  memo_global_us_ = static_cast<std::uint64_t>(g);
  memo_valid_ = true;
  return static_cast<std::uint64_t>(g);
}

}  // namespace quorum::sim
