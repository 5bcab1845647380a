// Internal helpers of the codec .cc files (not for users of engine/wire).
// Wire layer: engine/core + protobuf.
#pragma once

#include <google/protobuf/message_lite.h>

#include <climits>
#include <string>
#include <string_view>

#include "engine/core/base/assert.h"

namespace quorum::wire::detail {

// Parses `bytes` into `out`. False if the bytes are not a valid encoding of that message (or are
// too large for Protobuf's int sizes). Unknown fields are kept and ignored (forward
// compatibility); an unknown oneof case shows up as "not set" and is rejected by the caller.
inline bool parse(std::string_view bytes, google::protobuf::MessageLite* out) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) return false;
  return out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

inline std::string serialize(const google::protobuf::MessageLite& message) {
  std::string out;
  const bool ok = message.SerializeToString(&out);
  QUORUM_ASSERT(ok, "protobuf serialization failed (message above 2 GiB?)");
  return out;
}

}  // namespace quorum::wire::detail
