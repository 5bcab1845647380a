// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected), as used by iSCSI, RocksDB and our
// frames and records. Written here; checked against the RFC 3720 test vectors.
#pragma once

#include <cstdint>
#include <string_view>

namespace quorum {

// Extends `crc` (the CRC of earlier bytes, 0 for none) over `data`.
std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view data);
inline std::uint32_t crc32c(std::string_view data) { return crc32c_extend(0, data); }

}  // namespace quorum
