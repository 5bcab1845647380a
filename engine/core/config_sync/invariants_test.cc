#include "engine/core/config_sync/invariants.h"

#include <gtest/gtest.h>

#include "engine/core/base/crc32c.h"

namespace quorum::config_sync {
namespace {

StateMachine restored(LogIndex applied_index, std::map<std::string, FileEntry> files) {
  StateMachine machine;
  EXPECT_TRUE(machine.restore(applied_index, std::move(files)).is_ok());
  return machine;
}

TEST(ConfigSyncInvariants, HoldOnAFreshAndAnAppliedState) {
  StateMachine machine;
  EXPECT_EQ(check_state(machine), "");
  (void)machine.apply(1, Put{"a", "x"});
  EXPECT_EQ(check_state(machine), "");
}

TEST(ConfigSyncInvariants, TransitionAllowsNewVersionsInTheAppliedRange) {
  StateMachine before = restored(2, {{"a", FileEntry{"x", 2, crc32c("x")}}});
  StateMachine after = before;
  (void)after.apply(3, Put{"a", "y"});
  (void)after.apply(4, Put{"b", "z"});
  EXPECT_EQ(check_transition(before, after), "");
}

TEST(ConfigSyncInvariants, TransitionFlagsAppliedIndexGoingBack) {
  StateMachine before = restored(5, {});
  StateMachine after = restored(4, {});
  EXPECT_NE(check_transition(before, after).find("went back"), std::string::npos);
}

TEST(ConfigSyncInvariants, TransitionFlagsContentChangedWithoutNewVersion) {
  StateMachine before = restored(3, {{"a", FileEntry{"x", 2, crc32c("x")}}});
  StateMachine after = restored(4, {{"a", FileEntry{"y", 2, crc32c("y")}}});
  EXPECT_NE(check_transition(before, after).find("without a new version"), std::string::npos);
}

TEST(ConfigSyncInvariants, TransitionFlagsFileAppearingWithOldVersion) {
  StateMachine before = restored(3, {});
  StateMachine after = restored(4, {{"a", FileEntry{"y", 2, crc32c("y")}}});
  EXPECT_NE(check_transition(before, after).find("appeared"), std::string::npos);
}

}  // namespace
}  // namespace quorum::config_sync
