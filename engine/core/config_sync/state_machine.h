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
  LogIndex version = 0;     // index of the entry that last wrote the file
  std::uint32_t checksum = 0;  // CRC32C of content
  friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

struct ApplyResult {
  enum class Code : std::uint8_t {
    kApplied,
    kInvalidPath,        // reason says why (absolute, "..", too long, empty, bad character)
    kTooLarge,           // content above kContentBytesMax, or kFilesMax reached
    kNotFound,           // delete of a missing file
    kVersionMismatch,    // PutIfVersion whose expected_version is not the current version
  };
  Code code = Code::kApplied;
  LogIndex version = 0;  // the file's version after the command (kApplied), or its current one
  std::string reason;
};

class StateMachine {
 public:
  // Applies the command committed at `index`. Rejected commands change nothing.
  // Asserts: index > applied_index().
  ApplyResult apply(LogIndex index, const Command& command);

  const std::map<std::string, FileEntry>& files() const { return files_; }
  const FileEntry* find(const std::string& path) const;
  LogIndex applied_index() const { return applied_index_; }
  // Replaces the whole state (snapshot install or restart). Validates every path and checksum:
  // a snapshot from disk or the network is untrusted.
  Status restore(LogIndex applied_index, std::map<std::string, FileEntry> files);

 private:
  std::map<std::string, FileEntry> files_;
  LogIndex applied_index_ = 0;
};

}  // namespace quorum::config_sync
