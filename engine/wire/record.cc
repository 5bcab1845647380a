// Storage record envelope. Wire layer: core only.
#include "engine/wire/record.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "engine/core/base/crc32c.h"

namespace quorum::wire {
namespace {

std::uint32_t record_crc(char version, std::string_view payload) {
  return crc32c_extend(crc32c(std::string_view(&version, 1)), payload);
}

}  // namespace

std::string encode_record(std::string_view payload) {
  std::string out;
  out.reserve(kRecordHeaderBytes + payload.size());
  const char version = static_cast<char>(kRecordVersion);
  const std::uint32_t crc = record_crc(version, payload);
  out.push_back(version);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFFu));
  out.append(payload);
  QUORUM_ASSERT(out.size() == kRecordHeaderBytes + payload.size());
  return out;
}

Result<std::string_view> decode_record(std::string_view key_name, std::string_view bytes) {
  if (bytes.size() < kRecordHeaderBytes) {
    return Status::corruption(
        fmt::format("{}: record is {} bytes, shorter than its {}-byte header (truncated)", key_name,
                    bytes.size(), kRecordHeaderBytes));
  }
  const auto version = static_cast<std::uint8_t>(bytes[0]);
  if (version != kRecordVersion) {
    return Status::corruption(fmt::format("{}: unsupported record version {} (this build: {})",
                                          key_name, version, kRecordVersion));
  }
  std::uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) {
    stored |= static_cast<std::uint32_t>(
                  static_cast<unsigned char>(bytes[1 + static_cast<std::size_t>(i)]))
              << (8 * i);
  }
  const std::string_view payload = bytes.substr(kRecordHeaderBytes);
  const std::uint32_t computed = record_crc(bytes[0], payload);
  if (stored != computed) {
    return Status::corruption(fmt::format("{}: crc mismatch (stored 0x{:08x}, computed 0x{:08x})",
                                          key_name, stored, computed));
  }
  return payload;
}

}  // namespace quorum::wire
