// Controller sessions (session.h, docs/ownership.md): the lease inequalities and their carriage on
// the Raft heartbeat answers.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/core/raft/raft_test_util.h"

namespace quorum::raft {
namespace {

using testing::Cluster;

constexpr Ticks kLease = 30;
constexpr Ticks kDelay = 1;

void with_sessions(RaftConfig& c) {
  c.session_lease_ticks = kLease;
  c.session_delay_ticks = kDelay;
  c.clock_drift_ppm_max = 10'000;
}

// Real time at which an owner stops, and the earliest real time the assigner re-grants, for one
// keepalive sent at real time 0 and received at real time `delay`, with the owner's clock fast or
// slow and the assigner's clock fast or slow by up to rho (rate in [1 - rho, 1 + rho]), counting
// the tick quantisation: the owner's tick count may read up to one tick late, the assigner's
// receipt tick up to one tick early. Safety: stop < re-grant in every combination.
TEST(SessionLease, OwnerStopsBeforeTheAssignerMayRegrantAtTheDriftBound) {
  for (Ticks lease : {Ticks{3}, Ticks{10}, Ticks{30}, Ticks{300}, Ticks{3000}}) {
    for (Ticks delay : {Ticks{0}, Ticks{1}, Ticks{5}}) {
      for (std::uint32_t ppm : {0u, 200u, 10'000u, 200'000u}) {
        const SessionParams p{lease, delay, ppm};
        const Ticks act = owner_lease_ticks(p);
        if (act == 0) continue;  // refused by RaftConfig::validate
        const double rho = ppm / 1e6;
        // Owner: acts while its tick count (floor of its clock) is below anchor + act, and the
        // anchor is at or before its clock at sending: it stops within `act` of its own clock
        // after sending, i.e. within act / (1 - rho) real time at its slowest rate.
        const double owner_stop_real = static_cast<double>(act) / (1.0 - rho);
        // Assigner: waits `wait` ticks after its receipt tick (>= its clock - 1), i.e. at least
        // wait - 1 of its clock after receipt, which is >= (wait - 1) / (1 + rho) real time.
        const Ticks wait = assigner_wait_ticks(p);
        for (double receipt_real : {0.0, static_cast<double>(delay)}) {
          const double regrant_real = receipt_real + static_cast<double>(wait - 1) / (1.0 + rho);
          EXPECT_LT(owner_stop_real, regrant_real)
              << "L=" << lease << " delay=" << delay << " ppm=" << ppm;
        }
      }
    }
  }
}

TEST(SessionLease, TheMarginsAreTheDocumentedOnes) {
  // L(1-rho) - delta - 1 and L(1+rho) + delta + 1, drift rounded up: 300 ticks, 1 %, delta 5.
  EXPECT_EQ(owner_lease_ticks({300, 5, 10'000}), Ticks{300 - 3 - 5 - 1});
  EXPECT_EQ(assigner_wait_ticks({300, 5, 10'000}), Ticks{300 + 3 + 5 + 1});
  EXPECT_EQ(owner_lease_ticks({5, 5, 0}), Ticks{0});
  EXPECT_FALSE(SessionParams{}.enabled());
}

TEST(SessionLease, ConfigRefusesALeaseThatLeavesNoTimeToAct) {
  RaftConfig c = testing::test_config(1);
  c.session_lease_ticks = 4;
  c.session_delay_ticks = 3;
  c.clock_drift_ppm_max = 0;
  EXPECT_NE(c.validate().find("session_lease_ticks"), std::string::npos) << c.validate();
  c.session_lease_ticks = 5;
  EXPECT_EQ(c.validate(), "");
}

TEST(SessionLease, RenewalExtendsALiveSessionAndALapsedOneStartsAGeneration) {
  Session s({kLease, kDelay, 0});
  EXPECT_FALSE(s.valid_at(0));
  s.renew(2, 3, 7);
  EXPECT_EQ(s.generation(), 1u);
  EXPECT_EQ(s.start_index(), LogIndex{7});
  EXPECT_EQ(s.valid_until_ticks(), 2 + owner_lease_ticks({kLease, kDelay, 0}));
  EXPECT_TRUE(s.valid_at(s.valid_until_ticks() - 1));
  EXPECT_FALSE(s.valid_at(s.valid_until_ticks()));
  // Still valid: extended, same generation, start index kept.
  s.renew(10, 12, 9);
  EXPECT_EQ(s.generation(), 1u);
  EXPECT_EQ(s.start_index(), LogIndex{7});
  // An older anchor never shortens the session.
  const Ticks until = s.valid_until_ticks();
  s.renew(4, 13, 9);
  EXPECT_EQ(s.valid_until_ticks(), until);
  // Lapsed: processed at or after its end (counting the tick in progress): a new generation.
  s.renew(until + 5, until + 5, 20);
  EXPECT_EQ(s.generation(), 2u);
  EXPECT_EQ(s.start_index(), LogIndex{20});
  // A confirmation whose lease would be over at once starts nothing.
  s.renew(until + 5, until + 5 + owner_lease_ticks({kLease, kDelay, 0}), 30);
  EXPECT_EQ(s.generation(), 2u);
  EXPECT_EQ(s.start_index(), LogIndex{20});
  Session off;
  off.renew(1, 1, 1);
  EXPECT_EQ(off.generation(), 0u);
  EXPECT_FALSE(off.valid_at(1));
}

TEST(NodeSession, HeartbeatAnswersRenewEveryMembersSessionWithoutExtraMessages) {
  Cluster c(3, with_sessions);
  const NodeId l = c.elect();
  ASSERT_NE(l, kNoNode);
  std::size_t messages = 0;
  c.set_observer([&](const Message&) { ++messages; });
  c.tick(20);
  for (NodeId id : c.ids()) {
    const Session& s = c.node(id).session();
    EXPECT_TRUE(s.valid_at(c.node(id).now_ticks())) << id;
    EXPECT_EQ(s.generation(), 1u) << id;
    // Renewed within the last few rounds, not only at election.
    EXPECT_GE(s.anchor_ticks() + 5, c.node(id).now_ticks()) << id;
    if (id == l) continue;
    const PeerSession* peer = c.node(l).peer_session(id);
    ASSERT_NE(peer, nullptr);
    EXPECT_TRUE(peer->heard);
    EXPECT_EQ(peer->last_keepalive_ticks, c.node(l).now_ticks());
    EXPECT_EQ(peer->session_generation, 1u);
  }
  // One heartbeat and one answer per follower per heartbeat interval: sessions add no message.
  EXPECT_EQ(messages, 20u * 2u * 2u);
}

TEST(NodeSession, AnIsolatedFollowersSessionEndsAndRestartsAsANewGeneration) {
  Cluster c(3, with_sessions);
  const NodeId l = c.elect();
  c.tick(5);
  const NodeId f = l == 1 ? 2 : 1;
  ASSERT_TRUE(c.node(f).session().valid_at(c.node(f).now_ticks()));
  const Ticks until = c.node(f).session().valid_until_ticks();
  c.isolate(f);
  c.tick(static_cast<std::size_t>(kLease));
  EXPECT_FALSE(c.node(f).session().valid_at(c.node(f).now_ticks()));
  EXPECT_EQ(c.node(f).session().valid_until_ticks(), until);  // nothing extended it
  const Ticks last = c.node(l).peer_session(f)->last_keepalive_ticks;
  EXPECT_LT(last + static_cast<Ticks>(kLease) - 1, c.node(l).now_ticks());
  c.heal();
  c.tick(3);
  const NodeId l2 = c.leader();
  ASSERT_NE(l2, kNoNode);
  const Session& s = c.node(f).session();
  EXPECT_TRUE(s.valid_at(c.node(f).now_ticks()));
  EXPECT_EQ(s.generation(), 2u);
  // Nothing was committed since the renewal: the generation starts at the commit index.
  EXPECT_EQ(s.start_index(), c.node(f).commit_index());
  EXPECT_GE(s.start_index(), LogIndex{1});
}

// The rule that makes follower sessions safe across a leader change: a leader that may have been
// deposed (no lease) confirms nothing. Five nodes, the leader keeps one follower and loses the
// other three: that follower's answers keep arriving but its session is not extended.
TEST(NodeSession, ALeaderWithoutItsLeaseConfirmsNoKeepalive) {
  Cluster c(5, [](RaftConfig& r) {
    with_sessions(r);
    r.check_quorum = true;
  });
  const NodeId l = c.elect();
  c.tick(5);
  NodeId buddy = kNoNode;
  for (NodeId id : c.ids()) {
    if (id != l) {
      buddy = id;
      break;
    }
  }
  c.partition({l, buddy});
  // The old leader leads until CheckQuorum; its lease ends first.
  while (c.node(l).has_lease()) c.tick();
  c.tick();  // a confirmation received just before the lease ended travels one more heartbeat
  const Ticks buddy_until = c.node(buddy).session().valid_until_ticks();
  const Ticks leader_until = c.node(l).session().valid_until_ticks();
  while (c.node(l).role() == Role::kLeader) c.tick();
  EXPECT_EQ(c.node(buddy).session().valid_until_ticks(), buddy_until);
  EXPECT_EQ(c.node(l).session().valid_until_ticks(), leader_until);
  // A new leader on the majority side: the old side's sessions end before its grace period does
  // (the ticks of all nodes advance together here, so the clocks agree).
  const NodeId l2 = c.elect();
  ASSERT_NE(l2, kNoNode);
  ASSERT_NE(l2, l);
  ASSERT_NE(l2, buddy);
  const Ticks grace_end = c.node(l2).leader_since_ticks() + assigner_wait_ticks(c.node(l2).session().params());
  EXPECT_LT(std::max(buddy_until, leader_until), grace_end);
}

TEST(NodeSession, TheLeadersOwnSessionCountsFromTheSendTickOfAMajorityAckedRound) {
  Cluster c(3, with_sessions);
  const NodeId l = c.elect();
  c.tick(4);
  const Session& s = c.node(l).session();
  // Every round is acknowledged within the tick it is sent in this harness.
  EXPECT_EQ(s.anchor_ticks(), c.node(l).now_ticks());
  c.isolate(l);
  c.tick(3);
  EXPECT_EQ(s.anchor_ticks() + 3, c.node(l).now_ticks());
}

TEST(NodeSession, AnswersReportTheAppliedIndex) {
  Cluster c(3, with_sessions);
  const NodeId l = c.elect();
  c.tick(2);
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.tick(3);
  for (NodeId id : c.ids()) {
    if (id == l) continue;
    EXPECT_EQ(c.node(l).peer_session(id)->applied_index, c.node(id).applied_index());
    EXPECT_GE(c.node(id).applied_index(), LogIndex{2});
  }
  EXPECT_EQ(c.node(l).peer_session(l), nullptr);
}

// With sessions on, the two hops a hand-over waits on are prompt: the leader tells followers a
// commit index that advanced at once (not at the next heartbeat), and a follower reports its
// applied index when the host asks (after applying an ownership entry). No tick passes here.
TEST(NodeSession, WithSessionsACommitReachesTheFollowersBeforeTheNextHeartbeat) {
  for (const bool sessions : {false, true}) {
    Cluster c(3, [&](RaftConfig& r) {
      if (sessions) with_sessions(r);
    });
    const NodeId l = c.elect();
    ASSERT_NE(l, kNoNode);
    c.tick(2);
    ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
    c.stabilize();
    const LogIndex committed = c.node(l).commit_index();
    ASSERT_EQ(committed, c.node(l).last_index());
    for (NodeId id : c.ids()) {
      if (id == l) continue;
      if (sessions) {
        EXPECT_EQ(c.node(id).commit_index(), committed) << id;
      } else {
        EXPECT_LT(c.node(id).commit_index(), committed) << id;  // waits for a heartbeat
      }
    }
  }
}

TEST(NodeSession, AFollowerReportsItsAppliedIndexWhenAsked) {
  Cluster c(3, with_sessions);
  const NodeId l = c.elect();
  c.tick(2);
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  const NodeId f = l == 1 ? 2 : 1;
  // It answered the commit before applying it: the leader's view lags.
  ASSERT_LT(c.node(l).peer_session(f)->applied_index, c.node(f).applied_index());
  c.node(f).report_applied();
  c.stabilize();
  EXPECT_EQ(c.node(l).peer_session(f)->applied_index, c.node(f).applied_index());
  // A leader has nobody to report to.
  c.node(l).report_applied();
  EXPECT_FALSE(c.node(l).has_ready());
}

// The host caps the reported applied index while a local guard holds a cluster this node
// released (docs/ownership.md, "The hand-over waits for local guards"): every answer, the prompt
// report included, carries at most the cap; the true applied index is unaffected; lifting the cap
// and reporting makes the leader see the real index at once.
TEST(NodeSession, TheReportedAppliedIndexStaysAtTheCapUntilItIsLifted) {
  Cluster c(3, with_sessions);
  const NodeId l = c.elect();
  c.tick(2);
  c.stabilize();
  const NodeId f = l == 1 ? 2 : 1;
  c.node(f).report_applied();
  c.stabilize();
  const LogIndex before = c.node(f).applied_index();
  ASSERT_EQ(c.node(l).peer_session(f)->applied_index, before);
  EXPECT_EQ(c.node(f).applied_report_cap(), kNoAppliedReportCap);
  c.node(f).set_applied_report_cap(before);
  ASSERT_EQ(c.node(l).propose("x").code, ProposeResult::Code::kAccepted);
  c.stabilize();
  c.node(f).report_applied();
  c.tick(6);  // heartbeat answers too
  c.stabilize();
  ASSERT_GT(c.node(f).applied_index(), before);
  EXPECT_EQ(c.node(l).peer_session(f)->applied_index, before);
  c.node(f).set_applied_report_cap(kNoAppliedReportCap);
  c.node(f).report_applied();
  c.stabilize();
  EXPECT_EQ(c.node(l).peer_session(f)->applied_index, c.node(f).applied_index());
}

}  // namespace
}  // namespace quorum::raft
