// The config-sync state machine. Core: std and fmt only.
//
// Rules (the same on every controller, so the map is a pure function of the committed log):
//  * A command is checked in this order: path, content size, version (PutIfVersion), file count.
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

const FileEntry* StateMachine::find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
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
  std::string reason = validate_path(put.path);
  if (!reason.empty()) return rejected(ApplyResult::Code::kInvalidPath, 0, std::move(reason));
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
  std::string reason = validate_path(cas.path);
  if (!reason.empty()) return rejected(ApplyResult::Code::kInvalidPath, 0, std::move(reason));
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
  files_ = std::move(files);
  applied_index_ = applied_index;
  return Status::ok();
}

}  // namespace quorum::config_sync
