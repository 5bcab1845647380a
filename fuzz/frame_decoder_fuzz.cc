// libFuzzer target: the TCP frame decoder, fed the input in chunks whose sizes come from the
// input itself. Properties: never crashes; a poisoned decoder stays poisoned; every returned
// payload re-encodes to exactly the bytes it was decoded from; payloads that decode as a Hello
// or a raft Message re-encode to an equal value; the input framed as one payload comes back
// unchanged whatever the chunking.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"
#include "engine/wire/frame.h"

namespace {

void check_payload(std::string_view payload) {
  using quorum::wire::decode_message;
  if (auto m = decode_message(payload); m.has_value()) {
    QUORUM_ASSERT(*decode_message(quorum::wire::encode_message(*m)) == *m);
  }
  if (auto h = quorum::wire::decode_hello(payload); h.has_value()) {
    QUORUM_ASSERT(*quorum::wire::decode_hello(quorum::wire::encode_hello(*h)) == *h);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first byte picks the chunk size (1..256) so the fuzzer explores partial headers too.
  if (input.empty()) return 0;
  const std::size_t chunk_bytes = static_cast<unsigned char>(input[0]) + std::size_t{1};
  const std::string_view stream = input.substr(1);
  // A small bound so that length-limit paths are reachable with small inputs.
  quorum::wire::FrameDecoder decoder(1 << 16);
  std::string consumed;  // the frames returned so far, re-encoded
  std::size_t offset = 0;
  bool poisoned = false;
  while (offset < stream.size()) {
    decoder.feed(stream.substr(offset, chunk_bytes));
    offset += chunk_bytes;
    for (;;) {
      auto next = decoder.next();
      if (!next.has_value()) {
        QUORUM_ASSERT(decoder.is_poisoned());
        QUORUM_ASSERT(next.error().code() == quorum::StatusCode::kCorruption);
        poisoned = true;
        break;
      }
      QUORUM_ASSERT(!poisoned, "a poisoned decoder returned a value");
      if (!next->has_value()) break;
      check_payload(**next);
      quorum::wire::append_frame(**next, &consumed);
      QUORUM_ASSERT(consumed.size() <= stream.size());
      QUORUM_ASSERT(stream.substr(0, consumed.size()) == consumed,
                    "a decoded frame does not re-encode to its bytes");
    }
  }
  // The input itself as one payload, split the same way: it must come back unchanged. This also
  // fuzzes the payload decoders, which mutated frames rarely reach (their CRC breaks).
  const std::string framed = quorum::wire::encode_frame(stream);
  quorum::wire::FrameDecoder whole;
  std::size_t fed_bytes = 0;
  std::size_t frames_count = 0;
  while (fed_bytes < framed.size()) {
    whole.feed(std::string_view(framed).substr(fed_bytes, chunk_bytes));
    fed_bytes += chunk_bytes;
    auto next = whole.next();
    QUORUM_ASSERT(next.has_value(), "{}", next.error().to_string());
    if (!next->has_value()) continue;
    QUORUM_ASSERT(**next == stream);
    ++frames_count;
  }
  QUORUM_ASSERT(frames_count == 1);
  check_payload(stream);
  return 0;
}
