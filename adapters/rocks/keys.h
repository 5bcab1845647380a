// RocksDB key layout of the node's durable state. Adapter layer.
//
//   meta/identity        wire::StoreIdentity: cluster id, node id, format version
//   state/hard           raft::HardState
//   snapshot             raft::Snapshot (meta + data in one record)
//   log/<20 digits>      raft::Entry at that index, zero-padded decimal
//
// Zero-padded decimal sorts like the number (bytewise comparator) and stays readable in error
// messages ("log/00000000000000000042: crc mismatch"). Every value is a checksummed wire record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/base/types.h"

namespace quorum::adapters::rocks {

inline constexpr std::string_view kIdentityKey = "meta/identity";
inline constexpr std::string_view kHardStateKey = "state/hard";
inline constexpr std::string_view kSnapshotKey = "snapshot";
inline constexpr std::string_view kLogPrefix = "log/";
inline constexpr std::size_t kLogIndexDigits = 20;  // UINT64_MAX has 20 decimal digits

// "log/00000000000000000042".
std::string log_key(LogIndex index);
// The first key after every log key: the exclusive end of a whole-log range.
std::string log_key_end();
// The index of a log key, or nullopt if `key` is not exactly kLogPrefix + 20 digits.
std::optional<LogIndex> parse_log_key(std::string_view key);

}  // namespace quorum::adapters::rocks
