// Unit tests of the ownership codec: every command kind and a live snapshot round-trip; bytes
// that are not ours, unknown enums, unsorted or repeated records and states that break the
// state machine's rules decode to an error naming the problem.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/ownership/state_machine.h"
#include "engine/wire/codec.h"
#include "engine/wire/codec_ownership_pb.h"

namespace quorum::wire {
namespace {

namespace own = ownership;
constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

std::vector<own::Command> every_command_kind() {
  return {
      own::RegisterController{7, "c7", "10.0.0.7:9500", 3, {{"rack", "r1"}, {"site", "A"}},
                              own::ControllerRole::kStandby, false},
      own::RegisterController{kMax64, std::string("\0\xff", 2), "", 0, {},
                              own::ControllerRole::kActive, true},
      own::DeregisterController{kMax64},
      own::SetWeight{1, std::numeric_limits<std::uint32_t>::max()},
      own::Drain{2},
      own::Activate{3},
      own::Promote{4},
      own::Promote{4, /*force=*/true},
      own::AddCluster{kMax64, "db", {{"site", "B"}}, false},
      own::AddCluster{0, "", {}, true},
      own::RemoveCluster{9},
      own::Pin{9, 1},
      own::Unpin{9},
      own::Assign{9, 2, kMax64},
      own::Release{9, 2, 17, 0},
      own::Release{9, 2, 17, 3},
  };
}

TEST(OwnershipCodec, RoundTripsEveryCommandKind) {
  for (const own::Command& command : every_command_kind()) {
    Result<own::Command> decoded = decode_ownership_command(encode_ownership_command(command));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, command) << "kind " << command.index();
  }
}

own::StateMachine live_machine() {
  own::StateMachine sm;
  LogIndex index = 0;
  auto apply = [&](const own::Command& c) {
    ASSERT_EQ(sm.apply(++index, c).code, own::ApplyResult::Code::kApplied);
  };
  apply(own::RegisterController{1, "c1", "a:1", 2, {{"site", "A"}}, own::ControllerRole::kActive,
                                true});
  apply(own::RegisterController{2, "c2", "a:2", 1, {}, own::ControllerRole::kActive, true});
  apply(own::RegisterController{3, "sb", "", 1, {}, own::ControllerRole::kStandby, false});
  apply(own::Activate{1});
  apply(own::Activate{2});
  apply(own::AddCluster{10, "db10", {{"site", "A"}}, true});
  apply(own::AddCluster{11, "db11", {}, false});
  apply(own::AddCluster{12, "db12", {}, true});
  apply(own::Assign{10, 1, 0});
  apply(own::Assign{11, 1, 0});
  apply(own::Release{11, 1, sm.find_cluster(11)->epoch, 2});
  apply(own::Pin{12, 2});
  apply(own::Drain{1});
  return sm;
}

TEST(OwnershipCodec, RoundTripsTheSnapshotOfALiveMachineAndRestoresIt) {
  const own::StateMachine sm = live_machine();
  ASSERT_EQ(sm.find_cluster(11)->state, own::ClusterState::kHandingOver);
  const OwnershipSnapshot snapshot{sm.applied_index(), sm.snapshot()};
  Result<OwnershipSnapshot> decoded = decode_ownership_snapshot(encode_ownership_snapshot(snapshot));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, snapshot);
  own::StateMachine restored;
  ASSERT_TRUE(restored.restore(decoded->applied_index, decoded->state).is_ok());
  EXPECT_EQ(restored, sm);
}

TEST(OwnershipCodec, EmptySnapshotRoundTrips) {
  const OwnershipSnapshot empty;
  Result<OwnershipSnapshot> decoded = decode_ownership_snapshot(encode_ownership_snapshot(empty));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, empty);
}

void expect_command_error(const pb::OwnershipCommand& p, const std::string& part) {
  Result<own::Command> r = decode_ownership_command(p.SerializeAsString());
  ASSERT_FALSE(r.has_value()) << part;
  EXPECT_EQ(r.error().code(), StatusCode::kCorruption);
  EXPECT_NE(r.error().message().find(part), std::string::npos) << r.error().message();
}

TEST(OwnershipCodec, RejectsBytesThatAreNotACommand) {
  EXPECT_FALSE(decode_ownership_command("\xff\xff\xff garbage").has_value());
  expect_command_error(pb::OwnershipCommand{}, "no command");
  pb::OwnershipCommand p;
  p.mutable_register_controller();  // role not set: UNSPECIFIED
  expect_command_error(p, "role 0 is unspecified");
  p.mutable_register_controller()->set_role(static_cast<pb::OwnershipRole>(7));
  expect_command_error(p, "role 7 is unspecified or unknown");
  p.Clear();
  auto* tags = p.mutable_add_cluster()->mutable_tags();
  tags->Add()->set_key("site");
  tags->Add()->set_key("rack");  // not sorted
  expect_command_error(p, "not sorted");
  p.Clear();
  tags = p.mutable_register_controller()->mutable_tags();
  tags->Add()->set_key("site");
  tags->Add()->set_key("site");  // repeated
  expect_command_error(p, "repeats");
}

void expect_snapshot_error(const pb::OwnershipSnapshot& p, const std::string& part) {
  Result<OwnershipSnapshot> r = decode_ownership_snapshot(p.SerializeAsString());
  ASSERT_FALSE(r.has_value()) << part;
  EXPECT_EQ(r.error().code(), StatusCode::kCorruption);
  EXPECT_NE(r.error().message().find(part), std::string::npos) << r.error().message();
}

pb::OwnershipSnapshot live_proto() {
  const own::StateMachine sm = live_machine();
  pb::OwnershipSnapshot p;
  ownership_snapshot_to_proto(OwnershipSnapshot{sm.applied_index(), sm.snapshot()}, &p);
  return p;
}

TEST(OwnershipCodec, RejectsCorruptSnapshots) {
  EXPECT_FALSE(decode_ownership_snapshot("\x0a\xff").has_value());
  ASSERT_TRUE(decode_ownership_snapshot(live_proto().SerializeAsString()).has_value());

  pb::OwnershipSnapshot p = live_proto();
  p.mutable_controllers(1)->set_id(1);
  expect_snapshot_error(p, "sorted, unique");
  p = live_proto();
  p.mutable_clusters()->SwapElements(0, 2);
  expect_snapshot_error(p, "sorted, unique");
  p = live_proto();
  p.mutable_controllers(0)->set_state(pb::OWNERSHIP_CONTROLLER_STATE_UNSPECIFIED);
  expect_snapshot_error(p, "controller state 0 is unspecified");
  p = live_proto();
  p.mutable_controllers(0)->set_state(static_cast<pb::OwnershipControllerState>(4));
  expect_snapshot_error(p, "controller state 4 is unspecified or unknown");
  p = live_proto();
  p.mutable_controllers(0)->set_role(static_cast<pb::OwnershipRole>(9));
  expect_snapshot_error(p, "role 9 is unspecified or unknown");
  p = live_proto();
  p.mutable_clusters(0)->set_state(pb::OWNERSHIP_CLUSTER_STATE_UNSPECIFIED);
  expect_snapshot_error(p, "cluster state 0 is unspecified");
  p = live_proto();
  p.mutable_clusters(0)->set_owner(99);
  expect_snapshot_error(p, "owner 99 is not registered");
  p = live_proto();
  p.set_applied_index(1);
  expect_snapshot_error(p, "above the applied index");
  p = live_proto();
  p.mutable_clusters(0)->add_tags()->set_key("a");  // after "site"
  expect_snapshot_error(p, "not sorted");
  p = live_proto();
  p.mutable_controllers(2)->set_auto_recovery(true);  // a recovering standby
  expect_snapshot_error(p, "auto-recovery off");
}

TEST(OwnershipCodecDeathTest, EncodeAssertsOnInvalidValues) {
  OwnershipSnapshot bad;
  bad.state.clusters[5] = own::Cluster{5, "db", {}, kNoNode, true, 1, 3, own::ClusterState::kOwned,
                                       kNoNode};
  EXPECT_DEATH((void)encode_ownership_snapshot(bad), "invalid ownership snapshot");
  own::RegisterController reg;
  reg.role = static_cast<own::ControllerRole>(5);
  EXPECT_DEATH((void)encode_ownership_command(reg), "unknown controller role");
}

}  // namespace
}  // namespace quorum::wire
