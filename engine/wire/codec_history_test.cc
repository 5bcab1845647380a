// The leadership history family on the wire: round trips, the family tag, and untrusted bytes
// refused with a reason (unknown reason, a history apply could not have built).
#include <gtest/gtest.h>

#include "engine/wire/codec.h"
#include "engine/wire/proto/apply.pb.h"

namespace quorum::wire {
namespace {

history::Record record(Term term, NodeId leader, history::Reason reason) {
  return {term, leader, reason, 1'800'000'000'000 + term};
}

TEST(CodecHistory, ARecordRoundTripsUnderItsOwnFamilyTag) {
  const history::Record r = record(7, 2, history::Reason::kTransfer);
  const std::string bytes = encode_history_payload(r);
  Result<CommandFamily> family = decode_command_family(bytes);
  ASSERT_TRUE(family.has_value());
  EXPECT_EQ(*family, CommandFamily::kHistory);
  Result<history::Record> back = decode_history_payload(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(decode_config_command(bytes).has_value());
  EXPECT_FALSE(decode_ownership_payload(bytes).has_value());
}

TEST(CodecHistory, AnUnknownReasonIsRefused) {
  pb::CommandPayload payload;
  payload.mutable_history()->set_term(3);
  payload.mutable_history()->set_leader(1);
  payload.mutable_history()->set_reason(static_cast<pb::LeaderChangeReason>(9));
  Result<history::Record> decoded = decode_history_payload(payload.SerializeAsString());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().to_string().find("unknown reason"), std::string::npos);
  payload.mutable_history()->set_reason(pb::LEADER_CHANGE_REASON_UNSPECIFIED);
  EXPECT_FALSE(decode_history_payload(payload.SerializeAsString()).has_value());
}

AppSnapshot snapshot_with_history() {
  history::StateMachine sm;
  sm.apply(2, record(1, 1, history::Reason::kElection));
  sm.apply(6, record(3, 2, history::Reason::kTransfer));
  AppSnapshot s;
  s.config_applied_index = 9;
  s.history = HistorySnapshot{9, sm.changes()};
  return s;
}

TEST(CodecHistory, TheSnapshotSectionRoundTripsAndIsOptional) {
  const AppSnapshot s = snapshot_with_history();
  Result<AppSnapshot> back = decode_app_snapshot(encode_app_snapshot(s));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, s);
  AppSnapshot before_history;  // a snapshot of an older build has no history section
  before_history.config_applied_index = 4;
  Result<AppSnapshot> old = decode_app_snapshot(encode_app_snapshot(before_history));
  ASSERT_TRUE(old.has_value());
  EXPECT_FALSE(old->history.has_value());
}

TEST(CodecHistory, ASnapshotSectionThatApplyCouldNotHaveBuiltIsRefused) {
  pb::AppSnapshot in;
  ASSERT_TRUE(in.ParseFromString(encode_app_snapshot(snapshot_with_history())));
  pb::AppSnapshot backwards = in;
  backwards.mutable_history()->mutable_changes(1)->mutable_record()->set_term(1);
  Result<AppSnapshot> decoded = decode_app_snapshot(backwards.SerializeAsString());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().to_string().find("history section"), std::string::npos)
      << decoded.error().to_string();
  pb::AppSnapshot beyond = in;
  beyond.mutable_history()->mutable_changes(1)->set_index(99);  // above applied_index 9
  EXPECT_FALSE(decode_app_snapshot(beyond.SerializeAsString()).has_value());
  pb::AppSnapshot too_many = in;
  for (std::size_t i = 0; i < history::kRecordsMax; ++i) {
    *too_many.mutable_history()->add_changes() = in.history().changes(1);
  }
  EXPECT_FALSE(decode_app_snapshot(too_many.SerializeAsString()).has_value());
}

}  // namespace
}  // namespace quorum::wire
