// Invariant 8 checker (corrected form): an unfit leader is reported once it outlasts the hand-over
// bound while a fit voter is at hand; with none at hand it is degraded mode, not a violation.
#include "sim/checkers/galera_fitness.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

// Every peer is an up voter linked with the leader.
bool everyone_linked(NodeId, NodeId) { return true; }

TEST(GaleraFitness, AnUnfitLeaderBeyondTheBoundIsASafetyViolation) {
  check::Findings findings;
  GaleraFitness checker(findings, 1'000);
  checker.resize(3);
  checker.on_leader(1, true, 0);
  checker.on_backend(1, false, 100);
  checker.check(100, everyone_linked);  // the World checks after every event
  checker.check(1'100, everyone_linked);
  EXPECT_FALSE(findings.any());
  checker.check(1'101, everyone_linked);
  ASSERT_TRUE(findings.any_safety());
  EXPECT_EQ(findings.all()[0].invariant, "galera-fitness");
  EXPECT_EQ(findings.all()[0].node, NodeId{1});
  checker.check(5'000, everyone_linked);
  EXPECT_EQ(findings.all().size(), 1u) << "reported once";
}

TEST(GaleraFitness, LeavingWithinTheBoundOrBeingDownOrPausedIsFine) {
  check::Findings findings;
  GaleraFitness checker(findings, 1'000);
  checker.resize(3);
  checker.on_leader(1, true, 0);
  checker.on_backend(1, false, 0);
  checker.on_leader(1, false, 900);  // handed over in time
  checker.on_backend(1, true, 900);  // and fit again: the fit voter at hand for node 3 below
  checker.on_leader(2, true, 900);
  checker.on_backend(2, false, 1'000);
  checker.on_down(2);  // crashed: it leads nothing
  checker.on_leader(3, true, 0);
  checker.on_backend(3, false, 0);
  checker.on_pause(3);
  checker.check(4'000, everyone_linked);          // paused: not judged
  checker.on_resume(3, 5'000);  // the bound restarts
  checker.check(5'000, everyone_linked);
  checker.check(5'900, everyone_linked);
  EXPECT_FALSE(findings.any());
  checker.check(6'001, everyone_linked);
  EXPECT_TRUE(findings.any_safety());
}

TEST(GaleraFitness, AFitLeaderIsNeverReported) {
  check::Findings findings;
  GaleraFitness checker(findings, 1'000);
  checker.resize(3);
  checker.on_leader(2, true, 0);
  checker.on_backend(2, false, 10);
  checker.on_backend(2, true, 500);
  checker.check(100'000, everyone_linked);
  EXPECT_FALSE(findings.any());
}

TEST(GaleraFitness, AnUnfitLeaderWithNoFitVoterAtHandIsDegradedModeUntilOneAppears) {
  check::Findings findings;
  GaleraFitness checker(findings, 1'000);
  checker.resize(3);
  checker.on_leader(1, true, 0);
  for (NodeId id = 1; id <= 3; ++id) checker.on_backend(id, false, 0);  // Galera down everywhere
  checker.check(50'000, everyone_linked);
  EXPECT_FALSE(findings.any()) << "degraded mode is not a violation";
  // Node 3 is fit again but cut off from the leader: still nothing at hand.
  checker.on_backend(3, true, 60'000);
  const auto cut_from_3 = [](NodeId, NodeId peer) { return peer != 3; };
  checker.check(70'000, cut_from_3);
  EXPECT_FALSE(findings.any());
  // Linked again: the window starts now, not when the leader turned unfit.
  checker.check(80'000, everyone_linked);
  checker.check(81'000, everyone_linked);
  EXPECT_FALSE(findings.any());
  checker.check(81'001, everyone_linked);
  ASSERT_TRUE(findings.any_safety());
  EXPECT_NE(findings.all()[0].detail.find("fit voter 3"), std::string::npos) << findings.all()[0].detail;
}

}  // namespace
}  // namespace quorum::sim
