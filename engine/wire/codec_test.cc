#include "engine/wire/codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/base/crc32c.h"
#include "engine/wire/proto/apply.pb.h"
#include "engine/wire/proto/raft.pb.h"
#include "engine/wire/proto/transport.pb.h"

namespace quorum::wire {
namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

raft::Membership three_voters_and_a_learner() {
  return raft::Membership{{{1, raft::MemberRole::kVoter, 1},
                           {2, raft::MemberRole::kVoter, 0},
                           {3, raft::MemberRole::kVoter, std::numeric_limits<std::uint32_t>::max()},
                           {kMax64, raft::MemberRole::kLearner, 1}}};
}

std::vector<raft::Entry> mixed_entries(LogIndex first_index) {
  raft::Entry noop{3, first_index, raft::EntryKind::kNoop, "", {}};
  raft::Entry command{
      3, first_index + 1, raft::EntryKind::kCommand, std::string("\0\xff binary", 9), {}};
  raft::Entry empty_command{4, first_index + 2, raft::EntryKind::kCommand, "", {}};
  raft::Entry membership{4, first_index + 3, raft::EntryKind::kMembership, "",
                         three_voters_and_a_learner()};
  return {noop, command, empty_command, membership};
}

raft::Message message(raft::MessageBody body, Term term = 5) {
  return raft::Message{1, 2, term, std::move(body)};
}

void expect_round_trip(const raft::Message& original) {
  Result<raft::Message> decoded = decode_message(encode_message(original));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, original);
}

// ---- round trips ----

TEST(Codec, RoundTripsEveryMessageKind) {
  expect_round_trip(message(raft::VoteRequest{false, 10, 4, false}));
  expect_round_trip(message(raft::VoteRequest{true, 0, 0, true, 0}));
  expect_round_trip(message(raft::VoteRequest{false, 3, 2, true, 77}));
  expect_round_trip(message(raft::VoteResponse{true, false}, 0));
  expect_round_trip(message(raft::VoteResponse{false, true}));
  expect_round_trip(message(raft::AppendRequest{0, 0, {}, 0, 0}));  // first heartbeat
  expect_round_trip(message(raft::AppendRequest{6, 2, mixed_entries(7), 9, kMax64}));
  expect_round_trip(message(raft::AppendResponse{true, 10, 0, 0, 0, 3}));
  expect_round_trip(message(raft::AppendResponse{false, 0, 7, 4, 2, 3}));
  // Session keepalive fields (engine/core/raft/session.h).
  expect_round_trip(message(raft::AppendRequest{0, 0, {}, 0, 4, 3}));
  expect_round_trip(message(raft::AppendResponse{true, 10, 0, 0, 0, 3, 9, 5, kMax64}));
  expect_round_trip(message(raft::AppendResponse{true, 10, 0, 0, 0, 3, 9, 5, kMax64, true}));
  raft::Snapshot snapshot{{100, 4, three_voters_and_a_learner()}, std::string("\0data", 5)};
  expect_round_trip(message(raft::SnapshotRequest{snapshot, 17}));
  expect_round_trip(message(raft::TimeoutNow{}));
  expect_round_trip(message(raft::TimeoutNow{42}));  // the round must survive (sim found it lost)
}

TEST(Codec, RoundTripsExtremeIdsAndTerms) {
  raft::Message m{kMax64, 1, kTermMax, raft::VoteRequest{false, kMax64, kTermMax, true, kMax64}};
  expect_round_trip(m);
  m.body = raft::TimeoutNow{kMax64};
  expect_round_trip(m);
  raft::Message append{
      7, kMax64, kTermMax,
      raft::AppendRequest{kMax64 - 1,
                          kTermMax,
                          {{kTermMax, kMax64, raft::EntryKind::kNoop, "", {}}},
                          kMax64,
                          kMax64}};
  expect_round_trip(append);
}

TEST(Codec, EncodesAHeartbeatInAFewBytes) {
  // A heartbeat is the most frequent message; it must stay small (no empty submessages).
  const std::string bytes = encode_message(message(raft::AppendRequest{10, 5, {}, 9, 3}));
  EXPECT_LE(bytes.size(), 20u);
}

TEST(Codec, RoundTripsEntriesHardStateAndSnapshots) {
  for (const raft::Entry& entry : mixed_entries(1)) {
    Result<raft::Entry> decoded = decode_entry(encode_entry(entry));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, entry);
  }
  for (const raft::HardState& hs :
       {raft::HardState{0, 0, 0}, raft::HardState{kTermMax, kMax64, kMax64},
        raft::HardState{3, 0, 2}}) {
    Result<raft::HardState> decoded = decode_hard_state(encode_hard_state(hs));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, hs);
  }
  raft::SnapshotMeta meta{kMax64, 1, three_voters_and_a_learner()};
  Result<raft::SnapshotMeta> decoded_meta = decode_snapshot_meta(encode_snapshot_meta(meta));
  ASSERT_TRUE(decoded_meta.has_value());
  EXPECT_EQ(*decoded_meta, meta);
  raft::Snapshot snapshot{meta, std::string(1000, '\x7f')};
  Result<raft::Snapshot> decoded_snapshot = decode_snapshot(encode_snapshot(snapshot));
  ASSERT_TRUE(decoded_snapshot.has_value());
  EXPECT_EQ(*decoded_snapshot, snapshot);
}

TEST(Codec, RoundTripsConfigCommandsAndTagsThemWithTheConfigFamily) {
  const std::vector<config_sync::Command> commands = {
      config_sync::Put{"cmon.cnf", "a=1\n"},
      config_sync::Put{"", ""},  // the codec does not judge paths; the state machine does
      config_sync::Delete{"../etc/passwd"},
      config_sync::PutIfVersion{"x/y", std::string("\0\1", 2), 0},
      config_sync::PutIfVersion{"x/y", "z", kMax64},
  };
  for (const config_sync::Command& command : commands) {
    const std::string payload = encode_config_command(command);
    Result<CommandFamily> family = decode_command_family(payload);
    ASSERT_TRUE(family.has_value());
    EXPECT_EQ(*family, CommandFamily::kConfig);
    Result<config_sync::Command> decoded = decode_config_command(payload);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, command);
  }
}

TEST(Codec, RoundTripsAppSnapshot) {
  AppSnapshot empty;
  Result<AppSnapshot> decoded_empty = decode_app_snapshot(encode_app_snapshot(empty));
  ASSERT_TRUE(decoded_empty.has_value());
  EXPECT_EQ(*decoded_empty, empty);

  AppSnapshot snapshot;
  snapshot.config_applied_index = 40;
  snapshot.config_files["a"] = {"alpha", 3, crc32c("alpha")};
  snapshot.config_files["b/c"] = {"", 40, crc32c("")};
  snapshot.config_files["b/d"] = {std::string("\0", 1), 1, crc32c(std::string("\0", 1))};
  Result<AppSnapshot> decoded = decode_app_snapshot(encode_app_snapshot(snapshot));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, snapshot);
}

TEST(Codec, RoundTripsHelloAndStoreIdentity) {
  Hello hello{"prod-east", 3, kProtocolVersion};
  Result<Hello> decoded = decode_hello(encode_hello(hello));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, hello);
  StoreIdentity identity{std::string(kClusterIdBytesMax, 'c'), kMax64, 7};
  Result<StoreIdentity> decoded_identity = decode_store_identity(encode_store_identity(identity));
  ASSERT_TRUE(decoded_identity.has_value());
  EXPECT_EQ(*decoded_identity, identity);
}

TEST(Codec, EncodingIsDeterministic) {
  const raft::Message m = message(raft::AppendRequest{6, 2, mixed_entries(7), 9, 1});
  EXPECT_EQ(encode_message(m), encode_message(m));
}

// ---- rejections: each impossible combination, built with the raw Protobuf types ----

void expect_message_rejected(const pb::Message& in, const std::string& reason_part) {
  Result<raft::Message> decoded = decode_message(in.SerializeAsString());
  ASSERT_FALSE(decoded.has_value()) << "accepted, expected: " << reason_part;
  EXPECT_EQ(decoded.error().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.error().message().find(reason_part), std::string::npos)
      << decoded.error().message();
}

pb::Message valid_heartbeat() {
  pb::Message m;
  m.set_from_node_id(1);
  m.set_to_node_id(2);
  m.set_term(5);
  m.mutable_append_request()->set_prev_log_index(3);
  m.mutable_append_request()->set_prev_log_term(2);
  return m;
}

pb::Entry* add_entry(pb::AppendRequest* a, std::uint64_t term, std::uint64_t index,
                     pb::EntryKind kind) {
  pb::Entry* e = a->add_entries();
  e->set_term(term);
  e->set_index(index);
  e->set_kind(kind);
  return e;
}

TEST(Codec, AcceptsTheValidBaselineOfTheRejectionTests) {
  EXPECT_TRUE(decode_message(valid_heartbeat().SerializeAsString()).has_value());
}

TEST(Codec, RejectsBytesThatAreNotProtobuf) {
  Result<raft::Message> decoded = decode_message(std::string("\xff\xff\xff\xff", 4));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("not a valid protobuf"), std::string::npos);
  EXPECT_FALSE(decode_message(valid_heartbeat().SerializeAsString().substr(0, 5)).has_value());
}

TEST(Codec, RejectsMessageWithoutBody) {
  pb::Message m = valid_heartbeat();
  m.clear_body();
  expect_message_rejected(m, "no body");
  EXPECT_FALSE(decode_message("").has_value());
}

TEST(Codec, RejectsUnknownOneofCase) {
  // Field 99 as a length-delimited empty submessage: a body kind from a newer build.
  std::string bytes = valid_heartbeat().SerializeAsString();
  pb::Message m = valid_heartbeat();
  m.clear_body();
  bytes = m.SerializeAsString() + std::string("\x9a\x06\x00", 3);
  Result<raft::Message> decoded = decode_message(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("unknown kind"), std::string::npos);
}

TEST(Codec, RejectsZeroNodeIds) {
  pb::Message m = valid_heartbeat();
  m.set_to_node_id(0);
  expect_message_rejected(m, "recipient node id is 0");
  m = valid_heartbeat();
  m.set_from_node_id(0);
  expect_message_rejected(m, "sender node id is 0");
}

TEST(Codec, RejectsRequestsWithTermZero) {
  pb::Message m = valid_heartbeat();
  m.set_term(0);
  m.mutable_append_request()->set_prev_log_index(0);
  m.mutable_append_request()->set_prev_log_term(0);
  expect_message_rejected(m, "append_request with term 0");
  m.mutable_timeout_now();
  expect_message_rejected(m, "timeout_now with term 0");
  m.mutable_vote_request();
  expect_message_rejected(m, "vote_request with term 0");
}

TEST(Codec, RejectsImpossibleLogPositions) {
  pb::Message m = valid_heartbeat();
  m.mutable_append_request()->set_prev_log_term(0);
  expect_message_rejected(m, "prev log index is 3 but its term is 0");
  m = valid_heartbeat();
  m.mutable_append_request()->set_prev_log_index(0);
  expect_message_rejected(m, "prev log index is 0 but its term is 2");
  m = valid_heartbeat();
  m.mutable_append_request()->set_prev_log_term(6);
  expect_message_rejected(m, "prev log term 6 is above the leader's term 5");
  m = valid_heartbeat();
  m.mutable_vote_request()->set_last_log_index(4);
  m.mutable_vote_request()->set_last_log_term(9);
  expect_message_rejected(m, "last log term 9 is above the campaign term 5");
  m.mutable_vote_request()->set_last_log_index(0);
  m.mutable_vote_request()->set_last_log_term(1);
  expect_message_rejected(m, "last log index is 0 but its term is 1");
}

TEST(Codec, RejectsNonConsecutiveOrDecreasingEntries) {
  pb::Message m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 3, 5, pb::ENTRY_KIND_NOOP);
  expect_message_rejected(m, "index 5 where 4 was expected");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 3, 4, pb::ENTRY_KIND_NOOP);
  add_entry(m.mutable_append_request(), 3, 6, pb::ENTRY_KIND_NOOP);
  expect_message_rejected(m, "index 6 where 5 was expected");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 4, 4, pb::ENTRY_KIND_NOOP);
  add_entry(m.mutable_append_request(), 3, 5, pb::ENTRY_KIND_NOOP);
  expect_message_rejected(m, "term 3 is below the previous entry's term 4");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 1, 4, pb::ENTRY_KIND_NOOP);
  expect_message_rejected(m, "first entry term 1 is below prev log term 2");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 6, 4, pb::ENTRY_KIND_NOOP);
  expect_message_rejected(m, "last entry term 6 is above the leader's term 5");
}

TEST(Codec, RejectsEntryKindFieldMismatches) {
  pb::Message m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 3, 4, pb::ENTRY_KIND_NOOP)->set_command_bytes("x");
  expect_message_rejected(m, "noop entry 4 carries data");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 3, 4, pb::ENTRY_KIND_COMMAND)->mutable_membership();
  expect_message_rejected(m, "membership field present");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 3, 4, pb::ENTRY_KIND_MEMBERSHIP);
  expect_message_rejected(m, "membership field missing");
  m = valid_heartbeat();
  pb::Entry* e = add_entry(m.mutable_append_request(), 3, 4, pb::ENTRY_KIND_MEMBERSHIP);
  e->set_command_bytes("x");
  pb::Member* member = e->mutable_membership()->add_members();
  member->set_node_id(1);
  member->set_role(pb::MEMBER_ROLE_VOTER);
  expect_message_rejected(m, "membership entry 4 carries data");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 3, 4, pb::ENTRY_KIND_UNSPECIFIED);
  expect_message_rejected(m, "unknown kind 0");
  m = valid_heartbeat();
  add_entry(m.mutable_append_request(), 3, 4, static_cast<pb::EntryKind>(42));
  expect_message_rejected(m, "unknown kind 42");
}

TEST(Codec, RejectsEntriesWithZeroTermOrIndex) {
  EXPECT_FALSE(decode_entry(pb::Entry().SerializeAsString()).has_value());
  pb::Entry e;
  e.set_kind(pb::ENTRY_KIND_NOOP);
  e.set_index(1);
  Result<raft::Entry> decoded = decode_entry(e.SerializeAsString());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("term 0"), std::string::npos);
  e.set_term(1);
  e.set_index(0);
  decoded = decode_entry(e.SerializeAsString());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("index is 0"), std::string::npos);
}

std::string membership_entry_bytes(const std::vector<std::pair<std::uint64_t, pb::MemberRole>>& m) {
  pb::Entry e;
  e.set_term(1);
  e.set_index(1);
  e.set_kind(pb::ENTRY_KIND_MEMBERSHIP);
  pb::Membership* membership = e.mutable_membership();
  for (const auto& [id, role] : m) {
    pb::Member* member = membership->add_members();
    member->set_node_id(id);
    member->set_role(role);
  }
  return e.SerializeAsString();
}

void expect_entry_rejected(const std::string& bytes, const std::string& reason_part) {
  Result<raft::Entry> decoded = decode_entry(bytes);
  ASSERT_FALSE(decoded.has_value()) << "accepted, expected: " << reason_part;
  EXPECT_NE(decoded.error().message().find(reason_part), std::string::npos)
      << decoded.error().message();
}

TEST(Codec, RejectsImpossibleMemberships) {
  expect_entry_rejected(membership_entry_bytes({}), "no member");
  expect_entry_rejected(membership_entry_bytes({{1, pb::MEMBER_ROLE_LEARNER}}), "no voter");
  expect_entry_rejected(membership_entry_bytes({{0, pb::MEMBER_ROLE_VOTER}}), "node id 0");
  expect_entry_rejected(
      membership_entry_bytes({{2, pb::MEMBER_ROLE_VOTER}, {1, pb::MEMBER_ROLE_VOTER}}),
      "not strictly increasing");
  expect_entry_rejected(
      membership_entry_bytes({{2, pb::MEMBER_ROLE_VOTER}, {2, pb::MEMBER_ROLE_LEARNER}}),
      "not strictly increasing");
  expect_entry_rejected(membership_entry_bytes({{1, pb::MEMBER_ROLE_UNSPECIFIED}}), "unknown role");
}

TEST(Codec, RejectsImpossibleSnapshots) {
  pb::Message m = valid_heartbeat();
  m.mutable_snapshot_request();
  expect_message_rejected(m, "snapshot_request has no snapshot");
  m.mutable_snapshot_request()->mutable_snapshot();
  expect_message_rejected(m, "snapshot has no meta");
  pb::SnapshotMeta* meta = m.mutable_snapshot_request()->mutable_snapshot()->mutable_meta();
  meta->set_last_index(10);
  meta->set_last_term(3);
  expect_message_rejected(m, "snapshot meta has no membership");
  pb::Member* member = meta->mutable_membership()->add_members();
  member->set_node_id(1);
  member->set_role(pb::MEMBER_ROLE_VOTER);
  EXPECT_TRUE(decode_message(m.SerializeAsString()).has_value());
  meta->set_last_term(6);
  expect_message_rejected(m, "snapshot last term 6 is above the leader's term 5");
  meta->set_last_term(0);
  expect_message_rejected(m, "last term is 0");
  meta->set_last_term(3);
  meta->set_last_index(0);
  expect_message_rejected(m, "last index is 0");
}

TEST(Codec, RejectsSuccessfulAppendResponseWithRejectIndex) {
  pb::Message m = valid_heartbeat();
  m.mutable_append_response()->set_success(true);
  m.mutable_append_response()->set_reject_index(4);
  expect_message_rejected(m, "successful response carries reject index 4");
}

TEST(Codec, OwnershipPayloadsAndTheSnapshotSectionRoundTrip) {
  const ownership::Command command = ownership::AddCluster{7, "db7", {{"site", "A"}}, true};
  Result<ownership::Command> back = decode_ownership_payload(encode_ownership_payload(command));
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  EXPECT_EQ(*back, command);
  EXPECT_FALSE(decode_config_command(encode_ownership_payload(command)).has_value());
  ownership::StateMachine sm;
  ownership::RegisterController r;
  r.id = 1;
  r.name = "c1";
  ASSERT_EQ(sm.apply(1, r).code, ownership::ApplyResult::Code::kApplied);
  ASSERT_EQ(sm.apply(2, ownership::Activate{1}).code, ownership::ApplyResult::Code::kApplied);
  ASSERT_EQ(sm.apply(3, command).code, ownership::ApplyResult::Code::kApplied);
  ASSERT_EQ(sm.apply(4, ownership::Assign{7, 1, 0}).code, ownership::ApplyResult::Code::kApplied);
  AppSnapshot snapshot;
  snapshot.config_applied_index = 5;
  snapshot.ownership = OwnershipSnapshot{5, sm.snapshot()};
  Result<AppSnapshot> decoded = decode_app_snapshot(encode_app_snapshot(snapshot));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, snapshot);
  // A snapshot from before the pool has no section.
  AppSnapshot old;
  old.config_applied_index = 5;
  Result<AppSnapshot> old_decoded = decode_app_snapshot(encode_app_snapshot(old));
  ASSERT_TRUE(old_decoded.has_value());
  EXPECT_FALSE(old_decoded->ownership.has_value());
}

TEST(Codec, RejectsVoteInTermZeroInHardState) {
  Result<raft::HardState> decoded = decode_hard_state(std::string("\x10\x03", 2));  // voted_for=3
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("term 0"), std::string::npos);
}

TEST(Codec, RejectsCommandOfUnknownFamilyOrWithoutCommand) {
  // Field 15 of CommandPayload (no family has it) with an empty body.
  Result<CommandFamily> family = decode_command_family(std::string("\x7a\x00", 2));
  ASSERT_FALSE(family.has_value());
  EXPECT_NE(family.error().message().find("unknown to this build"), std::string::npos);
  EXPECT_FALSE(decode_config_command(std::string("\x7a\x00", 2)).has_value());
  // Field 2 is the ownership family: an empty ownership command decodes to an error there, and
  // is not a config command.
  Result<CommandFamily> ownership = decode_command_family(std::string("\x12\x00", 2));
  ASSERT_TRUE(ownership.has_value());
  EXPECT_EQ(*ownership, CommandFamily::kOwnership);
  EXPECT_FALSE(decode_config_command(std::string("\x12\x00", 2)).has_value());
  EXPECT_FALSE(decode_ownership_payload(std::string("\x12\x00", 2)).has_value());
  pb::CommandPayload payload;
  payload.mutable_config();  // family set, command not
  Result<config_sync::Command> decoded = decode_config_command(payload.SerializeAsString());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("no command"), std::string::npos);
}

TEST(Codec, RejectsCorruptAppSnapshots) {
  pb::AppSnapshot in;
  Result<AppSnapshot> decoded = decode_app_snapshot(in.SerializeAsString());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message().find("no config section"), std::string::npos);

  pb::ConfigSnapshot* config = in.mutable_config();
  config->set_applied_index(9);
  auto add_file = [&](const std::string& path, const std::string& content, std::uint64_t version,
                      std::uint32_t checksum) {
    pb::ConfigFile* f = config->add_files();
    f->set_path(path);
    f->set_content(content);
    f->set_version(version);
    f->set_checksum_crc32c(checksum);
  };
  add_file("b", "x", 2, crc32c("x"));
  EXPECT_TRUE(decode_app_snapshot(in.SerializeAsString()).has_value());
  const auto expect_rejected = [&](const std::string& part) {
    Result<AppSnapshot> r = decode_app_snapshot(in.SerializeAsString());
    ASSERT_FALSE(r.has_value()) << part;
    EXPECT_NE(r.error().message().find(part), std::string::npos) << r.error().message();
  };
  add_file("a", "x", 2, crc32c("x"));
  expect_rejected("'a' is not after 'b'");
  config->mutable_files()->RemoveLast();
  add_file("b", "x", 2, crc32c("x"));
  expect_rejected("'b' is not after 'b'");
  config->mutable_files()->RemoveLast();
  add_file("c", "x", 2, crc32c("y"));
  expect_rejected("'c': checksum mismatch");
  config->mutable_files()->RemoveLast();
  add_file("c", "x", 10, crc32c("x"));
  expect_rejected("'c': version 10 is above the applied index 9");
  config->mutable_files()->RemoveLast();
  add_file("c/", "x", 2, crc32c("x"));
  expect_rejected("'c/': path has an empty segment");
}

TEST(Codec, RejectsInvalidHello) {
  pb::Hello h;
  h.set_cluster_id("c");
  h.set_node_id(1);
  h.set_protocol_version(1);
  EXPECT_TRUE(decode_hello(h.SerializeAsString()).has_value());
  pb::Hello bad = h;
  bad.clear_cluster_id();
  EXPECT_NE(decode_hello(bad.SerializeAsString()).error().message().find("cluster id is empty"),
            std::string::npos);
  bad = h;
  bad.set_cluster_id(std::string(kClusterIdBytesMax + 1, 'c'));
  EXPECT_NE(decode_hello(bad.SerializeAsString()).error().message().find("above the limit"),
            std::string::npos);
  bad = h;
  bad.set_node_id(0);
  EXPECT_NE(decode_hello(bad.SerializeAsString()).error().message().find("node id is 0"),
            std::string::npos);
  bad = h;
  bad.set_protocol_version(0);
  EXPECT_NE(decode_hello(bad.SerializeAsString()).error().message().find("version is 0"),
            std::string::npos);
  EXPECT_FALSE(decode_store_identity(bad.SerializeAsString()).has_value());
}

// ---- encode asserts on invalid values (pair assertions) ----

// Issue 9 item 5: a peer-sent term near UINT64_MAX would overflow `current_term + 1` in the
// core (pre-vote term, campaign). The codec refuses any term above kTermMax, in messages and
// in stored records alike.
TEST(Codec, RejectsTermsAboveTheLargestTerm) {
  for (const std::uint64_t term : {kTermMax + 1, kMax64 - 1, kMax64}) {
    pb::Message m = valid_heartbeat();
    m.set_term(term);
    expect_message_rejected(m, "above the largest term");
    m.mutable_vote_response();
    expect_message_rejected(m, "above the largest term");  // responses too, not only requests
    pb::Entry e;
    e.set_kind(pb::ENTRY_KIND_NOOP);
    e.set_index(1);
    e.set_term(term);
    expect_entry_rejected(e.SerializeAsString(), "above the largest term");
    pb::HardState hs;
    hs.set_current_term(term);
    Result<raft::HardState> decoded = decode_hard_state(hs.SerializeAsString());
    ASSERT_FALSE(decoded.has_value()) << term;
    EXPECT_NE(decoded.error().message().find("above the largest term"), std::string::npos);
  }
  pb::Message at_bound = valid_heartbeat();
  at_bound.set_term(kTermMax);
  EXPECT_TRUE(decode_message(at_bound.SerializeAsString()).has_value());
}

TEST(CodecDeathTest, EncodeAssertsOnInvalidValues) {
  EXPECT_DEATH((void)encode_message(raft::Message{1, 0, 1, raft::TimeoutNow{}}),
               "recipient node id is 0");
  EXPECT_DEATH((void)encode_entry(raft::Entry{1, 1, raft::EntryKind::kMembership, "", {}}),
               "no member");
  EXPECT_DEATH((void)encode_hello(Hello{"", 1, 1}), "cluster id is empty");
  AppSnapshot snapshot;
  snapshot.config_files["a"] = {"x", 1, 0};
  EXPECT_DEATH((void)encode_app_snapshot(snapshot), "version 1 is above the applied index 0");
}

}  // namespace
}  // namespace quorum::wire
