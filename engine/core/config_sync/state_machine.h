// The config-sync state machine: path -> {content, version, checksum}. Deterministic: the same
// commands at the same indexes give the same map on every controller.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "engine/core/base/status.h"
#include "engine/core/base/types.h"
#include "engine/core/config_sync/command.h"

namespace quorum::config_sync {

// Limits on what a config file may be.
inline constexpr std::size_t kPathBytesMax = 255;
inline constexpr std::size_t kContentBytesMax = 1 << 20;
inline constexpr std::size_t kFilesMax = 4096;
// No path segment may start with this: the config-dir writer names its temporary files so
// (adapters/files/posix_io.h), and would delete such a file as a leftover of a crash.
inline constexpr std::string_view kReservedPrefix = ".quorum-tmp.";

struct FileEntry {
  std::string content;
  LogIndex version = 0;        // index of the entry that last wrote the file
  std::uint32_t checksum = 0;  // CRC32C of content
  friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

struct ApplyResult {
  enum class Code : std::uint8_t {
    kApplied,
    kInvalidPath,      // reason says why (absolute, "..", too long, empty, bad character,
                       // a segment under the reserved prefix kReservedPrefix)
    kTooLarge,         // content above kContentBytesMax, or kFilesMax reached
    kNotFound,         // delete of a missing file
    kVersionMismatch,  // PutIfVersion whose expected_version is not the current version
    kConflict,         // a file would be a directory of another file, or the reverse
  };
  Code code = Code::kApplied;
  LogIndex version = 0;  // the file's version after the command (kApplied), or its current one
  std::string reason;
};

// Checks one file of a snapshot or of a live state: valid path, content within bounds,
// 0 < version <= applied_index, checksum == crc32c(content). Empty string if valid, otherwise
// the reason (without the path, which the caller names).
std::string validate_file_entry(const std::string& path, const FileEntry& file,
                                LogIndex applied_index);

// Empty if no path of `files` is a parent directory of another path of `files`; otherwise the
// first such pair. (A state the state machine cannot reach since Put refuses conflicts.)
std::string conflicting_paths_reason(const std::map<std::string, FileEntry>& files);

// Not thread-safe; owned by the host's apply loop. Copyable (tests and checkers compare copies).
class StateMachine {
 public:
  // Applies the command committed at `index`. Rejected commands change no file; applied_index()
  // still advances to `index` for every command, applied or rejected (the entry was consumed).
  // Checks run in this order: path (valid, not reserved, no file/directory conflict with an
  // existing file), content size, expected version, file count.
  // Asserts: index > applied_index().
  ApplyResult apply(LogIndex index, const Command& command);

  const std::map<std::string, FileEntry>& files() const { return files_; }
  const FileEntry* find(const std::string& path) const;
  LogIndex applied_index() const { return applied_index_; }
  // Replaces the whole state (snapshot install or restart). Validates every path and checksum
  // and that no file is the parent directory of another:
  // a snapshot from disk or the network is untrusted. On error (Status::corruption naming the
  // path) the state is left unchanged.
  Status restore(LogIndex applied_index, std::map<std::string, FileEntry> files);

 private:
  ApplyResult apply_put(LogIndex index, const Put& put);
  ApplyResult apply_delete(LogIndex index, const Delete& del);
  ApplyResult apply_put_if_version(LogIndex index, const PutIfVersion& cas);
  // Empty if `path` can be written next to the current files: no existing file is one of its
  // parent directories ("a/b" blocks "a/b/c") and it is no parent directory of an existing
  // file ("a/b/c" blocks "a/b"). Otherwise the reason, naming the other file.
  std::string conflict_reason(const std::string& path) const;
  // kApplied (empty reason) if Put/PutIfVersion may write `path`, else the rejection.
  ApplyResult check_write_path(const std::string& path) const;
  ApplyResult write_file(LogIndex index, const std::string& path, const std::string& content);

  // Invariant: every entry passes validate_file_entry(path, entry, applied_index_).
  std::map<std::string, FileEntry> files_;
  LogIndex applied_index_ = 0;
};

}  // namespace quorum::config_sync
