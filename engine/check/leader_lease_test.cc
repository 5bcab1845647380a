#include "engine/check/leader_lease.h"

#include <gtest/gtest.h>

namespace quorum::check {
namespace {

const raft::Membership& three_voters() {
  static const raft::Membership m{{{1, raft::MemberRole::kVoter, 1},
                                   {2, raft::MemberRole::kVoter, 1},
                                   {3, raft::MemberRole::kVoter, 1}}};
  return m;
}

LeaseView leader(NodeId node, Term term, bool lease) {
  LeaseView v;
  v.node = node;
  v.up = true;
  v.term = term;
  v.leader = true;
  v.believes_lease = lease;
  v.lease_remaining_ticks = lease ? 5 : 0;
  v.refuses_votes = true;
  v.membership = &three_voters();
  return v;
}
LeaseView follower(NodeId node, Term term, bool refuses) {
  LeaseView v;
  v.node = node;
  v.up = true;
  v.term = term;
  v.refuses_votes = refuses;
  v.membership = &three_voters();
  return v;
}
LeaseView down(NodeId node) {
  LeaseView v;
  v.node = node;
  return v;
}

TEST(LeaderLease, AnOldLeaderWhoseLeaseRanOutMayLingerInOffice) {
  Findings f;
  LeaderLease c(f);
  c.observe(1, {leader(1, 3, /*lease=*/false), leader(2, 4, true), follower(3, 4, true)});
  EXPECT_FALSE(f.any());
  EXPECT_EQ(c.beliefs_judged(), 1u);
}

TEST(LeaderLease, AnOldLeaderBelievingInItsLeaseWhileANewerOneLeadsIsReported) {
  Findings f;
  LeaderLease c(f);
  c.observe(7, {leader(1, 3, /*lease=*/true), leader(2, 4, false), follower(3, 4, true)});
  ASSERT_TRUE(f.any_safety());
  EXPECT_EQ(f.all()[0].invariant, "leader-lease");
  EXPECT_EQ(f.all()[0].node, 1u);
  EXPECT_EQ(f.all()[0].time_us, 7u);
}

TEST(LeaderLease, ALeaseIsFineWhileAMajorityRefusesVotes) {
  Findings f;
  LeaderLease c(f);
  // Node 3 would vote (term 5, no leader heard), but 1 and 2 refuse: no majority can elect.
  c.observe(1, {leader(1, 3, true), follower(2, 3, true), follower(3, 5, false)});
  // A down voter cannot vote either.
  c.observe(2, {leader(1, 3, true), down(2), follower(3, 3, false)});
  EXPECT_FALSE(f.any());
  EXPECT_EQ(c.refusals_judged(), 2u);
}

TEST(LeaderLease, ALeaseOutlivingTheVotersRefusalIsReported) {
  // The lease counted from too late a start: both followers stopped refusing votes, so a new
  // leader could be elected while node 1 still believes in its lease.
  Findings f;
  LeaderLease c(f);
  c.observe(9, {leader(1, 3, true), follower(2, 3, false), follower(3, 3, false)});
  ASSERT_TRUE(f.any_safety());
  EXPECT_EQ(f.all()[0].invariant, "leader-lease");
  EXPECT_NE(f.all()[0].detail.find("would grant"), std::string::npos);
}

TEST(LeaderLease, RefusalsAreNotJudgedWhileAMembershipChangeIsInFlight) {
  Findings f;
  LeaderLease c(f);
  const raft::Membership two{{{1, raft::MemberRole::kVoter, 1}, {2, raft::MemberRole::kVoter, 1}}};
  LeaseView old_config = follower(3, 3, false);
  old_config.membership = &two;
  c.observe(1, {leader(1, 3, true), follower(2, 3, false), old_config});
  EXPECT_FALSE(f.any());
  EXPECT_EQ(c.refusals_judged(), 0u);
  EXPECT_EQ(c.beliefs_judged(), 1u);
}

}  // namespace
}  // namespace quorum::check
