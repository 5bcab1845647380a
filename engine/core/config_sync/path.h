#pragma once

#include <string>
#include <string_view>

namespace quorum::config_sync {

// A valid config path is relative, non-empty, at most kPathBytesMax bytes, made of segments of
// [A-Za-z0-9._-] separated by single '/', with no "." or ".." segment.
// Returns an empty string if valid, otherwise the reason.
std::string validate_path(std::string_view path);

}  // namespace quorum::config_sync
