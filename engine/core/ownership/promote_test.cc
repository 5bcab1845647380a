// The standby promotion rule (promote.h): every refusal reason, in the order the rule checks
// them, force, and the lag bound at and past its edge. Pool: 1 (the leader, active), 2 (active),
// 3 (standby); the view hears everyone, fit, caught up, unless a test says otherwise.
#include "engine/core/ownership/promote.h"

#include <gtest/gtest.h>

namespace quorum::ownership {
namespace {

using Reason = PromoteVerdict::Reason;

constexpr raft::SessionParams kSession{30, 1, 0};
constexpr LogIndex kLagMax = 8;

DriverConfig config() {
  DriverConfig c;
  c.session = kSession;
  c.alive_window_ticks = 5;
  c.promote_lag_entries_max = kLagMax;
  return c;
}

class PromoteRule : public ::testing::Test {
 protected:
  void SetUp() override {
    for (NodeId id : {1, 2, 3}) {
      RegisterController r;
      r.id = id;
      r.name = "c" + std::to_string(id);
      if (id == 3) {
        r.role = ControllerRole::kStandby;
        r.auto_recovery = false;
      }
      apply(r);
      apply(Activate{id});
    }
    self_session_.renew(0, 0, 0);
    view_.self = 1;
    view_.now_ticks = 100;
    view_.has_lease = true;
    view_.committed_in_term = true;
    view_.self_session = &self_session_;
    view_.commit_index = 50;
    hear(2, 50);
    hear(3, 50);
  }
  void apply(const Command& c) {
    const ApplyResult r = sm_.apply(++index_, c);
    ASSERT_EQ(r.code, ApplyResult::Code::kApplied) << r.reason;
  }
  void hear(NodeId id, LogIndex applied) {
    raft::PeerSession& p = view_.peers[id];
    p.heard = true;
    p.last_keepalive_ticks = view_.now_ticks;
    p.session_generation = 1;
    p.applied_index = applied;
  }
  // Makes the peer silent for longer than the alive window (5 ticks).
  void silence(NodeId id) { view_.peers[id].last_keepalive_ticks = view_.now_ticks - 5; }
  // The leader itself (1) as not part of the active side: a witness voter, not a controller.
  void make_leader_a_witness() { view_.self = 4; hear(1, 50); }
  PromoteVerdict judge(bool force = false) const {
    return judge_promote(driver_, sm_, view_, Promote{3, force});
  }

  StateMachine sm_;
  LogIndex index_ = 0;
  raft::Session self_session_{kSession};
  LeaderView view_;
  Driver driver_{config()};
};

TEST_F(PromoteRule, RefusedWhileTheActiveSideIsReachableAndHealthy) {
  const PromoteVerdict v = judge();
  EXPECT_EQ(v.reason, Reason::kActiveSideAlive);
  EXPECT_EQ(v.active_alive, 1u);  // the leader itself is active, reachable and fit
  EXPECT_FALSE(v.ok());
  EXPECT_NE(promote_explain(v, sm_, Promote{3}, kLagMax).find("controller 1 'c1'"),
            std::string::npos);
}

TEST_F(PromoteRule, ForceOverridesOnlyTheActiveSideRule) {
  const PromoteVerdict v = judge(/*force=*/true);
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.forced);
  EXPECT_EQ(v.active_alive, 1u);
  EXPECT_NE(promote_explain(v, sm_, Promote{3, true}, kLagMax).find("forced"), std::string::npos);
  // Force does not make an unreachable, unfit or lagging standby promotable.
  silence(3);
  EXPECT_EQ(judge(true).reason, Reason::kStandbyUnreachable);
  hear(3, 50);
  view_.unfit.insert(3);
  EXPECT_EQ(judge(true).reason, Reason::kStandbyUnfit);
  view_.unfit.erase(3);
  view_.peers[3].applied_index = 50 - kLagMax - 1;
  EXPECT_EQ(judge(true).reason, Reason::kStandbyLagging);
  // Nor does it override the leader's own preconditions.
  view_.peers[3].applied_index = 50;
  view_.has_lease = false;
  EXPECT_EQ(judge(true).reason, Reason::kNoLease);
}

TEST_F(PromoteRule, AcceptedOnceEveryActiveControllerIsSilentOrUnfit) {
  make_leader_a_witness();
  EXPECT_EQ(judge().reason, Reason::kActiveSideAlive);
  silence(1);
  EXPECT_EQ(judge().reason, Reason::kActiveSideAlive);  // 2 is still heard
  EXPECT_EQ(judge().active_alive, 2u);
  view_.unfit.insert(2);  // heard, but its database is not Primary/Synced
  const PromoteVerdict v = judge();
  EXPECT_TRUE(v.ok()) << promote_reason_name(v.reason);
  EXPECT_FALSE(v.forced);
  EXPECT_EQ(v.active_alive, kNoNode);
}

TEST_F(PromoteRule, AnUnfitLeaderDoesNotCountAsTheActiveSide) {
  view_.unfit.insert(1);  // the leader's own backend
  silence(2);
  EXPECT_TRUE(judge().ok());
}

TEST_F(PromoteRule, ADrainingActiveControllerStillCounts) {
  make_leader_a_witness();
  silence(1);
  apply(Drain{2});
  EXPECT_EQ(judge().reason, Reason::kActiveSideAlive);
}

TEST_F(PromoteRule, EveryReasonInTheOrderTheRuleChecksThem) {
  view_.has_lease = false;
  view_.committed_in_term = false;
  EXPECT_EQ(judge().reason, Reason::kNoLease);
  view_.has_lease = true;
  EXPECT_EQ(judge().reason, Reason::kNotCommittedInTerm);
  view_.committed_in_term = true;

  DriverConfig off = config();
  off.session = raft::SessionParams{};
  const Driver no_sessions(off);
  EXPECT_EQ(judge_promote(no_sessions, sm_, view_, Promote{3}).reason, Reason::kSessionsOff);

  EXPECT_EQ(judge_promote(driver_, sm_, view_, Promote{9}).reason, Reason::kNotRegistered);
  EXPECT_EQ(judge_promote(driver_, sm_, view_, Promote{2, true}).reason, Reason::kNotStandby);

  view_.peers.erase(3);  // never heard in this term
  EXPECT_EQ(judge().reason, Reason::kStandbyUnreachable);
  hear(3, 50);
  view_.peers[3].session_generation = 0;  // heard, but no session yet
  EXPECT_EQ(judge().reason, Reason::kStandbyUnreachable);
  hear(3, 50);
  silence(3);
  EXPECT_EQ(judge().reason, Reason::kStandbyUnreachable);
  hear(3, 50);
  view_.unfit.insert(3);
  EXPECT_EQ(judge().reason, Reason::kStandbyUnfit);
  view_.unfit.erase(3);
  view_.peers[3].applied_index = 0;
  const PromoteVerdict lagging = judge();
  EXPECT_EQ(lagging.reason, Reason::kStandbyLagging);
  EXPECT_EQ(lagging.lag_entries, 50u);
  EXPECT_NE(promote_explain(lagging, sm_, Promote{3}, kLagMax).find("50 entries behind"),
            std::string::npos);
  view_.peers[3].applied_index = 50;
  EXPECT_EQ(judge().reason, Reason::kActiveSideAlive);
}

TEST_F(PromoteRule, TheLagBoundIsInclusive) {
  make_leader_a_witness();
  silence(1);
  silence(2);
  view_.peers[3].applied_index = 50 - kLagMax;
  EXPECT_TRUE(judge().ok());
  view_.peers[3].applied_index = 50 - kLagMax - 1;
  EXPECT_EQ(judge().reason, Reason::kStandbyLagging);
  EXPECT_EQ(judge().lag_entries, kLagMax + 1);
  view_.peers[3].applied_index = 60;  // reported past the commit index it knows: no lag
  EXPECT_TRUE(judge().ok());
}

TEST_F(PromoteRule, TheAliveWindowEdge) {
  make_leader_a_witness();
  silence(1);
  silence(2);
  view_.peers[3].last_keepalive_ticks = view_.now_ticks - 4;  // inside the 5-tick window
  EXPECT_TRUE(judge().ok());
  view_.peers[3].last_keepalive_ticks = view_.now_ticks - 5;
  EXPECT_EQ(judge().reason, Reason::kStandbyUnreachable);
}

TEST_F(PromoteRule, TheLeaderAsTheStandbyIsReachableAndCaughtUp) {
  view_.self = 3;
  view_.peers.erase(3);
  hear(1, 50);
  silence(1);
  silence(2);
  view_.commit_index = 500;  // its own applied index is not asked: it holds every commit
  EXPECT_TRUE(judge().ok());
  view_.unfit.insert(3);  // the leader's own backend
  EXPECT_EQ(judge().reason, Reason::kStandbyUnfit);
}

TEST_F(PromoteRule, EveryReasonHasANameAndASentence) {
  for (int r = 0; r <= static_cast<int>(Reason::kActiveSideAlive); ++r) {
    const auto reason = static_cast<Reason>(r);
    EXPECT_FALSE(promote_reason_name(reason).empty());
    EXPECT_FALSE(promote_reason_sentence(reason).empty());
  }
}

}  // namespace
}  // namespace quorum::ownership
