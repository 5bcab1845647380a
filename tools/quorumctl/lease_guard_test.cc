// The timing rule of `quorumctl run` as a pure function: fake clock readings in ms, no sleeps.
// Rule (lease_guard.h): D = sent + min(leaseLeftMs, hold) of the newest matching answer; SIGTERM at
// D - grace - margin (at once on a no or a changed permit), SIGKILL at D - margin.
#include "tools/quorumctl/lease_guard.h"

#include <gtest/gtest.h>

#include <random>

#include "tools/quorumctl/may_act_client.h"

namespace quorum::quorumctl {
namespace {

constexpr GuardTiming kTiming{/*grace_ms=*/1000, /*margin_ms=*/100};

MayActAnswer yes(std::int64_t left_ms, std::uint64_t epoch = 17, std::uint64_t term = 4) {
  MayActAnswer a;
  a.may_act = true;
  a.cluster_id = "3";
  a.cluster_name = "db-east";
  a.controller = "ctl2";
  a.epoch = epoch;
  a.term = term;
  a.lease_left_ms = left_ms;
  return a;
}

MayActPoll answered(std::int64_t sent_ms, MayActAnswer answer) {
  MayActPoll p;
  p.sent_ms = sent_ms;
  p.answer = std::move(answer);
  return p;
}

MayActPoll failed(std::int64_t sent_ms) {
  MayActPoll p;
  p.sent_ms = sent_ms;
  p.error = "127.0.0.1:9580: Connection refused";
  return p;
}

MayActPoll no(std::int64_t sent_ms, std::string reason) {
  MayActAnswer a;
  a.cluster_id = "3";
  a.reason = std::move(reason);
  a.detail = "Released for a hand-over to ctl3.";
  return answered(sent_ms, a);
}

TEST(LeaseGuardStart, RunsOnYesWithMoreLeaseThanGracePlusMargin) {
  EXPECT_EQ(decide_start(answered(1000, yes(3000)), kTiming, 1010).kind, StartDecision::Kind::kRun);
}

TEST(LeaseGuardStart, RefusesOnNoWithTheReasonAndDetail) {
  const StartDecision d = decide_start(no(1000, "handing_over"), kTiming, 1010);
  EXPECT_EQ(d.kind, StartDecision::Kind::kRefused);
  EXPECT_NE(d.message.find("handing_over"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("hand-over to ctl3"), std::string::npos) << d.message;
}

TEST(LeaseGuardStart, NoAnswerIsNotARefusal) {
  const StartDecision d = decide_start(failed(1000), kTiming, 1010);
  EXPECT_EQ(d.kind, StartDecision::Kind::kNoAnswer);
  EXPECT_NE(d.message.find("Connection refused"), std::string::npos) << d.message;
}

TEST(LeaseGuardStart, RefusesWhenSigtermWouldBeDueAtOnce) {
  // 1100 ms left from the send time, so 1090 ms at the reading 10 ms later: not more than
  // grace 1000 + margin 100.
  const StartDecision d = decide_start(answered(1000, yes(1100)), kTiming, 1010);
  EXPECT_EQ(d.kind, StartDecision::Kind::kRefused);
  EXPECT_NE(d.message.find("lease_too_short"), std::string::npos) << d.message;
  EXPECT_EQ(decide_start(answered(1000, yes(1111)), kTiming, 1010).kind, StartDecision::Kind::kRun);
}

TEST(LeaseGuard, DeadlineCountsFromTheSendTimeSoALateAnswerExtendsNothingPastWhatTheNodeSaid) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);
  EXPECT_EQ(guard.deadline_ms(), 4000);
  // Sent at 2000, answered "3000 ms left", but the answer only arrives at 3500: the node meant
  // at most 2000 + 3000, never 3500 + 3000.
  guard.observe(answered(2000, yes(3000)), 3500);
  EXPECT_EQ(guard.deadline_ms(), 5000);
  EXPECT_EQ(guard.kill_at_ms(), 4900);
  EXPECT_EQ(guard.terminate_at_ms(), 3900);
}

TEST(LeaseGuard, WithoutFreshAnswersSigtermAtDeadlineMinusGraceMinusMarginAndSigkillAtDeadlineMinusMargin) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);  // D = 4000
  guard.observe(failed(1100), 1150);
  guard.observe(failed(1200), 2200);
  EXPECT_EQ(guard.deadline_ms(), 4000) << "a failed question changes nothing";
  EXPECT_EQ(guard.wake_at_ms(), 2900);
  EXPECT_EQ(guard.due(2899), GuardAction::kNone);
  EXPECT_EQ(guard.due(2900), GuardAction::kTerminate);
  EXPECT_TRUE(guard.lease_lost());
  EXPECT_FALSE(guard.revoked());
  EXPECT_NE(guard.why().find("no fresh answer for 1900 ms"), std::string::npos) << guard.why();
  EXPECT_NE(guard.why().find("Connection refused"), std::string::npos) << guard.why();
  EXPECT_EQ(guard.due(2901), GuardAction::kNone) << "SIGTERM goes out once";
  EXPECT_EQ(guard.wake_at_ms(), 3900);
  EXPECT_EQ(guard.due(3899), GuardAction::kNone);
  EXPECT_EQ(guard.due(3900), GuardAction::kKill);
  EXPECT_EQ(guard.due(5000), GuardAction::kNone);
  EXPECT_EQ(guard.wake_at_ms(), kNeverMs);
}

TEST(LeaseGuard, AWokenLateGuardSendsBothSignalsAtOnceInOrder) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);
  EXPECT_EQ(guard.due(3950), GuardAction::kTerminate);
  EXPECT_EQ(guard.due(3950), GuardAction::kKill);
}

TEST(LeaseGuard, ANoStopsAtOnceAndKillsAfterTheGracePeriod) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);
  guard.observe(answered(1100, yes(3000)), 1120);  // D = 4100
  guard.observe(no(1200, "handing_over"), 1210);
  EXPECT_TRUE(guard.revoked());
  EXPECT_EQ(guard.terminate_at_ms(), 1210);
  EXPECT_EQ(guard.kill_at_ms(), 2210);
  EXPECT_EQ(guard.due(1210), GuardAction::kTerminate);
  EXPECT_NE(guard.why().find("answered no"), std::string::npos) << guard.why();
  EXPECT_NE(guard.why().find("handing_over"), std::string::npos) << guard.why();
  EXPECT_EQ(guard.due(2209), GuardAction::kNone);
  EXPECT_EQ(guard.due(2210), GuardAction::kKill);
}

TEST(LeaseGuard, ANoCloseToTheDeadlineStillKillsByDeadlineMinusMargin) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);  // D = 4000
  // Applied late (SIGTERM was due at 2900 already): the grace period cannot push SIGKILL past
  // D - margin.
  guard.observe(no(3500, "no_valid_lease"), 3600);
  EXPECT_LE(guard.terminate_at_ms(), 3600);
  EXPECT_EQ(guard.kill_at_ms(), 3900) << "min(D - margin, now + grace)";
  EXPECT_EQ(guard.due(3600), GuardAction::kTerminate);
  EXPECT_EQ(guard.due(3899), GuardAction::kNone);
  EXPECT_EQ(guard.due(3900), GuardAction::kKill);
}

TEST(LeaseGuard, AChangedEpochControllerOrClusterIsARevocation) {
  for (const MayActAnswer& changed : {yes(3000, 18, 4), yes(3000, 18, 5), [] {
         MayActAnswer a = yes(3000);
         a.controller = "ctl3";
         return a;
       }(), [] {
         MayActAnswer a = yes(3000);
         a.cluster_id = "4";
         return a;
       }()}) {
    LeaseGuard guard(answered(1000, yes(3000)), kTiming);
    guard.observe(answered(1500, changed), 1510);
    EXPECT_TRUE(guard.revoked());
    EXPECT_EQ(guard.deadline_ms(), 4000) << "a changed permit extends nothing";
    EXPECT_EQ(guard.due(1510), GuardAction::kTerminate);
    EXPECT_NE(guard.why().find("permission changed"), std::string::npos) << guard.why();
  }
  EXPECT_EQ(permit_change(yes(1), yes(2, 18, 4)), "epoch 17 -> 18");
  EXPECT_EQ(permit_change(yes(1), yes(2, 18, 5)), "epoch 17 -> 18");
  EXPECT_EQ(permit_change(yes(1), yes(2)), "");
}

// A new Raft term (an election, a leadership transfer) with the same cluster, controller and
// epoch is the same permission, renewed by the new leader: fencing is by epoch, which changes at
// every change of owner and at every re-grant after a lapsed session. The guard extends D from it
// like from any yes, and only a later change of epoch stops COMMAND.
TEST(LeaseGuard, ANewTermWithTheSameEpochIsARenewalNotARevocation) {
  LeaseGuard guard(answered(1000, yes(3000, 17, 4)), kTiming);
  EXPECT_EQ(permit_change(yes(1, 17, 4), yes(2, 17, 5)), "");
  guard.observe(answered(1500, yes(3000, 17, 5)), 1510);
  EXPECT_FALSE(guard.revoked());
  EXPECT_EQ(guard.deadline_ms(), 4500);
  EXPECT_EQ(guard.term_seen(), 5u);
  EXPECT_EQ(guard.permit().term, 4u) << "COMMAND's QUORUM_TERM is the one it started with";
  EXPECT_EQ(guard.due(1510), GuardAction::kNone);
  guard.observe(answered(1600, yes(3000, 17, 6)), 1610);
  EXPECT_EQ(guard.deadline_ms(), 4600);
  guard.observe(answered(1700, yes(3000, 18, 6)), 1710);
  EXPECT_TRUE(guard.revoked());
  EXPECT_EQ(guard.due(1710), GuardAction::kTerminate);
}

// With a hold X (the guard asked the node to keep a hold, --hold-ms), D = s + min(leaseLeftMs,
// X): the node's hold ends no earlier than a + X >= s + X, so COMMAND is dead before the node may
// acknowledge a hand-over. Table: (lease left, X) -> D for a question sent at 1000.
TEST(LeaseGuard, WithAHoldTheDeadlineIsTheSendTimePlusTheSmallerOfLeaseAndHold) {
  struct Row {
    std::int64_t left_ms, hold_ms, deadline_ms;
  };
  for (const Row& row : {Row{3000, 0, 4000}, Row{3000, 2200, 3200}, Row{1500, 2200, 2500}, Row{2200, 2200, 3200}}) {
    GuardTiming timing = kTiming;
    timing.hold_ms = row.hold_ms;
    ASSERT_EQ(decide_start(answered(1000, yes(row.left_ms)), timing, 1010).kind, StartDecision::Kind::kRun);
    LeaseGuard guard(answered(1000, yes(row.left_ms)), timing);
    EXPECT_EQ(guard.deadline_ms(), row.deadline_ms) << row.left_ms << " " << row.hold_ms;
    EXPECT_EQ(guard.kill_at_ms(), row.deadline_ms - 100);
    EXPECT_EQ(guard.terminate_at_ms(), row.deadline_ms - 1100);
    guard.observe(answered(1100, yes(row.left_ms)), 1110);
    EXPECT_EQ(guard.deadline_ms(), row.deadline_ms + 100) << "each yes renews the hold from its send time";
  }
}

// A healthy stream (a yes every poll interval p) keeps COMMAND running when X > p + g + m plus
// the answer's delay; a node that stops answering gets COMMAND stopped by s + X - g - m, i.e.
// p + slack after the last question, not 1.8 s later as without a hold.
TEST(LeaseGuard, AHoldStopsCommandSoonAfterTheAnswersStop) {
  GuardTiming timing = kTiming;
  timing.hold_ms = 100 + 1000 + 100 + 1000;  // p + g + m + slack: quorumctl run's default
  LeaseGuard guard(answered(1000, yes(2900)), timing);
  for (std::int64_t sent = 1100; sent <= 5000; sent += 100) {
    guard.observe(answered(sent, yes(2900)), sent + 20);
    ASSERT_EQ(guard.due(sent + 20), GuardAction::kNone) << sent;
  }
  EXPECT_EQ(guard.terminate_at_ms(), 5000 + 2200 - 1100);
  for (std::int64_t sent = 5100; sent < 6100; sent += 100) guard.observe(failed(sent), sent + 1);
  EXPECT_EQ(guard.due(6099), GuardAction::kNone);
  EXPECT_EQ(guard.due(6100), GuardAction::kTerminate);
  EXPECT_EQ(guard.due(7099), GuardAction::kNone);
  EXPECT_EQ(guard.due(7100), GuardAction::kKill);
}

TEST(LeaseGuardStart, RefusesWhenTheHoldLeavesNoRoomForGraceAndMargin) {
  GuardTiming timing = kTiming;
  timing.hold_ms = 1100;
  const StartDecision d = decide_start(answered(1000, yes(3000)), timing, 1000);
  EXPECT_EQ(d.kind, StartDecision::Kind::kRefused);
  EXPECT_NE(d.message.find("within --hold-ms"), std::string::npos) << d.message;
}

TEST(LeaseGuard, NothingExtendsTheDeadlineOnceSigtermIsDue) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);
  EXPECT_EQ(guard.due(2900), GuardAction::kTerminate);
  guard.observe(answered(2950, yes(3000)), 2960);
  EXPECT_EQ(guard.deadline_ms(), 4000);
  EXPECT_EQ(guard.kill_at_ms(), 3900);
  LeaseGuard revoked(answered(1000, yes(3000)), kTiming);
  revoked.observe(no(1100, "not_owner"), 1110);
  revoked.observe(answered(1200, yes(3000)), 1210);
  EXPECT_EQ(revoked.kill_at_ms(), 2110) << "a yes after a no resurrects nothing";
}

TEST(LeaseGuard, TheNewestAnswerWinsEvenWhenItSaysLessAndAnOlderOneIsIgnored) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);
  guard.observe(answered(2000, yes(500)), 2010);
  EXPECT_EQ(guard.deadline_ms(), 2500);
  guard.observe(answered(1500, yes(3000)), 2020);  // sent before the one applied: says less
  EXPECT_EQ(guard.deadline_ms(), 2500);
}

TEST(LeaseGuard, AnOutsideStopTerminatesNowWithoutCallingItALostLease) {
  LeaseGuard guard(answered(1000, yes(3000)), kTiming);
  guard.stop("quorumctl run received SIGTERM", 1500);
  EXPECT_EQ(guard.due(1500), GuardAction::kTerminate);
  EXPECT_FALSE(guard.lease_lost());
  EXPECT_EQ(guard.kill_at_ms(), 2500);
  EXPECT_EQ(guard.why(), "quorumctl run received SIGTERM");
}

// Over random schedules of answers, failures and clock readings: SIGKILL is never due later
// than (send time + leaseLeftMs of the newest matching answer applied) - margin, SIGTERM never
// comes after SIGKILL, and after a no SIGTERM is due at the very reading that applied it.
TEST(LeaseGuard, RandomSchedulesNeverLetTheKillPassTheDeadlineTheNodeGave) {
  std::mt19937_64 rng(20261203);
  for (int run = 0; run < 500; ++run) {
    // Every other run with a hold: then the node's promise is min(lease left, hold) from s.
    const std::int64_t hold_ms = run % 2 == 0 ? 0 : 1 + static_cast<std::int64_t>(rng() % 4000);
    const GuardTiming timing{static_cast<std::int64_t>(rng() % 1500), static_cast<std::int64_t>(rng() % 200), hold_ms};
    const auto promise = [&](std::int64_t sent, std::int64_t left) {
      return sent + (hold_ms > 0 ? std::min(left, hold_ms) : left);
    };
    std::int64_t now = 1000;
    LeaseGuard guard(answered(now, yes(3000)), timing);
    std::int64_t promised_ms = promise(now, 3000);  // what the newest applied matching answer said
    std::int64_t term_at = -1;
    std::int64_t kill_at = -1;
    bool revoked = false;
    while (kill_at < 0 && now < 100'000) {
      const std::int64_t sent = now;
      now += static_cast<std::int64_t>(rng() % 400);  // the answer's delay
      const int kind = static_cast<int>(rng() % 10);
      if (kind < 6) {
        const std::int64_t left = static_cast<std::int64_t>(rng() % 3000);
        guard.observe(answered(sent, yes(left)), now);
        if (!revoked && term_at < 0) promised_ms = promise(sent, left);
      } else if (kind < 9) {
        guard.observe(failed(sent), now);
      } else {
        guard.observe(no(sent, "not_owner"), now);
        if (term_at < 0) {
          revoked = true;
          EXPECT_EQ(guard.due(now), GuardAction::kTerminate);
          term_at = now;
        }
      }
      for (GuardAction a = guard.due(now); a != GuardAction::kNone; a = guard.due(now)) {
        if (a == GuardAction::kTerminate) term_at = now;
        if (a == GuardAction::kKill) kill_at = now;
      }
      ASSERT_LE(guard.kill_at_ms(), promised_ms - timing.margin_ms) << "run " << run;
      now += static_cast<std::int64_t>(rng() % 50);
    }
    ASSERT_GE(kill_at, 0);
    ASSERT_GE(term_at, 0);
    ASSERT_LE(term_at, kill_at);
  }
}

TEST(MayActReply, ParsesAYesWithInt64sAsStrings) {
  const MayActPoll p = parse_may_act_reply({200,
                                            R"({"mayAct":true,"clusterId":"3","clusterName":"db-east",)"
                                            R"("controller":"ctl2","epoch":"17","term":"4","leaseLeftMs":"2870"})",
                                            "127.0.0.1:9580", ""});
  ASSERT_TRUE(p.answer.has_value()) << p.error;
  EXPECT_TRUE(p.answer->may_act);
  EXPECT_EQ(p.answer->cluster_id, "3");
  EXPECT_EQ(p.answer->cluster_name, "db-east");
  EXPECT_EQ(p.answer->controller, "ctl2");
  EXPECT_EQ(p.answer->epoch, 17u);
  EXPECT_EQ(p.answer->term, 4u);
  EXPECT_EQ(p.answer->lease_left_ms, 2870);
}

TEST(MayActReply, ANoWithoutMayActFieldIsANoWithItsReason) {
  const MayActPoll p = parse_may_act_reply(
      {200, R"({"clusterId":"3","reason":"unknown_cluster","detail":"No cluster 'x'."})", "n", ""});
  ASSERT_TRUE(p.answer.has_value()) << p.error;
  EXPECT_FALSE(p.answer->may_act);
  EXPECT_EQ(p.answer->reason, "unknown_cluster");
  EXPECT_EQ(p.answer->detail, "No cluster 'x'.");
}

TEST(MayActReply, NonOkStatusesAndBadBodiesAreErrorsNotAnswers) {
  EXPECT_FALSE(parse_may_act_reply({400, R"({"error":"cluster= is required"})", "n:1", ""}).answer);
  EXPECT_NE(parse_may_act_reply({404, "not found", "n:1", ""}).error.find("HTTP 404 from n:1"), std::string::npos);
  EXPECT_FALSE(parse_may_act_reply({200, "<html>", "n", ""}).answer);
  EXPECT_FALSE(parse_may_act_reply({200, R"({"mayAct":true,"clusterId":"3","epoch":"x17"})", "n", ""}).answer);
  EXPECT_FALSE(parse_may_act_reply({200, R"({"mayAct":true,"epoch":"17"})", "n", ""}).answer)
      << "a yes must name its cluster";
}

TEST(MayActReply, TheClusterIsEncodedInTheQuery) {
  EXPECT_EQ(may_act_target("db east&x=1"), "/v1/ownership/may-act?cluster=db%20east%26x%3D1");
  EXPECT_EQ(may_act_target("12"), "/v1/ownership/may-act?cluster=12");
  EXPECT_EQ(may_act_target("db1", "4711-99", 2200), "/v1/ownership/may-act?cluster=db1&holder=4711-99&hold_ms=2200");
  const std::string token = make_holder_token();
  EXPECT_EQ(token.find_first_not_of("0123456789-"), std::string::npos) << token;
  EXPECT_NE(token, make_holder_token());
}

TEST(MayActReply, AHoldLeftIsParsedAndItsAbsenceMeansNoHold) {
  const MayActPoll held = parse_may_act_reply(
      {200, R"({"mayAct":true,"clusterId":"3","epoch":"17","leaseLeftMs":"2870","holdLeftMs":"2210"})", "n", ""});
  ASSERT_TRUE(held.answer.has_value()) << held.error;
  EXPECT_EQ(held.answer->hold_left_ms, std::optional<std::int64_t>(2210));
  const MayActPoll plain =
      parse_may_act_reply({200, R"({"mayAct":true,"clusterId":"3","epoch":"17","leaseLeftMs":"2870"})", "n", ""});
  ASSERT_TRUE(plain.answer.has_value()) << plain.error;
  EXPECT_FALSE(plain.answer->hold_left_ms.has_value());
}

}  // namespace
}  // namespace quorum::quorumctl
