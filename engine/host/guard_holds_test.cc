// GuardHolds (guard_holds.h): holds by local guards and the cap they put on the applied index a
// releasing controller reports. Time is passed in: ticks of the host's clock.
#include "engine/host/guard_holds.h"

#include <gtest/gtest.h>

#include "engine/core/ownership/state_machine.h"

namespace quorum::host {
namespace {

using ownership::ClusterId;
using ownership::StateMachine;

constexpr NodeId kSelf = 1;
constexpr NodeId kOther = 2;
constexpr ClusterId kDb1 = 1;
constexpr ClusterId kDb2 = 2;

// Two active controllers and two clusters owned by kSelf; `index` is the last applied index.
struct Pool {
  StateMachine sm;
  LogIndex index = 0;
  Pool() {
    for (NodeId id : {kSelf, kOther}) {
      ownership::RegisterController c;
      c.id = id;
      c.name = "ctl" + std::to_string(id);
      apply(c);
      apply(ownership::Activate{id});
    }
    for (ClusterId id : {kDb1, kDb2}) {
      apply(ownership::AddCluster{id, "db" + std::to_string(id), {}, true});
      apply(ownership::Assign{id, kSelf, 0});
    }
  }
  void apply(const ownership::Command& command) {
    const ownership::ApplyResult r = sm.apply(++index, command);
    ASSERT_EQ(r.code, ownership::ApplyResult::Code::kApplied) << r.reason;
  }
  void release(ClusterId id) {
    const ownership::Cluster* c = sm.find_cluster(id);
    apply(ownership::Release{id, kSelf, c->epoch, kOther});
  }
  void complete(ClusterId id) {
    const ownership::Cluster* c = sm.find_cluster(id);
    apply(ownership::Assign{id, kOther, c->epoch});
  }
};

TEST(GuardHolds, WithoutHoldsThereIsNoCapEvenWhileHandingOver) {
  Pool pool;
  GuardHolds holds;
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 0), raft::kNoAppliedReportCap);
  pool.release(kDb1);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 1), raft::kNoAppliedReportCap);
}

TEST(GuardHolds, AHeldReleaseCapsBelowItsIndexUntilTheHoldIsDropped) {
  Pool pool;
  GuardHolds holds;
  EXPECT_EQ(holds.hold(kDb1, "g1", 100), GuardHolds::Added::kAdded);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 10), raft::kNoAppliedReportCap);  // owned: no cap
  const LogIndex before = pool.index;
  pool.release(kDb1);
  const LogIndex release_index = pool.index;
  const LogIndex cap = holds.report_cap(pool.sm, kSelf, pool.index, 11);
  EXPECT_EQ(cap, before);
  EXPECT_LT(cap, release_index);
  // Later entries do not move the cap: it stays below the Release.
  pool.apply(ownership::SetWeight{kOther, 3});
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 12), before);
  EXPECT_FALSE(holds.drop(kDb1, "someone else"));
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 13), before);
  EXPECT_TRUE(holds.drop(kDb1, "g1"));
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 14), raft::kNoAppliedReportCap);
  EXPECT_FALSE(holds.drop(kDb1, "g1"));
}

TEST(GuardHolds, AHoldEndsAtItsEndByTheClockSoItNeverDelaysForever) {
  Pool pool;
  GuardHolds holds;
  holds.hold(kDb1, "g1", 50);
  holds.report_cap(pool.sm, kSelf, pool.index, 10);
  const LogIndex before = pool.index;
  pool.release(kDb1);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 49), before);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 50), raft::kNoAppliedReportCap);
  EXPECT_TRUE(holds.empty());
}

TEST(GuardHolds, ARenewalNeverShortensAHold) {
  GuardHolds holds;
  EXPECT_EQ(holds.hold(kDb1, "g1", 50), GuardHolds::Added::kAdded);
  EXPECT_EQ(holds.hold(kDb1, "g1", 40), GuardHolds::Added::kRenewed);
  EXPECT_EQ(holds.held_until(kDb1), 50u);
  EXPECT_EQ(holds.hold(kDb1, "g1", 70), GuardHolds::Added::kRenewed);
  EXPECT_EQ(holds.held_until(kDb1), 70u);
  EXPECT_EQ(holds.held_until(kDb2), 0u);
  holds.expire(69);
  EXPECT_EQ(holds.size(), 1u);
  holds.expire(70);
  EXPECT_EQ(holds.size(), 0u);
}

// Two guards on one cluster: the cap lasts until the last of them is gone.
TEST(GuardHolds, TheCapLastsUntilTheLastHoldOnTheClusterGoes) {
  Pool pool;
  GuardHolds holds;
  holds.hold(kDb1, "g1", 100);
  holds.hold(kDb1, "g2", 30);
  holds.report_cap(pool.sm, kSelf, pool.index, 10);
  const LogIndex before = pool.index;
  pool.release(kDb1);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 11), before);
  holds.drop(kDb1, "g1");
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 20), before);  // g2 still holds
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 30), raft::kNoAppliedReportCap);
}

// Two held clusters released at different indices: the lower bound wins while both are held.
TEST(GuardHolds, SeveralHeldReleasesCapBelowTheFirstStillHeld) {
  Pool pool;
  GuardHolds holds;
  holds.hold(kDb1, "g1", 100);
  holds.hold(kDb2, "g2", 100);
  holds.report_cap(pool.sm, kSelf, pool.index, 1);
  const LogIndex before1 = pool.index;
  pool.release(kDb1);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 2), before1);
  const LogIndex before2 = pool.index;
  pool.release(kDb2);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 3), before1);
  holds.drop(kDb1, "g1");
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 4), before2);
  holds.drop(kDb2, "g2");
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 5), raft::kNoAppliedReportCap);
}

// Held, but the cluster is owned by someone else or handing over from someone else: nothing of
// this controller's is being acknowledged, no cap. A completed hand-over ends the cap too.
TEST(GuardHolds, OnlyAReleaseFromSelfIsCapped) {
  Pool pool;
  GuardHolds holds;
  holds.hold(kDb1, "g1", 100);
  holds.report_cap(pool.sm, kSelf, pool.index, 1);
  pool.release(kDb1);
  // Seen from the other controller: its own clusters are not handing over.
  EXPECT_EQ(holds.report_cap(pool.sm, kOther, pool.index, 2), raft::kNoAppliedReportCap);
  pool.complete(kDb1);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 3), raft::kNoAppliedReportCap);
}

// A cluster that comes back to this controller and is released again is capped below the new
// Release, not the old one.
TEST(GuardHolds, ASecondReleaseIsCappedBelowItsOwnIndex) {
  Pool pool;
  GuardHolds holds;
  holds.hold(kDb1, "g1", 100);
  holds.report_cap(pool.sm, kSelf, pool.index, 1);
  pool.release(kDb1);
  holds.report_cap(pool.sm, kSelf, pool.index, 2);
  pool.complete(kDb1);
  holds.report_cap(pool.sm, kSelf, pool.index, 3);
  const ownership::Cluster* c = pool.sm.find_cluster(kDb1);
  pool.apply(ownership::Release{kDb1, kOther, c->epoch, kSelf});
  pool.apply(ownership::Assign{kDb1, kSelf, pool.sm.find_cluster(kDb1)->epoch});
  holds.report_cap(pool.sm, kSelf, pool.index, 4);
  const LogIndex before = pool.index;
  pool.release(kDb1);
  EXPECT_EQ(holds.report_cap(pool.sm, kSelf, pool.index, 5), before);
}

TEST(GuardHolds, TheTableIsBoundedAndHoldersAreShortTokens) {
  GuardHolds holds;
  for (std::size_t i = 0; i < GuardHolds::kHoldsMax; ++i) {
    ASSERT_EQ(holds.hold(kDb1, "g" + std::to_string(i), 10), GuardHolds::Added::kAdded);
  }
  EXPECT_EQ(holds.hold(kDb2, "one-more", 10), GuardHolds::Added::kFull);
  EXPECT_EQ(holds.hold(kDb1, "g7", 20), GuardHolds::Added::kRenewed);  // renewals still work
  EXPECT_TRUE(valid_holder("4711-a1b2.c_d"));
  EXPECT_FALSE(valid_holder(""));
  EXPECT_FALSE(valid_holder("a b"));
  EXPECT_FALSE(valid_holder("a&b"));
  EXPECT_FALSE(valid_holder(std::string(GuardHolds::kHolderBytesMax + 1, 'x')));
  EXPECT_TRUE(valid_holder(std::string(GuardHolds::kHolderBytesMax, 'x')));
}

}  // namespace
}  // namespace quorum::host
