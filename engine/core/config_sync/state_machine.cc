// The config-sync state machine. Core: std and fmt only.
//
// Rules (the same on every controller, so the map is a pure function of the committed log):
//  * A command is checked in this order: path (valid, not reserved, no file/directory conflict),
//    content size, version (PutIfVersion), file count.
//  * A file is never a parent directory of another file: config_dir can hold both only if one
//    of them is not written, so such a Put is refused here, deterministically, instead of
//    failing on every controller's disk.
//    The first failed check is the rejection; a rejected command leaves the map unchanged.
//  * applied_index() advances for every command handed to apply(), applied or rejected: the
//    entry was consumed, and replaying it would only reject it again.
//  * A file written at index i has version i and checksum crc32c(content).
#include "engine/core/config_sync/state_machine.h"

#include <fmt/format.h>

#include <utility>

#include "engine/core/base/assert.h"
#include "engine/core/base/crc32c.h"
#include "engine/core/config_sync/path.h"

namespace quorum::config_sync {
namespace {

ApplyResult rejected(ApplyResult::Code code, LogIndex version, std::string reason) {
  QUORUM_ASSERT(code != ApplyResult::Code::kApplied);
  QUORUM_ASSERT(!reason.empty());
  return ApplyResult{code, version, std::move(reason)};
}

std::string content_too_large_reason(const std::string& path, std::size_t content_bytes) {
  return fmt::format("'{}': content is {} bytes, above the limit of {} bytes", path, content_bytes,
                     kContentBytesMax);
}

// Empty, or why `path` has a segment that starts with kReservedPrefix.
std::string reserved_reason(const std::string& path) {
  std::size_t start = 0;
  while (start < path.size()) {
    if (path.compare(start, kReservedPrefix.size(), kReservedPrefix) == 0) {
      return fmt::format("path has a segment at byte {} that starts with the reserved prefix \"{}\" "
                         "(the config-dir writer's temporary files)",
                         start, kReservedPrefix);
    }
    const std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return {};
}

}  // namespace

std::string validate_file_entry(const std::string& path, const FileEntry& file,
                                LogIndex applied_index) {
  std::string reason = validate_path(path);
  if (!reason.empty()) return reason;
  if (file.content.size() > kContentBytesMax) {
    return fmt::format("content is {} bytes, above the limit of {} bytes", file.content.size(),
                       kContentBytesMax);
  }
  if (file.version == 0) return "version is 0 (no entry has index 0)";
  if (file.version > applied_index) {
    return fmt::format("version {} is above the applied index {}", file.version, applied_index);
  }
  const std::uint32_t computed = crc32c(file.content);
  if (file.checksum != computed) {
    return fmt::format("checksum mismatch (stored 0x{:08x}, computed 0x{:08x})", file.checksum,
                       computed);
  }
  return {};
}

std::string conflicting_paths_reason(const std::map<std::string, FileEntry>& files) {
  for (const auto& entry : files) {
    const std::string below = entry.first + "/";
    auto it = files.lower_bound(below);
    if (it != files.end() && it->first.compare(0, below.size(), below) == 0) {
      return fmt::format("'{}' is a file and also the directory of '{}'", entry.first, it->first);
    }
  }
  return {};
}

const FileEntry* StateMachine::find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

std::string StateMachine::conflict_reason(const std::string& path) const {
  for (std::size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string parent = path.substr(0, slash);
    if (files_.count(parent) != 0) {
      return fmt::format("'{}': '{}' is a file, so it cannot be a directory", path, parent);
    }
  }
  // Files below `path` sort right after "path/" (std::map order is byte order).
  const std::string below = path + "/";
  auto it = files_.lower_bound(below);
  if (it != files_.end() && it->first.compare(0, below.size(), below) == 0) {
    return fmt::format("'{}': it is the directory of '{}', so it cannot be a file", path, it->first);
  }
  return {};
}

// Empty, or the rejection of a path that fails validation, is reserved or conflicts.
ApplyResult StateMachine::check_write_path(const std::string& path) const {
  if (std::string reason = validate_path(path); !reason.empty()) {
    return rejected(ApplyResult::Code::kInvalidPath, 0, std::move(reason));
  }
  if (std::string reason = reserved_reason(path); !reason.empty()) {
    return rejected(ApplyResult::Code::kInvalidPath, 0, std::move(reason));
  }
  if (std::string reason = conflict_reason(path); !reason.empty()) {
    return rejected(ApplyResult::Code::kConflict, 0, std::move(reason));
  }
  return ApplyResult{};
}

// Writes `content` at `index` after the command-specific checks passed. Shared by Put and
// PutIfVersion so the two cannot drift apart.
ApplyResult StateMachine::write_file(LogIndex index, const std::string& path,
                                     const std::string& content) {
  QUORUM_ASSERT(index > applied_index_);
  QUORUM_ASSERT(content.size() <= kContentBytesMax);
  auto it = files_.find(path);
  if (it == files_.end() && files_.size() >= kFilesMax) {
    return rejected(
        ApplyResult::Code::kTooLarge, 0,
        fmt::format("'{}': the config already holds the maximum of {} files", path, kFilesMax));
  }
  FileEntry& file = files_[path];
  file.content = content;
  file.version = index;
  file.checksum = crc32c(content);
  QUORUM_ASSERT(files_.size() <= kFilesMax);
  return ApplyResult{ApplyResult::Code::kApplied, index, {}};
}

ApplyResult StateMachine::apply_put(LogIndex index, const Put& put) {
  if (ApplyResult refused = check_write_path(put.path); refused.code != ApplyResult::Code::kApplied) {
    return refused;
  }
  if (put.content.size() > kContentBytesMax) {
    const FileEntry* current = find(put.path);
    return rejected(ApplyResult::Code::kTooLarge, current ? current->version : 0,
                    content_too_large_reason(put.path, put.content.size()));
  }
  return write_file(index, put.path, put.content);
}

ApplyResult StateMachine::apply_delete(LogIndex index, const Delete& del) {
  QUORUM_ASSERT(index > applied_index_);
  std::string reason = validate_path(del.path);
  if (!reason.empty()) return rejected(ApplyResult::Code::kInvalidPath, 0, std::move(reason));
  auto it = files_.find(del.path);
  if (it == files_.end()) {
    return rejected(ApplyResult::Code::kNotFound, 0,
                    fmt::format("'{}': no such file to delete", del.path));
  }
  files_.erase(it);
  QUORUM_ASSERT(find(del.path) == nullptr);
  // Version 0 after a delete: the file does not exist, which is what PutIfVersion calls 0.
  return ApplyResult{ApplyResult::Code::kApplied, 0, {}};
}

ApplyResult StateMachine::apply_put_if_version(LogIndex index, const PutIfVersion& cas) {
  if (ApplyResult refused = check_write_path(cas.path); refused.code != ApplyResult::Code::kApplied) {
    return refused;
  }
  const FileEntry* current = find(cas.path);
  const LogIndex current_version = current ? current->version : 0;
  if (cas.content.size() > kContentBytesMax) {
    return rejected(ApplyResult::Code::kTooLarge, current_version,
                    content_too_large_reason(cas.path, cas.content.size()));
  }
  if (current_version != cas.expected_version) {
    return rejected(ApplyResult::Code::kVersionMismatch, current_version,
                    fmt::format("'{}': expected version {}, current version is {}{}", cas.path,
                                cas.expected_version, current_version,
                                current ? "" : " (the file does not exist)"));
  }
  return write_file(index, cas.path, cas.content);
}

ApplyResult StateMachine::apply(LogIndex index, const Command& command) {
  QUORUM_ASSERT(index > applied_index_, "apply index {} <= applied index {}", index,
                applied_index_);
  ApplyResult result;
  if (const auto* put = std::get_if<Put>(&command)) {
    result = apply_put(index, *put);
  } else if (const auto* del = std::get_if<Delete>(&command)) {
    result = apply_delete(index, *del);
  } else {
    result = apply_put_if_version(index, std::get<PutIfVersion>(command));
  }
  QUORUM_ASSERT(result.code == ApplyResult::Code::kApplied || !result.reason.empty());
  QUORUM_ASSERT(result.code != ApplyResult::Code::kApplied || result.reason.empty());
  applied_index_ = index;
  return result;
}

Status StateMachine::restore(LogIndex applied_index, std::map<std::string, FileEntry> files) {
  if (files.size() > kFilesMax) {
    return Status::corruption(fmt::format("config snapshot holds {} files, above the limit of {}",
                                          files.size(), kFilesMax));
  }
  for (const auto& [path, file] : files) {
    std::string reason = validate_file_entry(path, file, applied_index);
    if (!reason.empty()) {
      return Status::corruption(fmt::format("config snapshot file '{}': {}", path, reason));
    }
  }
  if (std::string reason = conflicting_paths_reason(files); !reason.empty()) {
    return Status::corruption("config snapshot: " + reason);
  }
  files_ = std::move(files);
  applied_index_ = applied_index;
  return Status::ok();
}

}  // namespace quorum::config_sync
