// may_act: each reason, and the fencing fields (docs/ownership.md).
#include "engine/core/ownership/may_act.h"

#include <gtest/gtest.h>

namespace quorum::ownership {
namespace {

using Reason = MayAct::Reason;

constexpr raft::SessionParams kParams{30, 1, 0};

class MayActTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterController a;
    a.id = 1;
    a.name = "a";
    ok(a);
    RegisterController b = a;
    b.id = 2;
    b.name = "b";
    ok(b);
    RegisterController s = a;
    s.id = 3;
    s.name = "standby";
    s.role = ControllerRole::kStandby;
    s.auto_recovery = false;
    ok(s);
    ok(Activate{1});
    ok(Activate{2});
    ok(AddCluster{10, "db10", {}, true});
    ok(AddCluster{11, "db11", {}, false});
    ok(AddCluster{12, "db12", {}, true});
    session_.renew(0, 1, sm_.applied_index());  // the session starts here: grants come later
    ok(Assign{10, 1, 0});
    epoch10_ = sm_.applied_index();
    ok(Assign{11, 1, 0});
  }
  void ok(const Command& c) {
    ASSERT_EQ(sm_.apply(++index_, c).code, ApplyResult::Code::kApplied);
  }
  MayAct ask(NodeId self, ClusterId cluster, Ticks now = 5) {
    return may_act(sm_, self, cluster, session_, 7, now);
  }

  StateMachine sm_;
  LogIndex index_ = 0;
  Epoch epoch10_ = 0;
  raft::Session session_{kParams};
};

TEST_F(MayActTest, TheOwnerWithALiveSessionMayActAndGetsItsEpochTermAndDeadline) {
  const MayAct yes = ask(1, 10);
  ASSERT_TRUE(yes.ok());
  EXPECT_EQ(yes.epoch, epoch10_);
  EXPECT_EQ(yes.term, Term{7});
  EXPECT_EQ(yes.valid_until_ticks, session_.valid_until_ticks());
  EXPECT_EQ(may_act_explain(yes, sm_, 10, 5),
            "may act: epoch " + std::to_string(epoch10_) + ", term 7, for 23 more ticks");
}

TEST_F(MayActTest, EveryReasonForNo) {
  EXPECT_EQ(ask(1, 99).reason, Reason::kUnknownCluster);
  EXPECT_EQ(ask(9, 10).reason, Reason::kNotRegistered);
  EXPECT_EQ(ask(3, 10).reason, Reason::kStandby);
  EXPECT_EQ(ask(1, 11).reason, Reason::kAutoRecoveryOff);
  EXPECT_EQ(ask(2, 10).reason, Reason::kNotOwner);
  EXPECT_EQ(ask(1, 12).reason, Reason::kNotOwner);  // unowned
  EXPECT_EQ(may_act_explain(ask(2, 10), sm_, 10, 5), "owned by 1");
  // The session's end, judged by the clock reading passed in.
  EXPECT_TRUE(ask(1, 10, session_.valid_until_ticks() - 1).ok());
  EXPECT_EQ(ask(1, 10, session_.valid_until_ticks()).reason, Reason::kNoValidLease);
  // Released for a hand-over: the owner may no longer act at once.
  ok(Release{10, 1, epoch10_, 2});
  EXPECT_EQ(ask(1, 10).reason, Reason::kHandingOver);
  EXPECT_EQ(ask(2, 10).reason, Reason::kNotOwner);
  ok(Assign{10, 2, epoch10_});
  EXPECT_EQ(ask(2, 10).epoch, sm_.applied_index());
}

TEST_F(MayActTest, AGrantFromBeforeALapsedSessionIsStaleUntilGrantedAgain) {
  const Ticks end = session_.valid_until_ticks();
  session_.renew(end + 2, end + 3, sm_.applied_index());  // lapsed: a new generation
  ASSERT_EQ(session_.generation(), 2u);
  EXPECT_EQ(ask(1, 10, end + 4).reason, Reason::kStaleGrant);
  // The leader's re-grant to the same owner bumps the epoch past the generation's start.
  ok(Assign{10, 1, epoch10_});
  const MayAct again = ask(1, 10, end + 4);
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again.epoch, epoch10_);
}

TEST_F(MayActTest, WithoutSessionsNobodyActs) {
  raft::Session off;
  off.renew(0, 1, 0);
  EXPECT_EQ(may_act(sm_, 1, 10, off, 7, 1).reason, Reason::kNoValidLease);
}

}  // namespace
}  // namespace quorum::ownership
