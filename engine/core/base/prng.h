// Prng: the only source of randomness in the core, seeded by the caller. xoshiro256** seeded
// through splitmix64 (public-domain algorithms by Blackman and Vigna, written here from the
// published description). Deterministic across platforms and builds.
#pragma once

#include <cstdint>

namespace quorum {

class Prng {
 public:
  explicit Prng(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform in [lo, hi). Requires lo < hi. Unbiased (rejection sampling).
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi);
  // True with probability numerator/denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  // An independent stream derived from this generator's seed and stream_id, without consuming
  // from this generator: adding a new consumer does not reshuffle the existing ones.
  Prng fork(std::uint64_t stream_id) const;

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::uint64_t s_[4];
};

}  // namespace quorum
