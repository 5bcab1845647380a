// Key encoding of the RocksDB storage. Adapter layer.
#include "adapters/rocks/keys.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::adapters::rocks {

std::string log_key(LogIndex index) {
  std::string key = fmt::format("{}{:020}", kLogPrefix, index);
  QUORUM_ASSERT(key.size() == kLogPrefix.size() + kLogIndexDigits);
  return key;
}

std::string log_key_end() {
  // '/' + 1 == '0': "log0" sorts after every "log/..." key and before any other "log..." key.
  std::string end(kLogPrefix.substr(0, kLogPrefix.size() - 1));
  end.push_back(static_cast<char>(kLogPrefix.back() + 1));
  return end;
}

std::optional<LogIndex> parse_log_key(std::string_view key) {
  if (key.size() != kLogPrefix.size() + kLogIndexDigits) return std::nullopt;
  if (key.substr(0, kLogPrefix.size()) != kLogPrefix) return std::nullopt;
  LogIndex index = 0;
  for (char c : key.substr(kLogPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<LogIndex>(c - '0');
    if (index > (UINT64_MAX - digit) / 10) return std::nullopt;  // above UINT64_MAX
    index = index * 10 + digit;
  }
  return index;
}

}  // namespace quorum::adapters::rocks
