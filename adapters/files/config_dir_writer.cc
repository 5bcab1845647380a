// Config directory writer. Adapter layer.
#include "adapters/files/config_dir_writer.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <algorithm>
#include <filesystem>

#include "engine/core/base/assert.h"
#include "engine/core/base/crc32c.h"
#include "engine/core/config_sync/path.h"

namespace quorum::adapters::files {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kManifestHeader = "quorum-config-manifest 1\n";

bool matches(const DiskFile& disk, const config_sync::FileEntry& entry) {
  return disk.regular && disk.size == entry.content.size() && disk.checksum == entry.checksum;
}

bool is_inside(const fs::path& root, const fs::path& candidate) {
  const fs::path relative =
      candidate.lexically_normal().lexically_relative(root.lexically_normal());
  return !relative.empty() && *relative.begin() != ".." && !relative.is_absolute();
}

bool parse_u64(std::string_view s, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string Drift::to_string() const {
  switch (kind) {
    case Kind::kModified:
      return fmt::format("{}: modified locally; replicated version {} restored", path, version);
    case Kind::kMissing:
      return fmt::format("{}: missing locally; replicated version {} restored", path, version);
    case Kind::kExtra:
      return fmt::format("{}: not a replicated file; deleted (config_dir_delete_unmanaged)", path);
  }
  QUORUM_UNREACHABLE();
}

Result<std::unique_ptr<ConfigDirWriter>> ConfigDirWriter::open(ConfigDirOptions options) {
  if (options.config_dir.empty()) return Status::invalid_argument("config_dir is empty");
  const fs::path dir = fs::absolute(options.config_dir).lexically_normal();
  if (!options.manifest_path.empty() && is_inside(dir, fs::absolute(options.manifest_path))) {
    return Status::invalid_argument(
        fmt::format("config_dir {}: the manifest {} must lie outside it", options.config_dir,
                    options.manifest_path));
  }
  if (::mkdir(options.config_dir.c_str(), 0750) != 0 && errno != EEXIST) {
    return errno_status(errno, fmt::format("config_dir {}: mkdir", options.config_dir));
  }
  struct stat st {};
  if (::stat(options.config_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::invalid_argument(
        fmt::format("config_dir {}: not a directory", options.config_dir));
  }
  std::unique_ptr<ConfigDirWriter> writer(new ConfigDirWriter(std::move(options)));
  if (Status s = writer->load_manifest(); !s.is_ok()) return s;
  return writer;
}

// A missing manifest is normal (first start); a damaged one is ignored with a warning: it only
// classifies differences as drift or catch-up, it never decides content.
Status ConfigDirWriter::load_manifest() {
  if (options_.manifest_path.empty()) return Status::ok();
  Result<std::string> text = read_file_nofollow(options_.manifest_path, 64 << 20);
  if (!text) {
    if (text.error().code() == StatusCode::kNotFound) return Status::ok();
    manifest_warning_ = text.error().message();
    return Status::ok();
  }
  const std::size_t end = text->rfind("end ");
  std::uint64_t crc = 0;
  if (text->rfind(kManifestHeader, 0) != 0 || end == std::string::npos || text->back() != '\n' ||
      !parse_u64(std::string_view(*text).substr(end + 4, text->size() - end - 5), &crc) ||
      crc != crc32c(std::string_view(*text).substr(0, end))) {
    manifest_warning_ = fmt::format("{}: damaged manifest ignored", options_.manifest_path);
    return Status::ok();
  }
  std::map<std::string, Known> known;
  std::string_view body =
      std::string_view(*text).substr(kManifestHeader.size(), end - kManifestHeader.size());
  while (!body.empty()) {
    const std::size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    const std::size_t a = line.find(' ');
    const std::size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    std::uint64_t version = 0;
    std::uint64_t checksum = 0;
    if (b == std::string_view::npos || !parse_u64(line.substr(0, a), &version) ||
        !parse_u64(line.substr(a + 1, b - a - 1), &checksum) || checksum > UINT32_MAX) {
      manifest_warning_ = fmt::format("{}: damaged manifest ignored", options_.manifest_path);
      return Status::ok();
    }
    known[std::string(line.substr(b + 1))] = Known{version, static_cast<std::uint32_t>(checksum)};
  }
  known_ = std::move(known);
  return Status::ok();
}

Status ConfigDirWriter::save_manifest() const {
  if (options_.manifest_path.empty()) return Status::ok();
  std::string text(kManifestHeader);
  for (const auto& [path, known] : known_) {
    text += fmt::format("{} {} {}\n", known.version, known.checksum, path);
  }
  text += fmt::format("end {}\n", crc32c(text));
  return write_file_atomic(options_.manifest_path, text, 0600);
}

// Defence in depth: config_sync validated the path when the command was applied; check again
// that it is a plain relative path whose target stays inside config_dir.
Result<std::string> ConfigDirWriter::checked_target(const std::string& path) const {
  if (std::string reason = config_sync::validate_path(path); !reason.empty()) {
    return Status::invalid_argument(
        fmt::format("config_dir {}: refusing path '{}': {}", options_.config_dir, path, reason));
  }
  for (const auto& segment : fs::path(path)) {
    if (segment.string().rfind(kTempPrefix, 0) == 0) {
      return Status::invalid_argument(fmt::format(
          "config_dir {}: refusing path '{}': it uses the writer's temporary prefix \"{}\"",
          options_.config_dir, path, kTempPrefix));
    }
  }
  const fs::path root = fs::absolute(options_.config_dir);
  const fs::path target = root / path;
  if (!is_inside(root, target)) {
    return Status::invalid_argument(fmt::format(
        "config_dir {}: refusing path '{}': outside the directory", options_.config_dir, path));
  }
  if (Status s = make_parents(options_.config_dir, path); !s.is_ok()) return s;
  return (fs::path(options_.config_dir) / path).string();
}

Status ConfigDirWriter::sync_replicated(const std::map<std::string, config_sync::FileEntry>& files,
                                        const std::map<std::string, DiskFile>& on_disk,
                                        SyncReport* report) {
  for (const auto& [path, entry] : files) {
    QUORUM_ASSERT(entry.checksum == crc32c(entry.content), "{}: map checksum", path);
    auto disk = on_disk.find(path);
    if (disk != on_disk.end() && matches(disk->second, entry)) continue;
    Status s = write_replicated(path, entry, disk == on_disk.end() ? nullptr : &disk->second, report);
    if (!s.is_ok()) report->errors.push_back({path, s.message()});
  }
  return Status::ok();
}

// Writes one replicated file that the disk does not hold; reports drift when the disk no
// longer holds what this writer last put there (a file still holding an older materialised
// version is catch-up).
Status ConfigDirWriter::write_replicated(const std::string& path, const config_sync::FileEntry& entry,
                                         const DiskFile* disk, SyncReport* report) {
  auto known = known_.find(path);
  Drift drift{Drift::Kind::kModified, path, entry.version};
  bool drifted = false;
  if (known != known_.end()) {
    if (disk == nullptr) {
      drift.kind = Drift::Kind::kMissing;
      drifted = true;
    } else {
      drifted = !disk->regular || disk->checksum != known->second.checksum;
    }
  } else {
    drifted = disk != nullptr;
  }
  Result<std::string> target = checked_target(path);
  if (!target) return target.error();
  if (disk != nullptr && !disk->regular) {
    // A symlink or special file in the way: remove it rather than write through it.
    if (Status s = remove_file_durable(*target); !s.is_ok()) {
      return Status(s.code(), fmt::format("config_dir {}: {}", options_.config_dir, s.message()));
    }
  }
  if (Status s = write_file_atomic(*target, entry.content, options_.file_mode); !s.is_ok()) {
    return Status(s.code(), fmt::format("config_dir {}: {}", options_.config_dir, s.message()));
  }
  if (drifted) report->drift.push_back(drift);
  ++report->files_written;
  return Status::ok();
}

Status ConfigDirWriter::sync_extra(const std::map<std::string, config_sync::FileEntry>& files,
                                   const std::map<std::string, DiskFile>& on_disk,
                                   SyncReport* report) {
  for (const auto& [path, disk] : on_disk) {
    if (files.count(path) != 0) continue;
    auto known = known_.find(path);
    // Still the bytes this writer materialised: the replicated map deleted the file.
    const bool replicated_delete =
        known != known_.end() && disk.regular && disk.checksum == known->second.checksum;
    if (!replicated_delete && !options_.delete_unmanaged) {
      report->unmanaged.push_back(path);
      continue;
    }
    const std::string full = (fs::path(options_.config_dir) / path).string();
    if (Status s = remove_file_durable(full); !s.is_ok()) {
      report->errors.push_back(
          {path, fmt::format("config_dir {}: {}", options_.config_dir, s.message())});
      continue;
    }
    if (!replicated_delete) report->drift.push_back({Drift::Kind::kExtra, path, 0});
    ++report->files_deleted;
  }
  return Status::ok();
}

Result<SyncReport> ConfigDirWriter::sync(
    const std::map<std::string, config_sync::FileEntry>& files) {
  Result<std::map<std::string, DiskFile>> on_disk =
      scan_dir(options_.config_dir, config_sync::kContentBytesMax);
  if (!on_disk) {
    return Status(on_disk.error().code(),
                  fmt::format("config_dir {}: {}", options_.config_dir, on_disk.error().message()));
  }
  SyncReport report;
  if (Status s = sync_replicated(files, *on_disk, &report); !s.is_ok()) return s;
  if (Status s = sync_extra(files, *on_disk, &report); !s.is_ok()) return s;
  std::sort(report.errors.begin(), report.errors.end(),
            [](const PathError& a, const PathError& b) { return a.path < b.path; });
  // A failed path keeps what the manifest said about it: the disk still holds that (or nothing).
  std::map<std::string, Known> now;
  auto failed = [&report](const std::string& path) {
    return std::any_of(report.errors.begin(), report.errors.end(),
                       [&path](const PathError& e) { return e.path == path; });
  };
  for (const auto& [path, entry] : files) {
    if (!failed(path)) {
      now[path] = Known{entry.version, entry.checksum};
    } else if (auto old = known_.find(path); old != known_.end()) {
      now[path] = old->second;
    }
  }
  for (const PathError& error : report.errors) {
    // An unmanaged file that could not be deleted: still known if it was.
    if (files.count(error.path) == 0) {
      if (auto old = known_.find(error.path); old != known_.end()) now[error.path] = old->second;
    }
  }
  if (now != known_) {
    known_ = std::move(now);
    if (Status s = save_manifest(); !s.is_ok()) return s;
  }
  return report;
}

}  // namespace quorum::adapters::files
