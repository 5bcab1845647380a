// libFuzzer target: every codec decoder on arbitrary bytes. Properties: never crashes (decoders
// return a Status, never assert on bytes); whatever is accepted is a valid value (the encoder
// asserts validity), and encode + decode gives it back unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"

namespace {

// decode(bytes) ok => decode(encode(decode(bytes))) == decode(bytes).
template <typename Decode, typename Encode>
void check_stable(std::string_view bytes, Decode decode, Encode encode) {
  auto first = decode(bytes);
  if (!first.has_value()) {
    QUORUM_ASSERT(!first.error().message().empty());
    return;
  }
  auto second = decode(encode(*first));
  QUORUM_ASSERT(second.has_value(), "re-encoded value rejected: {}", second.error().to_string());
  QUORUM_ASSERT(*second == *first, "re-encoded value differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace w = quorum::wire;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_stable(bytes, w::decode_message, w::encode_message);
  check_stable(bytes, w::decode_entry, w::encode_entry);
  check_stable(bytes, w::decode_hard_state, w::encode_hard_state);
  check_stable(bytes, w::decode_snapshot_meta, w::encode_snapshot_meta);
  check_stable(bytes, w::decode_snapshot, w::encode_snapshot);
  check_stable(bytes, w::decode_hello, w::encode_hello);
  check_stable(bytes, w::decode_store_identity, w::encode_store_identity);
  check_stable(bytes, w::decode_app_snapshot, w::encode_app_snapshot);
  check_stable(bytes, w::decode_config_command, w::encode_config_command);
  check_stable(bytes, w::decode_ownership_payload, w::encode_ownership_payload);
  check_stable(bytes, w::decode_history_payload, w::encode_history_payload);
  if (auto family = w::decode_command_family(bytes); family.has_value()) {
    QUORUM_ASSERT(*family == w::CommandFamily::kConfig || *family == w::CommandFamily::kOwnership ||
                  *family == w::CommandFamily::kHistory);
  }
  return 0;
}
