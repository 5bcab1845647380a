// ConfigMaterializer: keeps the node's config_dir equal to the replicated config map, on a
// thread of its own so the fsyncs of the directory writer never stall the io thread. The latest
// submitted map wins (intermediate states may be skipped: the directory only has to converge),
// and syncs are at least 250 ms apart.
// A periodic resubmit detects and undoes hand edits (drift), which are logged. Tools layer.
//
// Thread safety: submit() from any thread; the writer is touched by the worker thread only.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/files/config_dir_writer.h"
#include "engine/core/config_sync/state_machine.h"

namespace quorum::quorumd {

class ConfigMaterializer {
 public:
  using Files = std::map<std::string, config_sync::FileEntry>;

  explicit ConfigMaterializer(std::unique_ptr<adapters::files::ConfigDirWriter> writer);
  ~ConfigMaterializer();  // finishes the pending sync, then joins
  ConfigMaterializer(const ConfigMaterializer&) = delete;
  ConfigMaterializer& operator=(const ConfigMaterializer&) = delete;

  void submit(Files files);
  // Number of sync() calls completed (tests and logs).
  std::uint64_t syncs_done() const;

 private:
  void loop();

  std::unique_ptr<adapters::files::ConfigDirWriter> writer_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Files> pending_;  // guarded by mutex_
  bool stopping_ = false;         // guarded by mutex_
  std::uint64_t syncs_done_ = 0;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace quorum::quorumd
