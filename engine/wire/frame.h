// Length-prefixed, checksummed frames for TCP (docs/formats/wire.md). Wire layer: core only.
//
// A frame is a 16-byte header followed by the payload (one encoded Hello or raft Message):
//   offset 0  magic             4 bytes  "QRM1"
//   offset 4  version           u8       kFrameVersion
//   offset 5  flags             u8       0 (reserved; a non-zero value is rejected)
//   offset 6  reserved          u16 LE   0 (rejected if non-zero)
//   offset 8  payload_bytes     u32 LE   <= kFramePayloadBytesMax
//   offset 12 crc32c            u32 LE   CRC32C of header bytes [0, 12) then the payload
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/base/result.h"
#include "engine/core/base/status.h"

namespace quorum::wire {

inline constexpr char kFrameMagic[4] = {'Q', 'R', 'M', '1'};
inline constexpr std::uint8_t kFrameVersion = 1;
inline constexpr std::size_t kFrameHeaderBytes = 16;
// The largest payload a frame may carry: a whole snapshot travels in one message, so this also
// bounds the snapshot size (config files: 4096 x 1 MiB at most in theory; 64 MiB in practice).
inline constexpr std::size_t kFramePayloadBytesMax = std::size_t{64} << 20;
inline constexpr std::size_t kFrameBytesMax = kFrameHeaderBytes + kFramePayloadBytesMax;
static_assert(kFramePayloadBytesMax <= UINT32_MAX, "the length field is a u32");

// Returns the frame carrying `payload`. Asserts payload.size() <= kFramePayloadBytesMax.
std::string encode_frame(std::string_view payload);
// Appends the frame carrying `payload` to *out (batching several frames in one write).
void append_frame(std::string_view payload, std::string* out);

// Incremental decoder for one TCP connection. Feed it bytes as they arrive, then call next()
// until it reports "need more". The first malformed byte poisons the decoder for good: every
// later next() returns the same error and feed() drops its input, because after a bad frame
// the stream has no trustworthy boundary left (the connection must be closed).
//
// Checks, each reported as soon as the bytes that reveal it have arrived: magic (byte by byte,
// so garbage is refused at its first byte), version, flags and reserved bits, payload length
// above payload_bytes_max (before a single payload byte is buffered), CRC32C mismatch.
// Not thread-safe; one decoder per connection.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t payload_bytes_max = kFramePayloadBytesMax);
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  void feed(std::string_view bytes);

  // A complete payload, std::nullopt if more bytes are needed, or the error that poisoned the
  // decoder (Status::corruption).
  Result<std::optional<std::string>> next();

  bool is_poisoned() const { return !error_.is_ok(); }
  // Bytes fed but not yet returned as part of a frame.
  std::size_t buffered_bytes() const { return buffer_.size() - read_offset_; }

 private:
  // Validates the (possibly partial) header at the read offset; sets error_ on failure.
  void check_header(std::string_view available);
  Status poison(const Status& error);

  const std::size_t payload_bytes_max_;
  std::string buffer_;
  // Invariant: read_offset_ <= buffer_.size(); bytes before it belong to returned frames.
  std::size_t read_offset_ = 0;
  std::uint64_t frames_decoded_count_ = 0;
  Status error_;
};

}  // namespace quorum::wire
