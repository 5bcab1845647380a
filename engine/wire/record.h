// The storage record envelope: every RocksDB value Quorum writes is
//   offset 0  version   u8      kRecordVersion
//   offset 1  crc32c    u32 LE  CRC32C of the version byte then the payload
//   offset 5  payload   (an encoded Entry, HardState, Snapshot, StoreIdentity, ...)
// so a torn or bit-flipped value is detected on read (docs/formats/storage.md).
// Wire layer: core only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/base/result.h"

namespace quorum::wire {

inline constexpr std::uint8_t kRecordVersion = 1;
inline constexpr std::size_t kRecordHeaderBytes = 5;

std::string encode_record(std::string_view payload);

// Checks the envelope and returns the payload, a view into `bytes` (valid while `bytes` is).
// Errors are Status::corruption prefixed with key_name, the caller's name for the record
// ("log/42: crc mismatch (stored 0x..., computed 0x...)"): a corrupt record must be reported
// with its key, and the node refuses to start.
Result<std::string_view> decode_record(std::string_view key_name, std::string_view bytes);

}  // namespace quorum::wire
