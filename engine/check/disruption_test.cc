// The disruption judge reports a term beyond a healthy leader's, and only then.
#include "engine/check/disruption.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace quorum::check {
namespace {

raft::Membership three_voters() {
  raft::Membership m;
  for (NodeId id = 1; id <= 3; ++id) m.members.push_back({id, raft::MemberRole::kVoter, 1});
  return m;
}

struct Fixture {
  Findings findings;
  DisruptionJudge judge{findings};
  raft::Membership membership = three_voters();
  std::set<std::pair<NodeId, NodeId>> cut;
  std::vector<LeaseView> views;

  Fixture() {
    for (NodeId id = 1; id <= 3; ++id) {
      LeaseView v;
      v.node = id;
      v.up = true;
      v.term = 2;
      v.membership = &membership;
      views.push_back(v);
    }
    views[0].leader = true;
    views[0].believes_lease = true;
  }
  void observe() {
    judge.observe(0, views, [this](NodeId a, NodeId b) { return !cut.contains({a, b}); });
  }
};

TEST(DisruptionJudge, ReportsATermBeyondAHealthyLeaders) {
  Fixture f;
  f.cut.insert({1, 3});  // a one-way cut: the leader still reaches node 2 both ways
  f.observe();
  EXPECT_EQ(f.judge.healthy_observations(), 1u);
  f.views[2].term = 3;  // node 3 campaigned in a new term
  f.observe();
  ASSERT_TRUE(f.findings.any());
  EXPECT_EQ(f.findings.all()[0].invariant, "disruption");
  EXPECT_EQ(f.findings.all()[0].node, 3u);
}

TEST(DisruptionJudge, AcceptsANewTermOnceTheLeaderLostItsMajorityOrLease) {
  Fixture cut_off;
  cut_off.cut = {{1, 2}, {1, 3}};  // the leader reaches no one: an election is justified
  cut_off.observe();
  cut_off.views[2].term = 3;
  cut_off.observe();
  EXPECT_FALSE(cut_off.findings.any());

  Fixture no_lease;
  no_lease.views[0].believes_lease = false;
  no_lease.observe();
  no_lease.views[1].term = 3;
  no_lease.observe();
  EXPECT_FALSE(no_lease.findings.any());
  EXPECT_EQ(no_lease.judge.healthy_observations(), 0u);
}

TEST(DisruptionJudge, AcceptsAFollowerCatchingUpToTheLeadersTerm) {
  Fixture f;
  f.views[2].term = 1;  // behind (restarted, or cut off): learns term 2, not a new term
  f.observe();
  f.views[2].term = 2;
  f.observe();
  EXPECT_FALSE(f.findings.any());
}

}  // namespace
}  // namespace quorum::check
