// libFuzzer target: a RocksDB value as the storage adapter reads it at start: the record
// envelope, then the payload as each record kind. Properties: never crashes; an accepted
// envelope re-encodes to exactly the input bytes; every error names the key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"
#include "engine/wire/record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace w = quorum::wire;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto payload = w::decode_record("log/42", bytes);
  if (!payload.has_value()) {
    QUORUM_ASSERT(payload.error().code() == quorum::StatusCode::kCorruption);
    QUORUM_ASSERT(payload.error().message().starts_with("log/42: "));
    return 0;
  }
  QUORUM_ASSERT(w::encode_record(*payload) == bytes, "accepted record does not re-encode");
  if (auto entry = w::decode_entry(*payload); entry.has_value()) {
    QUORUM_ASSERT(*w::decode_entry(w::encode_entry(*entry)) == *entry);
  }
  if (auto hs = w::decode_hard_state(*payload); hs.has_value()) {
    QUORUM_ASSERT(*w::decode_hard_state(w::encode_hard_state(*hs)) == *hs);
  }
  if (auto snapshot = w::decode_snapshot(*payload); snapshot.has_value()) {
    QUORUM_ASSERT(*w::decode_snapshot(w::encode_snapshot(*snapshot)) == *snapshot);
  }
  if (auto identity = w::decode_store_identity(*payload); identity.has_value()) {
    QUORUM_ASSERT(*w::decode_store_identity(w::encode_store_identity(*identity)) == *identity);
  }
  return 0;
}
