#include "engine/host/apply_router.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "engine/wire/codec.h"

namespace quorum::host {
namespace {

raft::Entry command_entry(LogIndex index, std::string data) {
  raft::Entry e;
  e.term = 1;
  e.index = index;
  e.kind = raft::EntryKind::kCommand;
  e.data = std::move(data);
  return e;
}

TEST(ApplyRouter, RoutesAConfigCommandToTheConfigStateMachine) {
  ApplyRouter router;
  const AppResult result =
      router.apply(command_entry(3, encode_app_command(config_sync::Put{"a.cnf", "alpha"})));
  ASSERT_TRUE(std::holds_alternative<config_sync::ApplyResult>(result));
  EXPECT_EQ(std::get<config_sync::ApplyResult>(result).code,
            config_sync::ApplyResult::Code::kApplied);
  ASSERT_NE(router.state().config.find("a.cnf"), nullptr);
  EXPECT_EQ(router.state().config.applied_index(), 3u);
  EXPECT_EQ(router.state().ownership.applied_index(), 0u);  // not its family
}

TEST(ApplyRouter, AnUndecodablePayloadGetsItsOwnResultAndChangesNothing) {
  // Issue 8 section 1: not a config result (it used to be kInvalidPath), whatever the bytes.
  ApplyRouter router;
  LogIndex index = 0;
  for (const std::string& bytes : {std::string("\xff\xff\xff", 3), std::string(),
                                   std::string("\x12\x00", 2)}) {
    const AppResult result = router.apply(command_entry(++index, bytes));
    ASSERT_TRUE(std::holds_alternative<UndecodableCommand>(result)) << result.index();
    EXPECT_NE(std::get<UndecodableCommand>(result).reason.find("undecodable"), std::string::npos);
  }
  EXPECT_TRUE(router.state().config.files().empty());
  EXPECT_EQ(router.state().config.applied_index(), 0u);
  EXPECT_TRUE(router.state().ownership.clusters().empty());
}

TEST(ApplyRouter, TheSnapshotRestoresEverySectionAndABadOneChangesNothing) {
  ApplyRouter source;
  source.apply(command_entry(2, encode_app_command(config_sync::Put{"a.cnf", "alpha"})));
  const std::string data = source.snapshot_data(5);
  ApplyRouter copy;
  ASSERT_TRUE(copy.restore(5, data).is_ok());
  EXPECT_EQ(copy.state().config.files(), source.state().config.files());
  EXPECT_EQ(copy.state().config.applied_index(), 5u);
  EXPECT_EQ(copy.state().ownership.applied_index(), 5u);
  // Labelled below its content, or not a snapshot at all: refused, state unchanged.
  EXPECT_FALSE(copy.restore(4, data).is_ok());
  EXPECT_FALSE(copy.restore(9, "not a snapshot").is_ok());
  EXPECT_EQ(copy.state().config.files(), source.state().config.files());
  EXPECT_EQ(copy.state().config.applied_index(), 5u);
}

}  // namespace
}  // namespace quorum::host
