// The transport's view of the wire frame format (engine/wire/frame.h): encode one payload as a
// frame; cut a byte stream into verified payloads. Adapter layer; the format itself lives in
// engine/wire (magic, version, length bound, CRC32C) and is documented in docs/formats/.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/base/status.h"
#include "engine/wire/frame.h"

namespace quorum::adapters {

std::string encode_frame(std::string_view payload);

// Not thread-safe. After feed() returned an error, the stream is unusable (close it).
class FrameReader {
 public:
  // Consumes bytes; complete frames become available through pop(). Frames completed before a
  // malformed one are still returned by pop().
  Status feed(std::string_view bytes);
  std::optional<std::string> pop();
  // Bytes of a frame that has begun but not completed (0 between frames).
  std::size_t partial_frame_bytes() const { return decoder_.buffered_bytes(); }

 private:
  wire::FrameDecoder decoder_;
  std::deque<std::string> ready_;
};

}  // namespace quorum::adapters
