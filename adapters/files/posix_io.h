// Small POSIX file helpers for the config directory writer: durable atomic replace, reads that
// never follow a symlink, errno -> Status. Adapter layer.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/core/base/result.h"

namespace quorum::adapters::files {

// Prefix of our temporary files; a leftover one (crash between create and rename) is deleted by
// the next scan and never reported as drift.
inline constexpr std::string_view kTempPrefix = ".quorum-tmp.";

// ENOSPC/EDQUOT -> kNoSpace, ENOENT -> kNotFound, anything else -> kIoError; the message is
// "<what>: <strerror>".
Status errno_status(int err, std::string_view what);

// Replaces `path` atomically and durably: temp file beside it, write, fsync, rename, fsync the
// directory. The temp file is removed on failure.
Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode);
// Reads a regular file without following a symlink in its last component. Reading a symlink or
// a directory fails with kInvalidArgument.
Result<std::string> read_file_nofollow(const std::string& path, std::size_t bytes_max);
Status remove_file_durable(const std::string& path);
Status fsync_dir(const std::string& dir);
// Creates the parent directories of `relative` under `root` (mode 0750). Refuses a component
// that exists but is a symlink or not a directory, so that no write can escape `root`.
Status make_parents(const std::string& root, const std::string& relative);

struct DiskFile {
  bool regular = false;  // false: symlink, fifo, socket... (never matches replicated content)
  std::uint64_t size = 0;
  std::uint32_t checksum = 0;  // CRC32C of the content (regular files)
};

// Every non-directory entry under root (recursively, symlinks not followed), keyed by the path
// relative to root. Leftover temp files are deleted and not listed.
Result<std::map<std::string, DiskFile>> scan_dir(const std::string& root, std::size_t bytes_max);

}  // namespace quorum::adapters::files
