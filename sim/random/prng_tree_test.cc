#include "sim/random/prng_tree.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

TEST(PrngTree, SameSeedAndNameGiveTheSameStream) {
  PrngTree a(42);
  PrngTree b(42);
  Prng x = a.stream("network");
  Prng y = b.stream("network");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(x.next_u64(), y.next_u64());
}

TEST(PrngTree, StreamsAreIndependentOfEachOtherAndOfOrder) {
  PrngTree tree(7);
  Prng net1 = tree.stream("network");
  const std::uint64_t first = net1.next_u64();
  // Drawing from another stream first must not change the network stream.
  Prng disk = tree.stream("disk");
  disk.next_u64();
  Prng net2 = tree.stream("network");
  EXPECT_EQ(net2.next_u64(), first);
  EXPECT_NE(tree.stream("disk").next_u64(), first);
}

TEST(PrngTree, NodeStreamsDifferPerNode) {
  PrngTree tree(7);
  EXPECT_NE(tree.node_stream("clock", 1).next_u64(), tree.node_stream("clock", 2).next_u64());
  EXPECT_EQ(tree.node_stream("clock", 1).next_u64(), tree.node_stream("clock", 1).next_u64());
}

TEST(PrngTree, DifferentSeedsGiveDifferentStreams) {
  EXPECT_NE(PrngTree(1).stream("nemesis").next_u64(), PrngTree(2).stream("nemesis").next_u64());
}

TEST(Fnv1a, MatchesPublishedVector) {
  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (published test vector).
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a(""), kFnvOffset);
}

}  // namespace
}  // namespace quorum::sim
