#include "engine/core/ownership/state_machine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/core/ownership/invariants.h"

namespace quorum::ownership {
namespace {

using Code = ApplyResult::Code;

RegisterController reg(NodeId id, std::string name,
                       ControllerRole role = ControllerRole::kActive) {
  RegisterController c;
  c.id = id;
  c.name = std::move(name);
  c.address = "10.0.0." + std::to_string(id) + ":9500";
  c.role = role;
  c.auto_recovery = role == ControllerRole::kActive;
  return c;
}

// Base state: controllers 1, 2 active; 3 a standby; 4 joining; 5 active with auto-recovery
// off; 6 draining. Clusters 10 (owned by 1), 11 (unowned), 12 (handing over from 1 to 2).
class OwnershipSm : public ::testing::Test {
 protected:
  void SetUp() override {
    ok(reg(1, "c1"));
    ok(reg(2, "c2"));
    ok(reg(3, "standby", ControllerRole::kStandby));
    ok(reg(4, "joiner"));
    RegisterController no_recovery = reg(5, "no-recovery");
    no_recovery.auto_recovery = false;
    ok(no_recovery);
    ok(reg(6, "drainer"));
    for (NodeId id : {1, 2, 5, 6}) ok(Activate{id});
    ok(Drain{6});
    ok(AddCluster{10, "db10", {{"site", "A"}}, true});
    ok(AddCluster{11, "db11", {}, false});
    ok(AddCluster{12, "db12", {}, true});
    ok(Assign{10, 1, 0});
    epoch10_ = sm_.applied_index();
    ok(Assign{12, 1, 0});
    epoch12_ = sm_.applied_index();
    ok(Release{12, 1, epoch12_, 2});
  }

  ApplyResult apply(const Command& c) {
    const StateMachine before = sm_;
    ApplyResult r = sm_.apply(++index_, c);
    EXPECT_EQ(sm_.check_invariants(), "");
    EXPECT_EQ(check_transition(before, sm_), "");
    EXPECT_EQ(sm_.applied_index(), index_);
    return r;
  }
  void ok(const Command& c) {
    ApplyResult r = apply(c);
    ASSERT_EQ(r.code, Code::kApplied) << r.reason;
  }

  StateMachine sm_;
  LogIndex index_ = 0;
  Epoch epoch10_ = 0;
  Epoch epoch12_ = 0;
};

TEST_F(OwnershipSm, RegisterAddsAJoiningControllerWithItsFields) {
  RegisterController c = reg(7, "c7");
  c.weight = 3;
  c.tags = {{"site", "B"}};
  ok(c);
  const Controller* got = sm_.find_controller(7);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->name, "c7");
  EXPECT_EQ(got->address, "10.0.0.7:9500");
  EXPECT_EQ(got->weight, 3u);
  EXPECT_EQ(got->tags.at("site"), "B");
  EXPECT_EQ(got->state, ControllerState::kJoining);
  EXPECT_TRUE(got->auto_recovery);
}

TEST_F(OwnershipSm, AssignGrantsWithTheEntryIndexAsEpoch) {
  ApplyResult r = apply(Assign{11, 2, 0});
  ASSERT_EQ(r.code, Code::kApplied) << r.reason;
  const Cluster& cl = *sm_.find_cluster(11);
  EXPECT_EQ(cl.owner, 2u);
  EXPECT_EQ(cl.epoch, index_);
  EXPECT_EQ(r.epoch, index_);
  EXPECT_EQ(cl.state, ClusterState::kOwned);
}

TEST_F(OwnershipSm, ARegrantToTheCurrentOwnerBumpsTheEpochOnly) {
  ASSERT_EQ(apply(Assign{10, 1, epoch10_}).code, Code::kApplied);
  EXPECT_EQ(sm_.find_cluster(10)->owner, 1u);
  EXPECT_EQ(sm_.find_cluster(10)->epoch, index_);
  EXPECT_GT(index_, epoch10_);
  // Compare-and-set still holds: the old epoch is stale now.
  EXPECT_EQ(apply(Assign{10, 2, epoch10_}).code, Code::kStaleEpoch);
}

TEST_F(OwnershipSm, TakeoverOfAnOwnedClusterBumpsTheEpoch) {
  ASSERT_EQ(apply(Assign{10, 2, epoch10_}).code, Code::kApplied);
  EXPECT_EQ(sm_.find_cluster(10)->owner, 2u);
  EXPECT_GT(sm_.find_cluster(10)->epoch, epoch10_);
}

TEST_F(OwnershipSm, HandOverReleasesThenTheTargetAcquires) {
  const Cluster& before = *sm_.find_cluster(12);
  EXPECT_EQ(before.state, ClusterState::kHandingOver);
  EXPECT_EQ(before.owner, 1u);
  EXPECT_EQ(before.handover_to, 2u);
  EXPECT_EQ(before.epoch, epoch12_);  // a release keeps the epoch
  ASSERT_EQ(apply(Assign{12, 2, epoch12_}).code, Code::kApplied);
  const Cluster& after = *sm_.find_cluster(12);
  EXPECT_EQ(after.state, ClusterState::kOwned);
  EXPECT_EQ(after.owner, 2u);
  EXPECT_EQ(after.handover_to, kNoNode);
  EXPECT_EQ(after.epoch, index_);
}

TEST_F(OwnershipSm, PlainReleaseLeavesTheClusterUnownedWithItsEpoch) {
  ASSERT_EQ(apply(Release{10, 1, epoch10_, kNoNode}).code, Code::kApplied);
  const Cluster& cl = *sm_.find_cluster(10);
  EXPECT_EQ(cl.state, ClusterState::kUnowned);
  EXPECT_EQ(cl.owner, kNoNode);
  EXPECT_EQ(cl.epoch, epoch10_);
  // The next grant must compare against the kept epoch.
  EXPECT_EQ(apply(Assign{10, 2, 0}).code, Code::kStaleEpoch);
  EXPECT_EQ(apply(Assign{10, 2, epoch10_}).code, Code::kApplied);
}

TEST_F(OwnershipSm, ControllerLifecycleCommands) {
  ok(SetWeight{1, 7});
  EXPECT_EQ(sm_.find_controller(1)->weight, 7u);
  ok(Drain{1});
  EXPECT_EQ(sm_.find_controller(1)->state, ControllerState::kDraining);
  ok(Activate{1});  // undrain
  EXPECT_EQ(sm_.find_controller(1)->state, ControllerState::kActive);
  ok(Activate{4});
  EXPECT_EQ(sm_.find_controller(4)->state, ControllerState::kActive);
  ok(Promote{3});
  EXPECT_EQ(sm_.find_controller(3)->role, ControllerRole::kActive);
  EXPECT_TRUE(sm_.find_controller(3)->auto_recovery);
}

TEST_F(OwnershipSm, AForcedPromoteAppliesExactlyAsAnUnforcedOne) {
  // `force` is the leader's rule's business (promote.h): apply ignores it, so every controller
  // reaches the same state whether or not the operator forced it; the entry keeps the record.
  StateMachine forced = sm_;
  const LogIndex next = sm_.applied_index() + 1;
  const ApplyResult plain = sm_.apply(next, Promote{3});
  const ApplyResult with_force = forced.apply(next, Promote{3, /*force=*/true});
  EXPECT_EQ(plain, with_force);
  EXPECT_EQ(plain.code, Code::kApplied);
  EXPECT_EQ(sm_, forced);
  // And a forced promotion of a controller that is not a standby is refused like any other.
  EXPECT_EQ(forced.apply(next + 1, Promote{3, true}).code, Code::kConflict);
}

TEST_F(OwnershipSm, DeregisterRemovesAControllerThatOwnsNothingAndClearsItsPins) {
  ok(Pin{11, 4});
  ok(DeregisterController{4});
  EXPECT_EQ(sm_.find_controller(4), nullptr);
  EXPECT_EQ(sm_.find_cluster(11)->pinned_owner, kNoNode);
}

TEST_F(OwnershipSm, ClusterCommands) {
  ok(Pin{11, 2});
  EXPECT_EQ(sm_.find_cluster(11)->pinned_owner, 2u);
  ok(Unpin{11});
  EXPECT_EQ(sm_.find_cluster(11)->pinned_owner, kNoNode);
  ok(RemoveCluster{10});
  EXPECT_EQ(sm_.find_cluster(10), nullptr);
  const Cluster& db11 = *sm_.find_cluster(11);
  EXPECT_FALSE(db11.auto_recovery);
  EXPECT_EQ(db11.name, "db11");
}

struct Rejection {
  const char* name;
  Command command;
  Code code;
  const char* reason_part;
};

// Every rejection: the state stays exactly as it was, the reason is given, the applied index
// advances.
TEST_F(OwnershipSm, RejectsEachBadCommandWithAReasonAndChangesNothing) {
  RegisterController bad_weight = reg(7, "c7");
  bad_weight.weight = 0;
  RegisterController heavy = reg(7, "c7");
  heavy.weight = kWeightMax + 1;
  RegisterController standby_recovering = reg(7, "c7", ControllerRole::kStandby);
  standby_recovering.auto_recovery = true;
  RegisterController bad_tag = reg(7, "c7");
  bad_tag.tags = {{"si te", "A"}};
  RegisterController long_address = reg(7, "c7");
  long_address.address = std::string(kAddressBytesMax + 1, 'a');
  const std::vector<Rejection> cases = {
      {"register id 0", reg(0, "zero"), Code::kInvalid, "id is 0"},
      {"register empty name", reg(7, ""), Code::kInvalid, "name is empty"},
      {"register long name", reg(7, std::string(kNameBytesMax + 1, 'n')), Code::kInvalid,
       "above the limit"},
      {"register control name", reg(7, "a\nb"), Code::kInvalid, "control character"},
      {"register weight 0", bad_weight, Code::kInvalid, "weight 0"},
      {"register weight too big", heavy, Code::kInvalid, "outside"},
      {"register recovering standby", standby_recovering, Code::kInvalid, "auto-recovery off"},
      {"register bad tag", bad_tag, Code::kInvalid, "tag key"},
      {"register long address", long_address, Code::kInvalid, "address"},
      {"register duplicate id", reg(1, "other"), Code::kConflict, "already registered"},
      {"register duplicate name", reg(7, "c1"), Code::kConflict, "already used"},
      {"deregister unknown", DeregisterController{99}, Code::kNotFound, "not registered"},
      {"deregister owner", DeregisterController{1}, Code::kConflict, "drain it first"},
      {"deregister hand-over target", DeregisterController{2}, Code::kConflict, "drain"},
      {"weight 0", SetWeight{1, 0}, Code::kInvalid, "weight 0"},
      {"weight unknown", SetWeight{99, 2}, Code::kNotFound, "not registered"},
      {"drain unknown", Drain{99}, Code::kNotFound, "not registered"},
      {"drain draining", Drain{6}, Code::kConflict, "already draining"},
      {"activate unknown", Activate{99}, Code::kNotFound, "not registered"},
      {"activate active", Activate{1}, Code::kConflict, "already active"},
      {"promote unknown", Promote{99}, Code::kNotFound, "not registered"},
      {"promote active", Promote{1}, Code::kConflict, "not a standby"},
      {"add id 0", AddCluster{0, "x", {}, true}, Code::kInvalid, "id is 0"},
      {"add empty name", AddCluster{20, "", {}, true}, Code::kInvalid, "name is empty"},
      {"add bad tag", AddCluster{20, "x", {{"", "v"}}, true}, Code::kInvalid, "tag key is empty"},
      {"add duplicate", AddCluster{10, "x", {}, true}, Code::kConflict, "already exists"},
      {"remove unknown", RemoveCluster{99}, Code::kNotFound, "does not exist"},
      {"pin to 0", Pin{11, kNoNode}, Code::kInvalid, "Unpin"},
      {"pin unknown cluster", Pin{99, 1}, Code::kNotFound, "does not exist"},
      {"pin unknown controller", Pin{11, 99}, Code::kNotFound, "not registered"},
      {"pin to standby", Pin{11, 3}, Code::kConflict, "standby"},
      {"unpin unknown", Unpin{99}, Code::kNotFound, "does not exist"},
      {"unpin unpinned", Unpin{11}, Code::kConflict, "not pinned"},
      {"assign unknown cluster", Assign{99, 1, 0}, Code::kNotFound, "does not exist"},
      {"assign to 0", Assign{11, kNoNode, 0}, Code::kInvalid, "target controller is 0"},
      {"assign unknown controller", Assign{11, 99, 0}, Code::kNotFound, "not registered"},
      {"assign to standby", Assign{11, 3, 0}, Code::kConflict, "standby"},
      {"assign to joining", Assign{11, 4, 0}, Code::kConflict, "joining, not active"},
      {"assign to no-recovery", Assign{11, 5, 0}, Code::kConflict, "auto-recovery off"},
      {"assign to draining", Assign{11, 6, 0}, Code::kConflict, "draining, not active"},
      {"assign stale epoch", Assign{10, 2, epoch10_ - 1}, Code::kStaleEpoch, "expected epoch"},
      {"release unknown", Release{99, 1, 0, kNoNode}, Code::kNotFound, "does not exist"},
      {"release from 0", Release{10, kNoNode, epoch10_, kNoNode}, Code::kInvalid, "controller 0"},
      {"release to self", Release{10, 1, epoch10_, 1}, Code::kInvalid, "to itself"},
      {"release to standby", Release{10, 1, epoch10_, 3}, Code::kConflict, "standby"},
      {"release to unknown", Release{10, 1, epoch10_, 99}, Code::kNotFound, "not registered"},
      {"release wrong owner", Release{10, 2, epoch10_, kNoNode}, Code::kStaleEpoch, "owned by 1"},
      {"release stale epoch", Release{10, 1, epoch10_ + 1, kNoNode}, Code::kStaleEpoch,
       "epoch"},
      {"release unowned", Release{11, 1, 0, kNoNode}, Code::kStaleEpoch, "unowned"},
      {"release handing over", Release{12, 1, epoch12_, kNoNode}, Code::kStaleEpoch,
       "handing-over"},
  };
  for (const Rejection& c : cases) {
    const StateMachine before = sm_;
    ApplyResult r = apply(c.command);
    EXPECT_EQ(r.code, c.code) << c.name << ": " << r.reason;
    EXPECT_NE(r.reason.find(c.reason_part), std::string::npos) << c.name << ": " << r.reason;
    EXPECT_EQ(sm_.snapshot(), before.snapshot()) << c.name;
    EXPECT_EQ(sm_.applied_index(), index_) << c.name;
  }
}

TEST_F(OwnershipSm, StaleEpochRejectionReportsTheCurrentEpoch) {
  ApplyResult r = apply(Assign{10, 2, 1});
  EXPECT_EQ(r.code, Code::kStaleEpoch);
  EXPECT_EQ(r.epoch, epoch10_);
}

TEST(OwnershipSmLimits, RejectsTheControllerAndClusterBeyondTheLimits) {
  StateMachine sm;
  LogIndex index = 0;
  for (NodeId id = 1; id <= kControllersMax; ++id) {
    ASSERT_EQ(sm.apply(++index, reg(id, "c" + std::to_string(id))).code, Code::kApplied);
  }
  ApplyResult r = sm.apply(++index, reg(kControllersMax + 1, "one-too-many"));
  EXPECT_EQ(r.code, Code::kTooLarge);
  EXPECT_EQ(sm.controllers().size(), kControllersMax);
  for (ClusterId id = 1; id <= kClustersMax; ++id) {
    ASSERT_EQ(sm.apply(++index, AddCluster{id, "db", {}, true}).code, Code::kApplied);
  }
  r = sm.apply(++index, AddCluster{kClustersMax + 1, "db", {}, true});
  EXPECT_EQ(r.code, Code::kTooLarge);
  EXPECT_EQ(sm.clusters().size(), kClustersMax);
  EXPECT_EQ(sm.check_invariants(), "");
}

TEST_F(OwnershipSm, SnapshotRestoreRoundTrips) {
  StateMachine copy;
  ASSERT_TRUE(copy.restore(sm_.applied_index(), sm_.snapshot()).is_ok());
  EXPECT_EQ(copy, sm_);
}

// Each broken rule of an untrusted snapshot is refused and leaves the target unchanged.
TEST_F(OwnershipSm, RestoreRefusesEveryBrokenRuleAndKeepsTheState) {
  struct Bad {
    const char* name;
    void (*edit)(Snapshot&, LogIndex&);
    const char* reason_part;
  };
  const std::vector<Bad> cases = {
      {"key mismatch", [](Snapshot& s, LogIndex&) { s.controllers[1].id = 9; }, "holds id"},
      {"gone controller",
       [](Snapshot& s, LogIndex&) { s.controllers[4].state = ControllerState::kGone; }, "gone"},
      {"unknown state",
       [](Snapshot& s, LogIndex&) { s.controllers[4].state = static_cast<ControllerState>(9); },
       "unknown"},
      {"unknown role",
       [](Snapshot& s, LogIndex&) { s.controllers[4].role = static_cast<ControllerRole>(9); },
       "unknown"},
      {"duplicate name", [](Snapshot& s, LogIndex&) { s.controllers[2].name = "c1"; },
       "already used"},
      {"recovering standby", [](Snapshot& s, LogIndex&) { s.controllers[3].auto_recovery = true; },
       "auto-recovery off"},
      {"weight 0", [](Snapshot& s, LogIndex&) { s.controllers[1].weight = 0; }, "weight"},
      {"epoch above applied", [](Snapshot& s, LogIndex& i) { i = s.clusters[10].epoch - 1; },
       "above the applied index"},
      {"owner unknown", [](Snapshot& s, LogIndex&) { s.clusters[10].owner = 99; },
       "not registered"},
      {"owner standby", [](Snapshot& s, LogIndex&) { s.clusters[10].owner = 3; }, "standby"},
      {"owner joining", [](Snapshot& s, LogIndex&) { s.clusters[10].owner = 4; }, "joining"},
      {"owner no recovery", [](Snapshot& s, LogIndex&) { s.clusters[10].owner = 5; },
       "auto-recovery off"},
      {"owned epoch 0", [](Snapshot& s, LogIndex&) { s.clusters[10].epoch = 0; }, "epoch 0"},
      {"unowned with owner", [](Snapshot& s, LogIndex&) { s.clusters[11].owner = 1; },
       "unowned but owner"},
      {"owned with target", [](Snapshot& s, LogIndex&) { s.clusters[10].handover_to = 2; },
       "hand-over target"},
      {"hand-over to self", [](Snapshot& s, LogIndex&) { s.clusters[12].handover_to = 1; },
       "its own owner"},
      {"hand-over to standby", [](Snapshot& s, LogIndex&) { s.clusters[12].handover_to = 3; },
       "standby"},
      {"unknown cluster state",
       [](Snapshot& s, LogIndex&) { s.clusters[11].state = static_cast<ClusterState>(7); },
       "unknown"},
      {"pinned to unknown", [](Snapshot& s, LogIndex&) { s.clusters[11].pinned_owner = 99; },
       "pinned owner 99"},
      {"cluster key mismatch", [](Snapshot& s, LogIndex&) { s.clusters[11].id = 12; }, "holds id"},
      {"cluster empty name", [](Snapshot& s, LogIndex&) { s.clusters[11].name.clear(); },
       "name is empty"},
  };
  for (const Bad& c : cases) {
    Snapshot snapshot = sm_.snapshot();
    LogIndex applied = sm_.applied_index();
    c.edit(snapshot, applied);
    StateMachine target = sm_;
    ASSERT_EQ(target.apply(index_ + 1, Assign{11, 2, 0}).code, Code::kApplied);
    const StateMachine kept = target;
    Status status = target.restore(applied, snapshot);
    EXPECT_FALSE(status.is_ok()) << c.name;
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << c.name;
    EXPECT_NE(status.message().find(c.reason_part), std::string::npos)
        << c.name << ": " << status.message();
    EXPECT_EQ(target, kept) << c.name;
  }
}

// A checker that passes everything proves nothing: planted bad transitions are caught.
TEST_F(OwnershipSm, TransitionCheckerCatchesAnOwnerChangeWithoutANewEpoch) {
  const StateMachine before = sm_;
  Snapshot s = sm_.snapshot();
  s.clusters[10].owner = 2;  // moved, epoch kept: the bug of planted mutation (l)
  StateMachine after;
  ASSERT_TRUE(after.restore(before.applied_index() + 1, s).is_ok());
  EXPECT_NE(check_transition(before, after).find("without a new epoch"), std::string::npos);

  s = sm_.snapshot();
  s.clusters[10].epoch = epoch10_ - 1;
  ASSERT_TRUE(after.restore(before.applied_index() + 1, s).is_ok());
  EXPECT_NE(check_transition(before, after).find("went back"), std::string::npos);

  s = sm_.snapshot();
  s.clusters[11].epoch = before.applied_index();  // epoch set on an unowned cluster
  ASSERT_TRUE(after.restore(before.applied_index() + 1, s).is_ok());
  EXPECT_NE(check_transition(before, after).find("without a grant"), std::string::npos);
}

}  // namespace
}  // namespace quorum::ownership
