// Frames for TCP: encoder and incremental decoder. Wire layer: core only.
#include "engine/wire/frame.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "engine/core/base/assert.h"
#include "engine/core/base/crc32c.h"

namespace quorum::wire {
namespace {

constexpr std::size_t kVersionOffset = 4;
constexpr std::size_t kFlagsOffset = 5;
constexpr std::size_t kReservedOffset = 6;
constexpr std::size_t kLengthOffset = 8;
constexpr std::size_t kCrcOffset = 12;
static_assert(kCrcOffset + 4 == kFrameHeaderBytes);

void put_u32_le(std::uint32_t value, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFFu);
}

std::uint32_t get_u32_le(const char* in) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  }
  return value;
}

std::uint8_t get_u8(const char* in) {
  return static_cast<unsigned char>(*in);
}

}  // namespace

void append_frame(std::string_view payload, std::string* out) {
  QUORUM_ASSERT(out != nullptr);
  QUORUM_ASSERT(payload.size() <= kFramePayloadBytesMax, "frame payload of {} bytes above {}",
                payload.size(), kFramePayloadBytesMax);
  const std::size_t start = out->size();
  out->resize(start + kFrameHeaderBytes);
  char* header = out->data() + start;
  std::memcpy(header, kFrameMagic, sizeof kFrameMagic);
  header[kVersionOffset] = static_cast<char>(kFrameVersion);
  header[kFlagsOffset] = 0;
  header[kReservedOffset] = 0;
  header[kReservedOffset + 1] = 0;
  put_u32_le(static_cast<std::uint32_t>(payload.size()), header + kLengthOffset);
  std::uint32_t crc = crc32c(std::string_view(header, kCrcOffset));
  crc = crc32c_extend(crc, payload);
  put_u32_le(crc, header + kCrcOffset);
  out->append(payload);
  QUORUM_ASSERT(out->size() == start + kFrameHeaderBytes + payload.size());
}

std::string encode_frame(std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  append_frame(payload, &out);
  return out;
}

FrameDecoder::FrameDecoder(std::size_t payload_bytes_max) : payload_bytes_max_(payload_bytes_max) {
  QUORUM_ASSERT(payload_bytes_max_ <= kFramePayloadBytesMax);
}

void FrameDecoder::feed(std::string_view bytes) {
  if (is_poisoned()) return;
  // Drop the bytes of returned frames before growing, so the buffer stays about one frame big.
  if (read_offset_ > 0 && read_offset_ >= buffer_.size() / 2) {
    buffer_.erase(0, read_offset_);
    read_offset_ = 0;
  }
  buffer_.append(bytes);
}

Status FrameDecoder::poison(const Status& error) {
  QUORUM_ASSERT(!error.is_ok());
  QUORUM_ASSERT(error_.is_ok());
  error_ = Status(error.code(),
                  fmt::format("frame {} (after {} good frames): {}", frames_decoded_count_ + 1,
                              frames_decoded_count_, error.message()));
  buffer_.clear();
  read_offset_ = 0;
  return error_;
}

void FrameDecoder::check_header(std::string_view available) {
  const std::size_t magic_bytes = std::min(available.size(), sizeof kFrameMagic);
  for (std::size_t i = 0; i < magic_bytes; ++i) {
    if (available[i] != kFrameMagic[i]) {
      (void)poison(
          Status::corruption(fmt::format("bad magic byte 0x{:02x} at offset {} (expected \"QRM1\")",
                                         static_cast<unsigned char>(available[i]), i)));
      return;
    }
  }
  if (available.size() > kVersionOffset && get_u8(&available[kVersionOffset]) != kFrameVersion) {
    (void)poison(
        Status::corruption(fmt::format("unsupported frame version {} (this build: {})",
                                       get_u8(&available[kVersionOffset]), kFrameVersion)));
    return;
  }
  if (available.size() > kFlagsOffset && get_u8(&available[kFlagsOffset]) != 0) {
    (void)poison(Status::corruption(
        fmt::format("reserved flags 0x{:02x} set", get_u8(&available[kFlagsOffset]))));
    return;
  }
  for (std::size_t i = kReservedOffset; i < kLengthOffset && i < available.size(); ++i) {
    if (available[i] != 0) {
      (void)poison(Status::corruption(fmt::format("reserved byte {} is not zero", i)));
      return;
    }
  }
  if (available.size() >= kLengthOffset + 4) {
    const std::uint32_t payload_bytes = get_u32_le(&available[kLengthOffset]);
    if (payload_bytes > payload_bytes_max_) {
      (void)poison(
          Status::corruption(fmt::format("payload length {} bytes above the limit of {} bytes",
                                         payload_bytes, payload_bytes_max_)));
    }
  }
}

Result<std::optional<std::string>> FrameDecoder::next() {
  if (is_poisoned()) return error_;
  const std::string_view available = std::string_view(buffer_).substr(read_offset_);
  check_header(available);
  if (is_poisoned()) return error_;
  if (available.size() < kFrameHeaderBytes) return std::optional<std::string>();
  const std::uint32_t payload_bytes = get_u32_le(&available[kLengthOffset]);
  QUORUM_ASSERT(payload_bytes <= payload_bytes_max_);
  if (available.size() < kFrameHeaderBytes + payload_bytes) return std::optional<std::string>();

  const std::string_view payload = available.substr(kFrameHeaderBytes, payload_bytes);
  const std::uint32_t stored = get_u32_le(&available[kCrcOffset]);
  const std::uint32_t computed = crc32c_extend(crc32c(available.substr(0, kCrcOffset)), payload);
  if (stored != computed) {
    return poison(Status::corruption(
        fmt::format("crc mismatch (stored 0x{:08x}, computed 0x{:08x}, payload {} bytes)", stored,
                    computed, payload_bytes)));
  }
  std::string out(payload);
  read_offset_ += kFrameHeaderBytes + payload_bytes;
  ++frames_decoded_count_;
  QUORUM_ASSERT(read_offset_ <= buffer_.size());
  if (read_offset_ == buffer_.size()) {
    buffer_.clear();
    read_offset_ = 0;
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace quorum::wire
