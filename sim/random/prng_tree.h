// PrngTree: one root seed -> named, independent sub-streams (TigerBeetle / FoundationDB idea).
//
// A stream is identified by a stable name ("network", "disk/3", "nemesis") hashed with FNV-1a,
// and derived with Prng::fork, which does not consume from the root. Adding a new consumer (a
// new fault kind, a new node) therefore never reshuffles the choices of the existing ones.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/core/base/prng.h"
#include "engine/core/base/types.h"

namespace quorum::sim {

// 64-bit FNV-1a; also used for trace hashes and entry digests.
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = kFnvOffset);
std::uint64_t fnv1a_u64(std::uint64_t value, std::uint64_t h = kFnvOffset);

class PrngTree {
 public:
  explicit PrngTree(std::uint64_t seed) : root_(seed) {}

  std::uint64_t seed() const { return root_.seed(); }
  // The stream named `name`. Same seed and name -> same sequence, always.
  Prng stream(std::string_view name) const;
  // The per-node stream `name` of node `node` ("disk" of node 3).
  Prng node_stream(std::string_view name, NodeId node) const;

 private:
  Prng root_;
};

}  // namespace quorum::sim
