// ConfigDirWriter: materialises the replicated config map (config_sync::StateMachine::files())
// in the node's config_dir, and finds and undoes local edits ("drift"). Adapter layer.
//
// Every write is atomic and durable: temp file in the same directory, write, fsync, rename over
// the target, fsync the directory. Files the map no longer holds are deleted. Paths are checked
// again here (config_sync::validate_path plus a lexical containment check and no symlinked
// parent directories): nothing is ever written outside config_dir.
//
// Drift: a file whose bytes differ from what this writer last materialised (hand-edited) or a
// replicated file that disappeared. Each is reported and undone (content restored, missing file
// rewritten). A file nobody replicated ("unmanaged": the operator's own, or one this writer
// wrote and someone edited before its replicated delete) is kept and listed in the report;
// with ConfigDirOptions::delete_unmanaged it is deleted and reported as drift instead. A file that is merely older
// than the map (the node was down while it changed) is brought up to date without a drift
// report. To tell the two apart across restarts the writer keeps a manifest (path, version,
// checksum of what it last wrote) at manifest_path, which must lie outside config_dir (quorumd
// puts it in data_dir). Without a readable manifest every difference counts as drift.
//
// Errors: one path that cannot be written (a directory standing where the file goes, a file
// standing where its directory goes, a refused path) fails that path only: it is listed in
// SyncReport::errors and every other file is still brought up to date. sync() itself fails
// (Status: kIoError, kNoSpace) only when the directory cannot be scanned or the manifest cannot
// be saved. The directory is derived state: the caller reports errors and retries next sync.
// Thread safety: one caller at a time; one writer per config_dir.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/files/posix_io.h"
#include "engine/core/base/result.h"
#include "engine/core/config_sync/state_machine.h"

namespace quorum::adapters::files {

struct Drift {
  enum class Kind : std::uint8_t {
    kModified,  // content differs from what was materialised: replicated content restored
    kMissing,   // a materialised file was removed: rewritten
    kExtra,     // a file that is not in the replicated map: deleted (delete_unmanaged only)
  };
  Kind kind = Kind::kModified;
  std::string path;      // relative to config_dir
  LogIndex version = 0;  // replicated version restored (0 for kExtra)
  // "cmon.cnf: modified locally; replicated version 12 restored".
  std::string to_string() const;
  friend bool operator==(const Drift&, const Drift&) = default;
};

// A replicated file that could not be materialised (or an unmanaged one that could not be
// deleted), and why: "a/b: rename ... : Is a directory".
struct PathError {
  std::string path;     // relative to config_dir
  std::string message;  // the whole reason, naming config_dir and the path
  friend bool operator==(const PathError&, const PathError&) = default;
};

struct SyncReport {
  std::vector<Drift> drift;
  std::vector<PathError> errors;       // by path; empty when config_dir equals the map
  std::vector<std::string> unmanaged;  // files kept that the map does not hold, by path
  std::size_t files_written = 0;  // replicated changes and restores
  std::size_t files_deleted = 0;  // replicated deletes and deleted unmanaged files
};

struct ConfigDirOptions {
  std::string config_dir;     // created (one level) if missing
  std::string manifest_path;  // empty: keep the manifest in memory only
  mode_t file_mode = 0640;    // config files may hold passwords
  // false (default): files nobody replicated are kept and reported (SyncReport::unmanaged);
  // true: deleted and reported as drift (config_dir is owned by quorumd alone).
  bool delete_unmanaged = false;
};

class ConfigDirWriter {
 public:
  // Creates config_dir if missing and reads the manifest (a damaged manifest is ignored and
  // reported by manifest_warning()).
  static Result<std::unique_ptr<ConfigDirWriter>> open(ConfigDirOptions options);
  ConfigDirWriter(const ConfigDirWriter&) = delete;
  ConfigDirWriter& operator=(const ConfigDirWriter&) = delete;

  // Makes config_dir hold `files` (full scan: reads every file), plus the unmanaged files unless
  // delete_unmanaged. A path that fails is listed in the report and the others go on. On error
  // the directory may be partly updated; every file in it is still either an old or a new
  // version, never a torn one.
  Result<SyncReport> sync(const std::map<std::string, config_sync::FileEntry>& files);

  const std::string& config_dir() const { return options_.config_dir; }
  const std::string& manifest_warning() const { return manifest_warning_; }

 private:
  struct Known {
    LogIndex version = 0;
    std::uint32_t checksum = 0;
    friend bool operator==(const Known&, const Known&) = default;
  };

  explicit ConfigDirWriter(ConfigDirOptions options) : options_(std::move(options)) {}
  Status load_manifest();
  Status save_manifest() const;
  Result<std::string> checked_target(const std::string& path) const;
  Status sync_replicated(const std::map<std::string, config_sync::FileEntry>& files,
                         const std::map<std::string, DiskFile>& on_disk, SyncReport* report);
  Status write_replicated(const std::string& path, const config_sync::FileEntry& entry,
                          const DiskFile* disk, SyncReport* report);
  Status sync_extra(const std::map<std::string, config_sync::FileEntry>& files,
                    const std::map<std::string, DiskFile>& on_disk, SyncReport* report);

  ConfigDirOptions options_;
  // What this writer last materialised (from the manifest at open). Invariant after a
  // successful sync(): equal to the synced map's (version, checksum) for every path written
  // without an error; a failed path keeps its previous record (or none).
  std::map<std::string, Known> known_;
  std::string manifest_warning_;
};

}  // namespace quorum::adapters::files
