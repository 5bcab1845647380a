// Invariant 8 checker: an unfit leader is reported once it outlasts the hand-over bound.
#include "sim/checkers/galera_fitness.h"

#include <gtest/gtest.h>

namespace quorum::sim {
namespace {

TEST(GaleraFitness, AnUnfitLeaderBeyondTheBoundIsASafetyViolation) {
  check::Findings findings;
  GaleraFitness checker(findings, 1'000);
  checker.resize(3);
  checker.on_leader(1, true, 0);
  checker.on_backend(1, false, 100);
  checker.check(1'100);
  EXPECT_FALSE(findings.any());
  checker.check(1'101);
  ASSERT_TRUE(findings.any_safety());
  EXPECT_EQ(findings.all()[0].invariant, "galera-fitness");
  EXPECT_EQ(findings.all()[0].node, NodeId{1});
  checker.check(5'000);
  EXPECT_EQ(findings.all().size(), 1u) << "reported once";
}

TEST(GaleraFitness, LeavingWithinTheBoundOrBeingDownOrPausedIsFine) {
  check::Findings findings;
  GaleraFitness checker(findings, 1'000);
  checker.resize(3);
  checker.on_leader(1, true, 0);
  checker.on_backend(1, false, 0);
  checker.on_leader(1, false, 900);  // handed over in time
  checker.on_leader(2, true, 900);
  checker.on_backend(2, false, 1'000);
  checker.on_down(2);  // crashed: it leads nothing
  checker.on_leader(3, true, 0);
  checker.on_backend(3, false, 0);
  checker.on_pause(3);
  checker.check(4'000);          // paused: not judged
  checker.on_resume(3, 5'000);  // the bound restarts
  checker.check(5'900);
  EXPECT_FALSE(findings.any());
  checker.check(6'001);
  EXPECT_TRUE(findings.any_safety());
}

TEST(GaleraFitness, AFitLeaderIsNeverReported) {
  check::Findings findings;
  GaleraFitness checker(findings, 1'000);
  checker.resize(3);
  checker.on_leader(2, true, 0);
  checker.on_backend(2, false, 10);
  checker.on_backend(2, true, 500);
  checker.check(100'000);
  EXPECT_FALSE(findings.any());
}

}  // namespace
}  // namespace quorum::sim
