// ConfigMaterializer: keeps the node's config_dir equal to the replicated config map, on a
// thread of its own so the fsyncs of the directory writer never stall the io thread. The latest
// submitted map wins (intermediate states may be skipped: the directory only has to converge),
// and syncs are at least 250 ms apart.
// A periodic resubmit detects and undoes hand edits (drift), which are logged. What the last
// sync left undone (paths that could not be written, unmanaged files kept) is published as a
// MaterializedStatus for the API, the metrics and `quorumctl config set --wait`. Tools layer.
//
// Thread safety: submit() and status() from any thread; the writer is touched by the worker
// thread only.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/files/config_dir_writer.h"
#include "engine/core/config_sync/state_machine.h"

namespace quorum::quorumd {

struct MaterializedStatus {
  // Applied index of the last map synced without a directory-wide error: every file of that map
  // not named in path_errors is on disk with its version of that map (or a later one).
  LogIndex synced_index = 0;
  std::vector<adapters::files::PathError> path_errors;  // of the last sync, by path
  std::string dir_error;               // the last sync failed as a whole ("" if it did not)
  std::vector<std::string> unmanaged;  // files kept in config_dir that the map does not hold
  std::uint64_t syncs_done = 0;
  std::uint64_t syncs_failed = 0;      // syncs that left a path error or a directory error

  std::size_t error_count() const { return path_errors.size() + (dir_error.empty() ? 0 : 1); }
};

class ConfigMaterializer {
 public:
  using Files = std::map<std::string, config_sync::FileEntry>;

  explicit ConfigMaterializer(std::unique_ptr<adapters::files::ConfigDirWriter> writer);
  ~ConfigMaterializer();  // finishes the pending sync, then joins
  ConfigMaterializer(const ConfigMaterializer&) = delete;
  ConfigMaterializer& operator=(const ConfigMaterializer&) = delete;

  // `applied_index`: the state machine's applied index that `files` is the map of.
  void submit(Files files, LogIndex applied_index);
  // Number of sync() calls completed (tests and logs).
  std::uint64_t syncs_done() const;
  MaterializedStatus status() const;

 private:
  void loop();
  void publish(LogIndex applied_index, const Result<adapters::files::SyncReport>& report);

  std::unique_ptr<adapters::files::ConfigDirWriter> writer_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Files> pending_;    // guarded by mutex_
  LogIndex pending_index_ = 0;      // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  MaterializedStatus status_;       // guarded by mutex_
  std::thread thread_;
};

}  // namespace quorum::quorumd
