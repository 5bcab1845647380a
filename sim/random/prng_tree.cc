#include "sim/random/prng_tree.h"

namespace quorum::sim {

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h) {
  for (const char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= kFnvPrime;
  }
  return h;
}

std::uint64_t fnv1a_u64(std::uint64_t value, std::uint64_t h) {
  for (int i = 0; i < 8; ++i) {
    h ^= (value >> (8 * i)) & 0xffU;
    h *= kFnvPrime;
  }
  return h;
}

Prng PrngTree::stream(std::string_view name) const { return root_.fork(fnv1a(name)); }

Prng PrngTree::node_stream(std::string_view name, NodeId node) const {
  return root_.fork(fnv1a(name)).fork(node);
}

}  // namespace quorum::sim
