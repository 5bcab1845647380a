// Values of the RocksDB storage: each is a checksummed wire record (engine/wire) around one
// encoded value. Decoding never trusts the bytes: a damaged record is Status::corruption whose
// message starts with the key ("log/00000000000000000042: crc mismatch"). Adapter layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/base/result.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"
#include "engine/wire/codec.h"

namespace quorum::adapters::rocks {

std::string encode_identity_record(const wire::StoreIdentity& identity);
Result<wire::StoreIdentity> decode_identity_record(std::string_view key, std::string_view bytes);

std::string encode_hard_state_record(const raft::HardState& hard_state);
Result<raft::HardState> decode_hard_state_record(std::string_view key, std::string_view bytes);

std::string encode_entry_record(const raft::Entry& entry);
Result<raft::Entry> decode_entry_record(std::string_view key, std::string_view bytes);

std::string encode_snapshot_record(const raft::Snapshot& snapshot);
Result<raft::Snapshot> decode_snapshot_record(std::string_view key, std::string_view bytes);

}  // namespace quorum::adapters::rocks
