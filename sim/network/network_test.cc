#include "sim/network/network.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

TEST(Network, LanDelaysStayWithinTheProfile) {
  Network net(3, Profile::kLan, Prng(1));
  Prng prng(2);
  std::uint64_t d[Network::kCopiesMax];
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(net.plan_send(1, 2, prng, d), 1u);
    EXPECT_GE(d[0], 100u);
    EXPECT_LE(d[0], 1000u);
  }
}

TEST(Network, WanPutsNodesInThreeSitesWithSlowLinksBetween) {
  Network net(3, Profile::kWan, Prng(1));
  EXPECT_EQ(net.site_count(), 3u);
  EXPECT_NE(net.site_of(1), net.site_of(2));
  Prng prng(3);
  std::uint64_t d[Network::kCopiesMax];
  ASSERT_EQ(net.plan_send(1, 2, prng, d), 1u);
  EXPECT_GE(d[0], 20'000u);
  EXPECT_LE(d[0], 150'000u);
}

TEST(Network, IsolateBlocksBothDirectionsAndHealRestores) {
  Network net(5, Profile::kLan, Prng(1));
  net.isolate(3);
  EXPECT_FALSE(net.can_deliver(3, 1));
  EXPECT_FALSE(net.can_deliver(1, 3));
  EXPECT_TRUE(net.can_deliver(1, 2));
  net.heal();
  EXPECT_TRUE(net.is_healed());
  EXPECT_TRUE(net.can_deliver(3, 1));
}

TEST(Network, OneWayLinkDropsOnlyOneDirection) {
  Network net(3, Profile::kLan, Prng(1));
  net.block(1, 2);
  Prng prng(1);
  std::uint64_t d[Network::kCopiesMax];
  EXPECT_EQ(net.plan_send(1, 2, prng, d), 0u);
  EXPECT_EQ(net.plan_send(2, 1, prng, d), 1u);
  EXPECT_EQ(net.describe(), "1>2");
}

TEST(Network, MajorityRingGivesEveryNodeADifferentMajority) {
  Network net(5, Profile::kLan, Prng(1));
  net.majority_ring();
  for (NodeId a = 1; a <= 5; ++a) {
    int seen = 0;
    for (NodeId b = 1; b <= 5; ++b) seen += (a == b || net.can_deliver(a, b)) ? 1 : 0;
    EXPECT_EQ(seen, 3) << "node " << a;
  }
  EXPECT_TRUE(net.can_deliver(1, 5));
  EXPECT_FALSE(net.can_deliver(1, 3));
}

TEST(Network, BridgeNodeTalksToBothHalves) {
  Network net(5, Profile::kLan, Prng(1));
  net.bridge(1);
  for (NodeId b = 2; b <= 5; ++b) EXPECT_TRUE(net.can_deliver(1, b));
  EXPECT_FALSE(net.can_deliver(2, 4));
  EXPECT_TRUE(net.can_deliver(2, 3));
}

TEST(Network, LossAndDuplicationFollowTheirRates) {
  Network net(3, Profile::kLan, Prng(1));
  net.set_faults(LinkFaults{500'000, 500'000, 0, 0});
  Prng prng(9);
  std::uint64_t d[Network::kCopiesMax];
  int lost = 0;
  int duplicated = 0;
  for (int i = 0; i < 10'000; ++i) {
    const std::size_t c = net.plan_send(1, 2, prng, d);
    lost += c == 0 ? 1 : 0;
    duplicated += c == 2 ? 1 : 0;
  }
  EXPECT_NEAR(lost, 5000, 300);
  EXPECT_NEAR(duplicated, 2500, 300);
}

}  // namespace
}  // namespace quorum::sim
