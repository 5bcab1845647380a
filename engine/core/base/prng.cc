#include "engine/core/base/prng.h"

#include "engine/core/base/assert.h"

namespace quorum {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Prng::Prng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t sm = seed;
  for (auto& word : s_) word = splitmix64(sm);
}

std::uint64_t Prng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Prng::uniform(std::uint64_t lo, std::uint64_t hi) {
  QUORUM_ASSERT(lo < hi, "uniform({}, {})", lo, hi);
  const std::uint64_t range = hi - lo;
  // Reject the top partial bucket so every value is equally likely.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
  std::uint64_t x = next_u64();
  while (x >= limit) x = next_u64();
  const std::uint64_t out = lo + x % range;
  QUORUM_ASSERT(out >= lo && out < hi);
  return out;
}

bool Prng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  QUORUM_ASSERT(denominator > 0);
  QUORUM_ASSERT(numerator <= denominator);
  if (numerator == 0) return false;
  return uniform(0, denominator) < numerator;
}

Prng Prng::fork(std::uint64_t stream_id) const {
  std::uint64_t mix = seed_ ^ (stream_id * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  return Prng(splitmix64(mix));
}

}  // namespace quorum
