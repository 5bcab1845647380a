// OwnershipChecker on synthetic may_act answers: it must flag an overlap, a repeated or
// decreasing epoch and an unsettled pool, and must not flag a clean hand-over.
#include "sim/checkers/ownership.h"

#include <gtest/gtest.h>

#include <map>

namespace quorum::sim {
namespace {

using ownership::MayAct;

// What each node's may_act answers right now: (node, cluster) -> epoch, absent = no.
struct FakePool {
  std::map<std::pair<NodeId, std::uint64_t>, std::uint64_t> ok;
  int asked = 0;
  OwnershipChecker::AskFn ask() {
    return [this](NodeId n, std::uint64_t c) {
      ++asked;
      MayAct m;
      m.reason = MayAct::Reason::kNoValidLease;
      const auto it = ok.find({n, c});
      if (it != ok.end()) {
        m.reason = MayAct::Reason::kYes;
        m.epoch = it->second;
      }
      return m;
    };
  }
};

TEST(OwnershipChecker, FlagsTwoControllersActingOnOneClusterAtOnce) {
  check::Findings f;
  OwnershipChecker checker(f, 3);
  FakePool pool;
  pool.ok[{1, 7}] = 5;
  checker.on_step(1000, 1, {7}, pool.ask());
  EXPECT_FALSE(f.any());
  // Node 2 was granted cluster 7 while node 1's lease is still good by node 1's clock.
  pool.ok[{2, 7}] = 9;
  checker.on_step(2000, 2, {7}, pool.ask());
  ASSERT_TRUE(f.any_safety());
  EXPECT_EQ(f.all()[0].invariant, "ownership");
  EXPECT_NE(f.all()[0].detail.find("may both act"), std::string::npos) << f.all()[0].detail;
}

TEST(OwnershipChecker, AHandOverAfterTheOldOwnerStoppedIsCleanAndItsGapIsMeasured) {
  check::Findings f;
  OwnershipChecker checker(f, 3);
  FakePool pool;
  pool.ok[{1, 7}] = 5;
  checker.on_step(1000, 1, {7}, pool.ask());
  pool.ok.erase({1, 7});  // node 1's lease ran out (or it released the cluster)
  checker.on_step(1500, 1, {7}, pool.ask());
  pool.ok[{2, 7}] = 9;
  checker.on_step(4000, 2, {7}, pool.ask());
  EXPECT_FALSE(f.any()) << f.all()[0].detail;
  ASSERT_EQ(checker.gaps().size(), 1u);
  EXPECT_EQ(checker.gaps()[0].from_us, 1000u);  // the last step node 1 was seen able to act
  EXPECT_EQ(checker.gaps()[0].to_us, 4000u);
  EXPECT_EQ(checker.gaps()[0].before, 1u);
  EXPECT_EQ(checker.gaps()[0].after, 2u);
  EXPECT_EQ(checker.longest_gap_us(), 3000u);
}

TEST(OwnershipChecker, AskesOnlyControllersThatWereAbleToActAtTheirLastStep) {
  check::Findings f;
  OwnershipChecker checker(f, 5);
  FakePool pool;
  pool.ok[{1, 7}] = 5;
  checker.on_step(1000, 1, {7}, pool.ask());
  pool.asked = 0;
  checker.on_step(1010, 1, {7}, pool.ask());
  EXPECT_EQ(pool.asked, 1);  // itself only: nobody else acted on 7
  // A node acting on it while node 1 is not asked at its steps is still found at node 1's step.
  pool.ok[{3, 7}] = 11;
  checker.on_step(1020, 3, {7}, pool.ask());
  EXPECT_TRUE(f.any_safety());
}

TEST(OwnershipChecker, FlagsTwoControllersUnderTheSameEpoch) {
  // Planted bug (l): a move keeps the epoch. No overlap in time, but the fencing is broken.
  check::Findings f;
  OwnershipChecker checker(f, 3);
  FakePool pool;
  pool.ok[{1, 7}] = 5;
  checker.on_step(1000, 1, {7}, pool.ask());
  pool.ok.erase({1, 7});
  checker.on_step(2000, 1, {}, pool.ask());
  pool.ok[{2, 7}] = 5;
  checker.on_step(3000, 2, {7}, pool.ask());
  ASSERT_TRUE(f.any_safety());
  EXPECT_NE(f.all()[0].detail.find("both acted under epoch 5"), std::string::npos);
}

TEST(OwnershipChecker, FlagsAnEpochThatGoesBackwards) {
  check::Findings f;
  OwnershipChecker checker(f, 3);
  FakePool pool;
  pool.ok[{2, 7}] = 9;
  checker.on_step(1000, 2, {7}, pool.ask());
  checker.on_down(1500, 2);
  pool.ok.clear();
  pool.ok[{1, 7}] = 5;
  checker.on_step(3000, 1, {7}, pool.ask());
  ASSERT_TRUE(f.any_safety());
  EXPECT_NE(f.all()[0].detail.find("epochs only grow"), std::string::npos);
}

TEST(OwnershipChecker, ADownOwnerOpensAGapAndTheSameOwnerMayGoOnUnderItsEpoch) {
  check::Findings f;
  OwnershipChecker checker(f, 3);
  FakePool pool;
  pool.ok[{1, 7}] = 5;
  checker.on_step(1000, 1, {7}, pool.ask());
  checker.on_step(2000, 1, {7}, pool.ask());
  checker.on_down(2500, 1);
  pool.ok[{2, 7}] = 12;
  checker.on_step(6000, 2, {7}, pool.ask());
  EXPECT_FALSE(f.any());
  ASSERT_EQ(checker.gaps().size(), 1u);
  EXPECT_EQ(checker.gaps()[0].to_us - checker.gaps()[0].from_us, 4000u);
}

TEST(OwnershipChecker, SettlingReportsLivenessWhenAClusterStaysWithoutAnActingOwner) {
  check::Findings f;
  OwnershipChecker checker(f, 3);
  FakePool pool;
  pool.ok[{1, 7}] = 5;
  const auto live = [](NodeId n) { return n != 3; };
  checker.begin_settle(10'000, 5'000);
  const std::vector<std::pair<std::uint64_t, NodeId>> owners = {{7, 1}, {8, 3}};
  EXPECT_FALSE(checker.probe(12'000, owners, live, pool.ask()));
  EXPECT_FALSE(f.any());  // not due yet
  EXPECT_FALSE(checker.probe(15'001, owners, live, pool.ask()));
  ASSERT_TRUE(f.any());
  EXPECT_FALSE(f.any_safety());
  EXPECT_NE(f.all()[0].detail.find("cluster 8 (owner 3 is down)"), std::string::npos)
      << f.all()[0].detail;
}

TEST(OwnershipChecker, SettlesOnceEveryClusterHasAnActingLiveOwner) {
  check::Findings f;
  OwnershipChecker checker(f, 3);
  FakePool pool;
  pool.ok[{1, 7}] = 5;
  const auto live = [](NodeId) { return true; };
  checker.begin_settle(10'000, 5'000);
  EXPECT_FALSE(checker.probe(11'000, {{7, 1}, {8, 2}}, live, pool.ask()));
  pool.ok[{2, 8}] = 6;
  EXPECT_TRUE(checker.probe(12'000, {{7, 1}, {8, 2}}, live, pool.ask()));
  EXPECT_EQ(checker.settle_us(), 2'000u);
  checker.finish(100'000);
  EXPECT_FALSE(f.any());
}

}  // namespace
}  // namespace quorum::sim
