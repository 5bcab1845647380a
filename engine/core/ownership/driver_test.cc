// The leader-side driver: what it proposes, and what it holds back until it is safe
// (docs/ownership.md rules 2, 3 and the hand-over handshake).
#include "engine/core/ownership/driver.h"

#include <gtest/gtest.h>

#include <variant>

namespace quorum::ownership {
namespace {

constexpr raft::SessionParams kSession{30, 1, 0};
const Ticks kWait = raft::assigner_wait_ticks(kSession);  // 32

DriverConfig config() {
  DriverConfig c;
  c.session = kSession;
  c.plan_interval_ticks = 1;
  c.alive_window_ticks = 5;
  c.stable_ticks = 10;
  c.moves_per_plan_max = 4;
  return c;
}

class DriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (NodeId id : {1, 2, 3}) {
      RegisterController r;
      r.id = id;
      r.name = "c" + std::to_string(id);
      apply(r);
      apply(Activate{id});
    }
    for (ClusterId c = 10; c < 16; ++c) apply(AddCluster{c, "db" + std::to_string(c), {}, true});
    self_session_.renew(0, 0, 0);
    view_.self = 1;
    view_.has_lease = true;
    view_.committed_in_term = true;
    view_.self_session = &self_session_;
    hear(2);
    hear(3);
  }
  void apply(const Command& c) {
    const ApplyResult r = sm_.apply(++index_, c);
    ASSERT_EQ(r.code, ApplyResult::Code::kApplied) << r.reason;
  }
  void hear(NodeId id) {
    raft::PeerSession& p = view_.peers[id];
    p.heard = true;
    p.last_keepalive_ticks = view_.now_ticks;
    p.session_generation = std::max<std::uint64_t>(p.session_generation, 1);
    p.applied_index = sm_.applied_index();
  }
  // One tick: every live peer's keepalive arrives, the driver steps, its commands apply.
  std::vector<Command> tick(std::initializer_list<NodeId> silent = {}) {
    ++view_.now_ticks;
    for (auto& [id, p] : view_.peers) {
      if (std::find(silent.begin(), silent.end(), id) == silent.end()) hear(id);
    }
    std::vector<Command> out = driver_.step(sm_, view_);
    for (const Command& c : out) apply(c);
    if (!out.empty()) driver_.on_proposed(index_, view_.now_ticks);
    return out;
  }
  std::size_t owned_by(NodeId id) const {
    std::size_t n = 0;
    for (const auto& [cid, c] : sm_.clusters()) n += c.owner == id && c.state == ClusterState::kOwned;
    return n;
  }

  StateMachine sm_;
  LogIndex index_ = 0;
  raft::Session self_session_{kSession};
  LeaderView view_;
  Driver driver_{config()};
};

TEST_F(DriverTest, NothingWithoutTheLeaseOrACommittedEntryOfTheTerm) {
  view_.has_lease = false;
  EXPECT_TRUE(tick().empty());
  view_.has_lease = true;
  view_.committed_in_term = false;
  EXPECT_TRUE(tick().empty());
}

TEST_F(DriverTest, UnownedClustersAreGrantedAtOnceAndBalanced) {
  // Inherited stable controllers (active when the leader took office) receive load at once,
  // and grants of unowned clusters need no grace period.
  tick();
  tick();
  EXPECT_EQ(owned_by(1), 2u);
  EXPECT_EQ(owned_by(2), 2u);
  EXPECT_EQ(owned_by(3), 2u);
  EXPECT_TRUE(tick().empty());  // sticky: a balanced pool plans nothing
}

TEST_F(DriverTest, ASilentOwnersClustersMoveOnlyAfterTheAssignerWait) {
  while (view_.now_ticks < kWait + 5) tick();  // past the new-leader grace
  ASSERT_EQ(owned_by(3), 2u);
  const Ticks last = view_.now_ticks;
  // 3 goes silent: its clusters stay put until t' + W.
  while (view_.now_ticks + 1 < last + kWait) {
    tick({3});
    ASSERT_EQ(owned_by(3), 2u) << "at " << view_.now_ticks;
  }
  tick({3});
  tick({3});
  EXPECT_EQ(owned_by(3), 0u);
  EXPECT_EQ(owned_by(1) + owned_by(2), 6u);
  EXPECT_EQ(driver_.stats().takeovers, 2u);
}

// DriverStats::longest_unowned_ticks (quorumd's quorum_pool_longest_unowned_ms): a takeover's
// gap runs from the silent owner's last keepalive to the grant; a hand-over's is the steps
// between the Release and the Assign; neither counts the first grants of new clusters.
TEST_F(DriverTest, TheLongestUnownedGapRunsFromTheLastKeepaliveToTheGrant) {
  while (view_.now_ticks < kWait + 5) tick();
  EXPECT_EQ(driver_.stats().longest_unowned_ticks, 0u) << "first grants are not gaps";
  apply(Drain{2});
  for (int i = 0; i < 10; ++i) tick();
  EXPECT_EQ(owned_by(2), 0u);
  const Ticks handover = driver_.stats().longest_unowned_ticks;
  EXPECT_GE(handover, 1u);
  EXPECT_LE(handover, 3u) << "a hand-over waits only for the owner's report";
  apply(Activate{2});
  ASSERT_GT(owned_by(3), 0u);
  const Ticks last = view_.now_ticks;
  while (owned_by(3) > 0) tick({3});
  tick({3});
  const Ticks gap = driver_.stats().longest_unowned_ticks;
  EXPECT_GE(gap, kWait) << "backdated to 3's last keepalive";
  EXPECT_LE(gap, view_.now_ticks - last);
}

TEST_F(DriverTest, AMembershipChangeDoesNotMakeAnOwnerLookSilentSinceTheOffice) {
  // Found by the simulator's ownership checker: the tracker re-creates a member's progress on a
  // membership change (fresh PeerSession, heard = false) and drops a removed one; the leader
  // heard it a tick ago, so its clusters stay put for W.
  while (view_.now_ticks < kWait + 5) tick();
  ASSERT_EQ(owned_by(3), 2u);
  const Ticks last = view_.now_ticks;
  view_.peers[3] = raft::PeerSession{};  // demoted to learner: progress re-created
  while (view_.now_ticks + 1 < last + kWait) {
    tick({3});
    ASSERT_EQ(owned_by(3), 2u) << "at " << view_.now_ticks;
  }
  view_.peers.erase(3);  // removed: no progress at all
  tick({3});
  tick({3});
  EXPECT_EQ(owned_by(3), 0u);
}

TEST_F(DriverTest, ANewLeaderTakesNothingDuringItsGracePeriod) {
  tick();
  ASSERT_EQ(owned_by(3), 2u);
  // 3 was never heard by this leader (it took office at tick 0).
  view_.peers.erase(3);
  while (view_.now_ticks + 1 < kWait) {
    tick();
    ASSERT_EQ(owned_by(3), 2u) << "at " << view_.now_ticks;
  }
  tick();
  tick();
  EXPECT_EQ(owned_by(3), 0u);
}

// Rule 8: a reachable owner reported unfit is handed over from at once (the step that first sees
// it, not the next plan interval), even during the new-leader grace (a hand-over needs no wait).
TEST_F(DriverTest, UnfitOwnerIsHandedOverFromInTheStepThatFirstSeesIt) {
  DriverConfig slow = config();
  slow.plan_interval_ticks = 1000;  // only a prompt plan can move it
  driver_ = Driver(slow);
  tick();
  tick();
  ASSERT_EQ(owned_by(3), 2u);
  ASSERT_LT(view_.now_ticks, kWait) << "inside the new-leader grace";
  view_.unfit = {3};
  ++view_.now_ticks;
  hear(2);
  hear(3);
  std::size_t releases = 0;
  for (const Command& c : driver_.step(sm_, view_)) {
    const auto* r = std::get_if<Release>(&c);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->from, 3u);
    EXPECT_NE(r->to, 3u);
    ++releases;
    apply(c);
  }
  EXPECT_EQ(releases, 2u);
  driver_.on_proposed(index_, view_.now_ticks);
  // 3 applied the Releases and reports so: the Assigns follow in the step that sees the report.
  tick();
  EXPECT_EQ(owned_by(3), 0u);
  EXPECT_EQ(owned_by(1) + owned_by(2), 6u);
  EXPECT_EQ(driver_.stats().handovers, 2u);
  EXPECT_EQ(driver_.stats().takeovers, 0u);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(tick().empty()) << "nothing more until the next plan";
}

// Rule 8: once fit again, a controller receives load only after the stable time, although it was
// stable (inherited) before: a flapping backend does not pull clusters back and forth.
TEST_F(DriverTest, UnfitControllerFitAgainReceivesLoadOnlyAfterTheStableTime) {
  tick();
  tick();
  ASSERT_EQ(owned_by(3), 2u);
  view_.unfit = {3};
  for (int i = 0; i < 4; ++i) tick();
  ASSERT_EQ(owned_by(3), 0u);
  view_.unfit.clear();
  const Ticks fit_at = view_.now_ticks + 1;
  while (view_.now_ticks + 1 < fit_at + config().stable_ticks) {
    tick();
    ASSERT_EQ(owned_by(3), 0u) << "given load " << view_.now_ticks - fit_at << " ticks after fit";
  }
  for (int i = 0; i < 6 && owned_by(3) < 2; ++i) tick();
  EXPECT_EQ(owned_by(3), 2u) << "rebalanced once stable";
}

TEST_F(DriverTest, AHandOverWaitsUntilTheOldOwnerAppliedItsRelease) {
  while (view_.now_ticks < kWait + 5) tick();
  apply(Drain{3});
  // The Release goes out at once; the Assign waits for 3's applied index.
  ++view_.now_ticks;
  std::vector<Command> out = driver_.step(sm_, view_);
  for (const Command& c : out) apply(c);
  std::size_t releases = 0;
  for (const Command& c : out) releases += std::holds_alternative<Release>(c);
  EXPECT_EQ(releases, 2u);
  // 3 keeps answering but reports the old applied index: no Assign.
  view_.peers[3].applied_index = 0;
  for (int i = 0; i < 5; ++i) {
    ++view_.now_ticks;
    for (const Command& c : driver_.step(sm_, view_)) {
      EXPECT_FALSE(std::holds_alternative<Assign>(c));
      apply(c);
    }
    view_.peers[3].last_keepalive_ticks = view_.now_ticks;
  }
  EXPECT_GT(driver_.stats().held_back, 0u);
  // It applied the Releases: the hand-over completes.
  tick();
  tick();
  EXPECT_EQ(owned_by(3), 0u);
  EXPECT_EQ(driver_.stats().handovers, 2u);
  EXPECT_EQ(driver_.stats().takeovers, 0u);
}

// The two hops of the no-actor gaps are planned at once, not at the next plan interval: a silent
// owner's clusters at the first tick rule 2 allows, a hand-over in the step whose view first
// shows the old owner's report of the Release applied.
TEST_F(DriverTest, ATakeoverIsPlannedTheTickTheWaitEndsNotAtTheNextPlanInterval) {
  DriverConfig c = config();
  c.plan_interval_ticks = 1000;
  driver_ = Driver(c);
  while (view_.now_ticks < kWait + 5) tick();  // one plan at tick 1 granted everything
  ASSERT_EQ(owned_by(3), 2u);
  const Ticks last = view_.now_ticks;
  while (owned_by(3) == 2u && view_.now_ticks < last + 500) tick({3});
  EXPECT_EQ(owned_by(3), 0u);
  EXPECT_EQ(view_.now_ticks, last + kWait);  // the first tick may_take_from(3) is true
  EXPECT_EQ(driver_.stats().takeovers, 2u);
}

TEST_F(DriverTest, AHandOverCompletesInTheStepTheOwnersReportArrives) {
  DriverConfig c = config();
  c.plan_interval_ticks = 1000;
  driver_ = Driver(c);
  tick();
  ASSERT_EQ(owned_by(3), 2u);
  view_.peers[3].applied_index = 0;  // 3 reports nothing new from here on
  apply(Drain{3});
  // The Drain is a new state, but plans wait for the interval: nothing yet.
  const auto step = [&] {
    ++view_.now_ticks;
    view_.peers[2].last_keepalive_ticks = view_.now_ticks;
    view_.peers[3].last_keepalive_ticks = view_.now_ticks;
    std::vector<Command> out = driver_.step(sm_, view_);
    for (const Command& command : out) apply(command);
    if (!out.empty()) driver_.on_proposed(index_, view_.now_ticks);
    return out;
  };
  while (view_.now_ticks + 1 < 1001) ASSERT_TRUE(step().empty()) << view_.now_ticks;
  std::vector<Command> out = step();  // the interval's plan: the Releases
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Release>(out[0]));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(step().empty());
  view_.peers[3].applied_index = sm_.applied_index();  // 3's report: it applied the Releases
  out = step();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Assign>(out[0]));
  EXPECT_EQ(owned_by(3), 0u);
  EXPECT_EQ(driver_.stats().handovers, 2u);
}

// The leader drains itself while a local guard holds one of its clusters: its host caps the
// applied index it would report below the Release (engine/host/guard_holds.h), and the driver
// reads its own hand-overs through that cap as it reads a follower's report. Lifting the cap
// completes them in the same step, with a plan interval far away.
TEST_F(DriverTest, AHandOverFromTheLeaderWaitsWhileItsOwnReportIsCapped) {
  DriverConfig c = config();
  c.plan_interval_ticks = 1000;
  driver_ = Driver(c);
  tick();
  ASSERT_EQ(owned_by(1), 2u);
  apply(Drain{1});
  view_.now_ticks = 1001;
  hear(2);
  hear(3);
  std::vector<Command> out = driver_.step(sm_, view_);
  std::size_t releases = 0;
  for (const Command& command : out) {
    releases += std::holds_alternative<Release>(command);
    apply(command);
  }
  ASSERT_EQ(releases, 2u);
  driver_.on_proposed(index_, view_.now_ticks);
  view_.self_applied_report_cap = index_ - 2;  // below both Releases
  for (int i = 0; i < 5; ++i) {
    ++view_.now_ticks;
    hear(2);
    hear(3);
    for (const Command& command : driver_.step(sm_, view_)) EXPECT_FALSE(std::holds_alternative<Assign>(command));
  }
  EXPECT_EQ(driver_.stats().handovers, 0u);
  view_.self_applied_report_cap = ~LogIndex{0};  // the last hold went
  ++view_.now_ticks;
  hear(2);
  hear(3);
  out = driver_.step(sm_, view_);
  for (const Command& command : out) apply(command);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(owned_by(1), 0u);
  EXPECT_EQ(driver_.stats().handovers, 2u);
}

TEST_F(DriverTest, ALapsedOwnerIsRegrantedItsOwnClusters) {
  tick();
  tick();
  ASSERT_EQ(owned_by(2), 2u);
  Epoch before = 0;
  for (const auto& [id, c] : sm_.clusters()) before = std::max(before, c.owner == 2 ? c.epoch : 0);
  view_.peers[2].session_start_index = sm_.applied_index();  // a new generation started
  view_.peers[2].session_generation = 2;
  tick();
  EXPECT_EQ(owned_by(2), 2u);
  EXPECT_EQ(driver_.stats().regrants, 2u);
  for (const auto& [id, c] : sm_.clusters()) {
    if (c.owner == 2) {
      EXPECT_GT(c.epoch, view_.peers[2].session_start_index);
    }
  }
  EXPECT_GT(sm_.applied_index(), before);
}

}  // namespace
}  // namespace quorum::ownership
