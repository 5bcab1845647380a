// The config-sync state machine: path -> {content, version, checksum}. Deterministic: the same
// commands at the same indexes give the same map on every controller.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/core/base/status.h"
#include "engine/core/base/types.h"
#include "engine/core/config_sync/command.h"

namespace quorum::config_sync {

// Limits on what a config file may be.
inline constexpr std::size_t kPathBytesMax = 255;
inline constexpr std::size_t kContentBytesMax = 1 << 20;
inline constexpr std::size_t kFilesMax = 4096;

struct FileEntry {
  std::string content;
  LogIndex version = 0;        // index of the entry that last wrote the file
  std::uint32_t checksum = 0;  // CRC32C of content
  friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

struct ApplyResult {
  enum class Code : std::uint8_t {
    kApplied,
    kInvalidPath,      // reason says why (absolute, "..", too long, empty, bad character)
    kTooLarge,         // content above kContentBytesMax, or kFilesMax reached
    kNotFound,         // delete of a missing file
    kVersionMismatch,  // PutIfVersion whose expected_version is not the current version
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

// Not thread-safe; owned by the host's apply loop. Copyable (tests and checkers compare copies).
class StateMachine {
 public:
  // Applies the command committed at `index`. Rejected commands change no file; applied_index()
  // still advances to `index` for every command, applied or rejected (the entry was consumed).
  // Checks run in this order: path, content size, expected version, file count.
  // Asserts: index > applied_index().
  ApplyResult apply(LogIndex index, const Command& command);

  const std::map<std::string, FileEntry>& files() const { return files_; }
  const FileEntry* find(const std::string& path) const;
  LogIndex applied_index() const { return applied_index_; }
  // Replaces the whole state (snapshot install or restart). Validates every path and checksum:
  // a snapshot from disk or the network is untrusted. On error (Status::corruption naming the
  // path) the state is left unchanged.
  Status restore(LogIndex applied_index, std::map<std::string, FileEntry> files);

 private:
  ApplyResult apply_put(LogIndex index, const Put& put);
  ApplyResult apply_delete(LogIndex index, const Delete& del);
  ApplyResult apply_put_if_version(LogIndex index, const PutIfVersion& cas);
  ApplyResult write_file(LogIndex index, const std::string& path, const std::string& content);

  // Invariant: every entry passes validate_file_entry(path, entry, applied_index_).
  std::map<std::string, FileEntry> files_;
  LogIndex applied_index_ = 0;
};

}  // namespace quorum::config_sync
