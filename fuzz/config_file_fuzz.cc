// libFuzzer target: the quorumd.cnf parser must never crash, whatever the bytes; every failure
// is an invalid_argument naming the source. Built by the fuzz folder's CMake (QUORUM_FUZZ=ON).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/base/assert.h"
#include "tools/quorumd/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  quorum::Result<quorum::quorumd::ParsedConfig> parsed =
      quorum::quorumd::parse_config_text(text, "fuzz.cnf");
  if (parsed.has_value()) {
    // A config that parses converts without tripping the conversion's assertions.
    static_cast<void>(quorum::quorumd::to_host_config(*parsed));
  } else {
    QUORUM_ASSERT(parsed.error().code() == quorum::StatusCode::kInvalidArgument);
  }
  return 0;
}
