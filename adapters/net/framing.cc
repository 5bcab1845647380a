#include "adapters/net/framing.h"

#include <utility>

namespace quorum::adapters {

std::string encode_frame(std::string_view payload) { return wire::encode_frame(payload); }

Status FrameReader::feed(std::string_view bytes) {
  decoder_.feed(bytes);
  while (true) {
    Result<std::optional<std::string>> next = decoder_.next();
    if (!next) return next.error();
    if (!next->has_value()) return Status::ok();
    ready_.push_back(std::move(**next));
  }
}

std::optional<std::string> FrameReader::pop() {
  if (ready_.empty()) return std::nullopt;
  std::string payload = std::move(ready_.front());
  ready_.pop_front();
  return payload;
}

}  // namespace quorum::adapters
