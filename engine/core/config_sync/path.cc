// Config path validation. Core: std and fmt only.
#include "engine/core/config_sync/path.h"

#include <fmt/format.h>

#include "engine/core/config_sync/state_machine.h"

namespace quorum::config_sync {
namespace {

bool is_allowed_char(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return c == '.' || c == '_' || c == '-';
}

// Checks one segment (the bytes between two '/'). `offset` is the segment's first byte in the
// whole path, so the reason can point at the exact byte.
std::string validate_segment(std::string_view segment, std::size_t offset) {
  if (segment.empty()) {
    return fmt::format("path has an empty segment at byte {} (\"//\" or a trailing '/')", offset);
  }
  if (segment == ".") return fmt::format("path has a \".\" segment at byte {}", offset);
  if (segment == "..") return fmt::format("path has a \"..\" segment at byte {}", offset);
  for (std::size_t i = 0; i < segment.size(); ++i) {
    const char c = segment[i];
    if (!is_allowed_char(c)) {
      return fmt::format(
          "path has a forbidden byte 0x{:02x} at byte {} (allowed: A-Z a-z 0-9 . _ - and '/')",
          static_cast<unsigned char>(c), offset + i);
    }
  }
  return {};
}

}  // namespace

std::string validate_path(std::string_view path) {
  if (path.empty()) return "path is empty";
  if (path.size() > kPathBytesMax) {
    return fmt::format("path is {} bytes, above the limit of {} bytes", path.size(), kPathBytesMax);
  }
  if (path.front() == '/') return "path is absolute (starts with '/'); it must be relative";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string reason = validate_segment(path.substr(start, end - start), start);
    if (!reason.empty()) return reason;
    start = end + 1;
  }
  return {};
}

}  // namespace quorum::config_sync
