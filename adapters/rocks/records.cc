// Storage values: the wire record envelope (engine/wire/record.h) around the wire codec's
// encoding (engine/wire/codec.h). Nothing here encodes by itself: there is one codec.
#include "adapters/rocks/records.h"

#include <fmt/format.h>

#include "engine/wire/codec.h"
#include "engine/wire/record.h"

namespace quorum::adapters::rocks {
namespace {

// Opens the envelope, then decodes the payload; a payload error is prefixed with the key too.
template <typename T, typename Decode>
Result<T> open_record(std::string_view key, std::string_view bytes, Decode decode) {
  Result<std::string_view> payload = wire::decode_record(key, bytes);
  if (!payload) return payload.error();
  Result<T> value = decode(*payload);
  if (!value) return Status::corruption(fmt::format("{}: {}", key, value.error().message()));
  return value;
}

}  // namespace

std::string encode_identity_record(const wire::StoreIdentity& identity) {
  return wire::encode_record(wire::encode_store_identity(identity));
}

Result<wire::StoreIdentity> decode_identity_record(std::string_view key, std::string_view bytes) {
  return open_record<wire::StoreIdentity>(key, bytes, wire::decode_store_identity);
}

std::string encode_hard_state_record(const raft::HardState& hard_state) {
  return wire::encode_record(wire::encode_hard_state(hard_state));
}

Result<raft::HardState> decode_hard_state_record(std::string_view key, std::string_view bytes) {
  return open_record<raft::HardState>(key, bytes, wire::decode_hard_state);
}

std::string encode_entry_record(const raft::Entry& entry) {
  return wire::encode_record(wire::encode_entry(entry));
}

Result<raft::Entry> decode_entry_record(std::string_view key, std::string_view bytes) {
  return open_record<raft::Entry>(key, bytes, wire::decode_entry);
}

std::string encode_snapshot_record(const raft::Snapshot& snapshot) {
  return wire::encode_record(wire::encode_snapshot(snapshot));
}

Result<raft::Snapshot> decode_snapshot_record(std::string_view key, std::string_view bytes) {
  return open_record<raft::Snapshot>(key, bytes, wire::decode_snapshot);
}

}  // namespace quorum::adapters::rocks
