// Property tests (RapidCheck) of the wire layer: every valid value survives encode + decode
// unchanged; frames survive any chunking; records detect any single flipped bit; arbitrary bytes
// never crash a decoder, and what a decoder accepts re-encodes to an equal value; config-sync
// snapshot + restore equals replay.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "engine/core/config_sync/invariants.h"
#include "engine/wire/codec.h"
#include "engine/wire/frame.h"
#include "engine/wire/record.h"

namespace quorum::wire {
namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

// Mostly small numbers (where off-by-one bugs live), sometimes anything (extremes).
std::uint64_t any_u64(std::uint64_t min, std::uint64_t max) {
  switch (*rc::gen::inRange(0, 6)) {
    case 0:
      return min;
    case 1:
      return max;
    default: {
      const auto offset = *rc::gen::inRange<std::uint64_t>(0, 101);
      return min + std::min(offset, max - min);
    }
  }
}

std::string any_bytes() {
  return *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
}

raft::Membership any_membership() {
  const auto ids = *rc::gen::nonEmpty(
      rc::gen::container<std::set<std::uint64_t>>(rc::gen::inRange<std::uint64_t>(1, kMax64)));
  raft::Membership membership;
  for (std::uint64_t id : ids) {
    const bool voter = *rc::gen::arbitrary<bool>();
    membership.members.push_back(
        raft::Member{id, voter ? raft::MemberRole::kVoter : raft::MemberRole::kLearner,
                     *rc::gen::arbitrary<std::uint32_t>()});
  }
  membership.members[*rc::gen::inRange<std::size_t>(0, membership.members.size())].role =
      raft::MemberRole::kVoter;
  return membership;
}

raft::Entry any_entry(Term term, LogIndex index) {
  raft::Entry entry;
  entry.term = term;
  entry.index = index;
  switch (*rc::gen::inRange(0, 3)) {
    case 0:
      entry.kind = raft::EntryKind::kNoop;
      break;
    case 1:
      entry.kind = raft::EntryKind::kCommand;
      entry.data = any_bytes();
      break;
    default:
      entry.kind = raft::EntryKind::kMembership;
      entry.membership = any_membership();
      break;
  }
  return entry;
}

raft::AppendRequest any_append_request(Term term) {
  raft::AppendRequest a;
  if (*rc::gen::arbitrary<bool>()) {
    a.prev_log_index = any_u64(1, kMax64 - 8);
    a.prev_log_term = any_u64(1, term);
  }
  const std::size_t count = *rc::gen::inRange<std::size_t>(0, 5);
  Term entry_term = std::max<Term>(a.prev_log_term, 1);
  for (std::size_t i = 0; i < count; ++i) {
    entry_term = any_u64(entry_term, term);
    a.entries.push_back(any_entry(entry_term, a.prev_log_index + 1 + i));
  }
  a.leader_commit = any_u64(0, kMax64);
  a.round = any_u64(0, kMax64);
  a.session_acked_round = any_u64(0, kMax64);
  return a;
}

raft::Message any_message() {
  raft::Message m;
  m.from = any_u64(1, kMax64);
  m.to = any_u64(1, kMax64);
  m.term = any_u64(1, kTermMax);
  switch (*rc::gen::inRange(0, 6)) {
    case 0: {
      raft::VoteRequest v{*rc::gen::arbitrary<bool>(), 0, 0, *rc::gen::arbitrary<bool>(),
                          any_u64(0, kMax64)};
      if (*rc::gen::arbitrary<bool>()) {
        v.last_log_index = any_u64(1, kMax64);
        v.last_log_term = any_u64(1, m.term);
      }
      m.body = v;
      break;
    }
    case 1:
      m.term = any_u64(0, kTermMax);
      m.body = raft::VoteResponse{*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>()};
      break;
    case 2:
      m.body = any_append_request(m.term);
      break;
    case 3: {
      const bool success = *rc::gen::arbitrary<bool>();
      m.term = any_u64(0, kTermMax);
      m.body = raft::AppendResponse{success,
                                    any_u64(0, kMax64),
                                    success ? 0 : any_u64(0, kMax64),
                                    any_u64(0, kMax64),
                                    any_u64(0, kMax64),
                                    any_u64(0, kMax64),
                                    any_u64(0, kMax64),
                                    any_u64(0, kMax64),
                                    any_u64(0, kMax64),
                                    *rc::gen::arbitrary<bool>()};
      break;
    }
    case 4: {
      raft::SnapshotMeta meta{any_u64(1, kMax64), any_u64(1, m.term), any_membership()};
      m.body = raft::SnapshotRequest{raft::Snapshot{meta, any_bytes()}, any_u64(0, kMax64)};
      break;
    }
    default:
      m.body = raft::TimeoutNow{any_u64(0, kMax64)};
      break;
  }
  return m;
}

std::string any_valid_path() {
  const std::size_t segments = *rc::gen::inRange<std::size_t>(1, 4);
  std::string path;
  for (std::size_t i = 0; i < segments; ++i) {
    if (i > 0) path += '/';
    path += "d" + *rc::gen::container<std::string>(rc::gen::elementOf(std::string("ab._-9Z")));
  }
  return path;
}

config_sync::Command any_config_command(bool valid_paths) {
  std::string path = valid_paths ? any_valid_path() : any_bytes();
  switch (*rc::gen::inRange(0, 3)) {
    case 0:
      return config_sync::Put{path, any_bytes()};
    case 1:
      return config_sync::Delete{path};
    default:
      return config_sync::PutIfVersion{path, any_bytes(), any_u64(0, 20)};
  }
}

RC_GTEST_PROP(CodecProperty, MessageRoundTripsUnchanged, ()) {
  const raft::Message m = any_message();
  Result<raft::Message> decoded = decode_message(encode_message(m));
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == m);
}

RC_GTEST_PROP(CodecProperty, RecordsRoundTripUnchanged, ()) {
  const raft::Entry entry = any_entry(any_u64(1, kTermMax), any_u64(1, kMax64));
  Result<raft::Entry> decoded_entry = decode_entry(encode_entry(entry));
  RC_ASSERT(decoded_entry.has_value());
  RC_ASSERT(*decoded_entry == entry);
  raft::HardState hs{any_u64(1, kTermMax), any_u64(0, kMax64), any_u64(0, kMax64)};
  Result<raft::HardState> decoded_hs = decode_hard_state(encode_hard_state(hs));
  RC_ASSERT(decoded_hs.has_value());
  RC_ASSERT(*decoded_hs == hs);
  raft::Snapshot snapshot{{any_u64(1, kMax64), any_u64(1, kTermMax), any_membership()}, any_bytes()};
  Result<raft::Snapshot> decoded_snapshot = decode_snapshot(encode_snapshot(snapshot));
  RC_ASSERT(decoded_snapshot.has_value());
  RC_ASSERT(*decoded_snapshot == snapshot);
}

RC_GTEST_PROP(CodecProperty, ConfigCommandRoundTripsUnchanged, ()) {
  const config_sync::Command command = any_config_command(false);
  Result<config_sync::Command> decoded = decode_config_command(encode_config_command(command));
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == command);
}

RC_GTEST_PROP(CodecProperty, HelloRoundTripsUnchanged, ()) {
  Hello hello{
      "c" + *rc::gen::container<std::string>(kClusterIdBytesMax - 1, rc::gen::arbitrary<char>()),
      any_u64(1, kMax64), static_cast<std::uint32_t>(any_u64(1, UINT32_MAX))};
  Result<Hello> decoded = decode_hello(encode_hello(hello));
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == hello);
}

// Snapshot + restore == replay: apply random commands, snapshot through the codec, restore
// into a fresh machine, and apply more commands to both: they stay identical.
RC_GTEST_PROP(CodecProperty, ConfigSnapshotRestoreEqualsReplay, ()) {
  config_sync::StateMachine replayed;
  LogIndex index = 0;
  const std::size_t before_count = *rc::gen::inRange<std::size_t>(0, 30);
  for (std::size_t i = 0; i < before_count; ++i) {
    index += *rc::gen::inRange<LogIndex>(1, 3);  // gaps: noop and membership entries
    const config_sync::StateMachine before = replayed;
    (void)replayed.apply(
        index, any_config_command(*rc::gen::weightedElement<bool>({{9, true}, {1, false}})));
    RC_ASSERT(config_sync::check_state(replayed).empty());
    RC_ASSERT(config_sync::check_transition(before, replayed).empty());
  }
  AppSnapshot snapshot{replayed.applied_index(), replayed.files()};
  Result<AppSnapshot> decoded = decode_app_snapshot(encode_app_snapshot(snapshot));
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == snapshot);
  config_sync::StateMachine restored;
  RC_ASSERT(restored.restore(decoded->config_applied_index, decoded->config_files).is_ok());
  const std::size_t after_count = *rc::gen::inRange<std::size_t>(0, 10);
  for (std::size_t i = 0; i < after_count; ++i) {
    const config_sync::Command command = any_config_command(true);
    ++index;
    const config_sync::ApplyResult a = replayed.apply(index, command);
    const config_sync::ApplyResult b = restored.apply(index, command);
    RC_ASSERT(a.code == b.code);
    RC_ASSERT(a.version == b.version);
  }
  RC_ASSERT(replayed.files() == restored.files());
  RC_ASSERT(replayed.applied_index() == restored.applied_index());
}

RC_GTEST_PROP(FrameProperty, AnyChunkingYieldsTheSamePayloads, ()) {
  const auto payloads = *rc::gen::container<std::vector<std::string>>(
      rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
  std::string stream;
  for (const std::string& p : payloads) append_frame(p, &stream);
  FrameDecoder decoder;
  std::vector<std::string> decoded;
  std::size_t offset = 0;
  while (offset < stream.size()) {
    const std::size_t chunk = *rc::gen::inRange<std::size_t>(1, 40);
    decoder.feed("");  // an empty read must change nothing
    decoder.feed(std::string_view(stream).substr(offset, chunk));
    offset += chunk;
    for (;;) {
      Result<std::optional<std::string>> next = decoder.next();
      RC_ASSERT(next.has_value());
      if (!next->has_value()) break;
      decoded.push_back(std::move(**next));
    }
  }
  RC_ASSERT(decoded == payloads);
  RC_ASSERT(decoder.buffered_bytes() == 0u);
}

RC_GTEST_PROP(RecordProperty, DetectsAnySingleBitFlip, (const std::string& payload)) {
  const std::string record = encode_record(payload);
  Result<std::string_view> ok = decode_record("k", record);
  RC_ASSERT(ok.has_value());
  RC_ASSERT(*ok == payload);
  std::string corrupt = record;
  const std::size_t byte = *rc::gen::inRange<std::size_t>(0, corrupt.size());
  corrupt[byte] = static_cast<char>(corrupt[byte] ^ (1 << *rc::gen::inRange(0, 8)));
  RC_ASSERT(!decode_record("k", corrupt).has_value());
}

// What a decoder accepts from arbitrary bytes is a valid value: it re-encodes (the encoder
// asserts validity) and decodes to the same value.
RC_GTEST_PROP(CodecProperty, ArbitraryBytesNeverCrashAndAcceptedValuesAreStable,
              (const std::string& bytes)) {
  Result<raft::Message> m = decode_message(bytes);
  if (m.has_value()) RC_ASSERT(*decode_message(encode_message(*m)) == *m);
  Result<raft::Entry> e = decode_entry(bytes);
  if (e.has_value()) RC_ASSERT(*decode_entry(encode_entry(*e)) == *e);
  Result<config_sync::Command> c = decode_config_command(bytes);
  if (c.has_value()) RC_ASSERT(*decode_config_command(encode_config_command(*c)) == *c);
  Result<AppSnapshot> s = decode_app_snapshot(bytes);
  if (s.has_value()) RC_ASSERT(*decode_app_snapshot(encode_app_snapshot(*s)) == *s);
}

}  // namespace
}  // namespace quorum::wire
