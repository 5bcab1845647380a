// The one codec between the core's value types and bytes (Protobuf, engine/wire/proto/*.proto).
// Wire layer: engine/core + protobuf. Byte layouts: docs/formats/wire.md, docs/formats/storage.md.
//
// Contract of every pair:
//  * encode_x(value) asserts that `value` is valid (QUORUM_ASSERT: a bad value is a bug of the
//    caller) and never fails;
//  * decode_x(bytes) never asserts on the bytes: it returns Status::corruption naming what is
//    wrong ("raft message: append_request entry 2: index 9 does not follow 7"), including
//    impossible combinations that Protobuf alone would accept (missing oneof, zero node id, ...);
//  * decode_x(encode_x(v)) == v for every valid v (round-trip; codec_test, codec_prop_test).
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/base/result.h"
#include "engine/core/base/types.h"
#include "engine/core/config_sync/command.h"
#include "engine/core/config_sync/state_machine.h"
#include "engine/core/history/state_machine.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/message.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"

namespace quorum::wire {

// Version of the peer protocol announced in Hello. Bump on an incompatible change.
inline constexpr std::uint32_t kProtocolVersion = 1;
// Version of the storage layout recorded in StoreIdentity.
inline constexpr std::uint32_t kStoreFormatVersion = 1;
inline constexpr std::size_t kClusterIdBytesMax = 255;

// ---- Raft messages and records (raft.proto) ----
std::string encode_message(const raft::Message& message);
Result<raft::Message> decode_message(std::string_view bytes);

std::string encode_entry(const raft::Entry& entry);
Result<raft::Entry> decode_entry(std::string_view bytes);

std::string encode_hard_state(const raft::HardState& hard_state);
Result<raft::HardState> decode_hard_state(std::string_view bytes);

std::string encode_snapshot_meta(const raft::SnapshotMeta& meta);
Result<raft::SnapshotMeta> decode_snapshot_meta(std::string_view bytes);

std::string encode_snapshot(const raft::Snapshot& snapshot);
Result<raft::Snapshot> decode_snapshot(std::string_view bytes);

// ---- Command entries (apply.proto CommandPayload) ----
// The family tag of a COMMAND entry's payload: the apply router dispatches on it. New families
// (ownership) get the next number; a payload of a family this build does not know decodes to
// an error, never to a guess.
enum class CommandFamily : std::uint8_t { kConfig = 1, kOwnership = 2, kHistory = 3 };

Result<CommandFamily> decode_command_family(std::string_view payload);

// A config command as entry payload bytes (family kConfig). Paths and sizes are NOT validated
// here: the state machine rejects bad commands with a reason, the same way on every node.
std::string encode_config_command(const config_sync::Command& command);
Result<config_sync::Command> decode_config_command(std::string_view payload);

// The ownership state machine's snapshot section (ownership.proto OwnershipSnapshot).
struct OwnershipSnapshot {
  LogIndex applied_index = 0;
  ownership::Snapshot state;
  friend bool operator==(const OwnershipSnapshot&, const OwnershipSnapshot&) = default;
};

// An ownership command as entry payload bytes (family kOwnership); validated when applied.
std::string encode_ownership_payload(const ownership::Command& command);
Result<ownership::Command> decode_ownership_payload(std::string_view payload);

// The leadership history's snapshot section (history.proto HistorySnapshot).
struct HistorySnapshot {
  LogIndex applied_index = 0;
  std::deque<history::Change> changes;
  friend bool operator==(const HistorySnapshot&, const HistorySnapshot&) = default;
};

// A leader record as entry payload bytes (family kHistory); validated when applied, except the
// reason, which must be one this build knows.
std::string encode_history_payload(const history::Record& record);
Result<history::Record> decode_history_payload(std::string_view payload);

// ---- Application snapshot (apply.proto AppSnapshot): the data of a raft::Snapshot ----
// One section per state machine family; the ownership section comes later.
struct AppSnapshot {
  // The config-sync state machine: applied index and files (as StateMachine::files()).
  LogIndex config_applied_index = 0;
  std::map<std::string, config_sync::FileEntry> config_files;
  // The ownership section (validated on decode); empty for snapshots from before the pool.
  std::optional<OwnershipSnapshot> ownership = std::nullopt;
  // The leadership history (validated on decode); empty for snapshots from before it existed.
  std::optional<HistorySnapshot> history = std::nullopt;
  friend bool operator==(const AppSnapshot&, const AppSnapshot&) = default;
};

// Encode asserts, decode validates, every file with config_sync::validate_file_entry.
std::string encode_app_snapshot(const AppSnapshot& snapshot);
Result<AppSnapshot> decode_app_snapshot(std::string_view bytes);

// ---- Ownership (ownership.proto): command bytes and the snapshot section ----
// The bytes of one pb::OwnershipCommand (not yet wrapped in a CommandPayload: the host's apply
// routing does that). Fields are NOT validated here beyond the enums: the state machine rejects
// bad commands with a reason, the same way on every node.
std::string encode_ownership_command(const ownership::Command& command);
Result<ownership::Command> decode_ownership_command(std::string_view bytes);

// The ownership state machine's section of an application snapshot.

// Encode asserts ownership::validate_state; decode validates it (untrusted bytes), plus sorted
// unique ids and known enum values.
std::string encode_ownership_snapshot(const OwnershipSnapshot& snapshot);
Result<OwnershipSnapshot> decode_ownership_snapshot(std::string_view bytes);

// ---- Transport handshake (transport.proto Hello) ----
// The first frame on every TCP connection, in both directions.
struct Hello {
  std::string cluster_id;                             // non-empty, at most kClusterIdBytesMax bytes
  NodeId node_id = kNoNode;                           // the sender, != kNoNode
  std::uint32_t protocol_version = kProtocolVersion;  // != 0
  friend bool operator==(const Hello&, const Hello&) = default;
};

std::string encode_hello(const Hello& hello);
Result<Hello> decode_hello(std::string_view bytes);

// ---- Storage identity (storage.proto StoreIdentity) ----
struct StoreIdentity {
  std::string cluster_id;    // non-empty, at most kClusterIdBytesMax bytes
  NodeId node_id = kNoNode;  // != kNoNode
  std::uint32_t format_version = kStoreFormatVersion;  // != 0
  friend bool operator==(const StoreIdentity&, const StoreIdentity&) = default;
};

std::string encode_store_identity(const StoreIdentity& identity);
Result<StoreIdentity> decode_store_identity(std::string_view bytes);

// ---- Validity rules shared by encode (asserted) and decode (returned) ----
// Each returns an empty string if the value is valid, otherwise the first broken rule.
std::string check_membership(const raft::Membership& membership);
std::string check_entry(const raft::Entry& entry);
// Consecutive indexes from first_index, terms never decreasing, each entry valid.
std::string check_entries(const std::vector<raft::Entry>& entries, LogIndex first_index);
std::string check_hard_state(const raft::HardState& hard_state);
std::string check_snapshot_meta(const raft::SnapshotMeta& meta);
std::string check_message(const raft::Message& message);

}  // namespace quorum::wire
