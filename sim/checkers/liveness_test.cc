#include <gtest/gtest.h>

#include "sim/checkers/liveness.h"

namespace quorum::sim {
namespace {

TEST(Liveness, ReportsNoConvergenceWithinTheBound) {
  check::Findings f;
  Liveness l(f);
  l.begin(1000, 500);
  std::map<std::string, config_sync::FileEntry> a;
  std::map<std::string, config_sync::FileEntry> b;
  b["x"] = config_sync::FileEntry{"c", 1, 0};
  std::vector<NodeView> views = {NodeView{1, true, raft::Role::kLeader, 2, 2, 1, &b},
                                 NodeView{2, true, raft::Role::kFollower, 2, 2, 0, &a}};
  l.observe(1200, views);
  EXPECT_FALSE(l.satisfied());
  l.finish(2000);
  ASSERT_TRUE(f.any());
  EXPECT_EQ(f.all()[0].violation_class, check::ViolationClass::kLiveness);
}

TEST(Liveness, IsSatisfiedByOneLeaderOfItsTermAndEqualFiles) {
  check::Findings f;
  Liveness l(f);
  l.begin(1000, 500);
  std::map<std::string, config_sync::FileEntry> a;
  std::vector<NodeView> views = {NodeView{1, true, raft::Role::kLeader, 2, 2, 1, &a},
                                 NodeView{2, true, raft::Role::kFollower, 2, 2, 1, &a}};
  l.observe(1100, views);
  l.finish(2000);
  EXPECT_TRUE(l.satisfied());
  EXPECT_FALSE(f.any());
}

}  // namespace
}  // namespace quorum::sim
