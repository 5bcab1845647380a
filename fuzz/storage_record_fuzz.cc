// libFuzzer target: a RocksDB value as the storage adapter reads it at start: the record
// envelope, then the payload as each record kind. Properties: never crashes; an accepted
// envelope re-encodes to exactly the input bytes; every error names the key; any bytes wrapped
// in an envelope come back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"
#include "engine/wire/record.h"

namespace {

// The payload decoders of every record kind: accepted values re-encode to equal values.
void check_payload(std::string_view payload) {
  namespace w = quorum::wire;
  if (auto entry = w::decode_entry(payload); entry.has_value()) {
    QUORUM_ASSERT(*w::decode_entry(w::encode_entry(*entry)) == *entry);
  }
  if (auto hs = w::decode_hard_state(payload); hs.has_value()) {
    QUORUM_ASSERT(*w::decode_hard_state(w::encode_hard_state(*hs)) == *hs);
  }
  if (auto snapshot = w::decode_snapshot(payload); snapshot.has_value()) {
    QUORUM_ASSERT(*w::decode_snapshot(w::encode_snapshot(*snapshot)) == *snapshot);
  }
  if (auto identity = w::decode_store_identity(payload); identity.has_value()) {
    QUORUM_ASSERT(*w::decode_store_identity(w::encode_store_identity(*identity)) == *identity);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace w = quorum::wire;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The input as a payload: the envelope gives it back unchanged, and the payload decoders see
  // arbitrary bytes (a mutated record rarely keeps a valid CRC, so this is how they get fuzzed).
  const std::string wrapped = w::encode_record(bytes);
  auto unwrapped = w::decode_record("log/1", wrapped);
  QUORUM_ASSERT(unwrapped.has_value());
  QUORUM_ASSERT(*unwrapped == bytes);
  check_payload(bytes);

  // The input as a stored value.
  auto payload = w::decode_record("log/42", bytes);
  if (!payload.has_value()) {
    QUORUM_ASSERT(payload.error().code() == quorum::StatusCode::kCorruption);
    QUORUM_ASSERT(payload.error().message().starts_with("log/42: "));
    return 0;
  }
  QUORUM_ASSERT(w::encode_record(*payload) == bytes, "accepted record does not re-encode");
  check_payload(*payload);
  return 0;
}
