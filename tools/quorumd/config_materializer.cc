#include "tools/quorumd/config_materializer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "adapters/asio/log.h"

namespace quorum::quorumd {

namespace {
constexpr auto kSyncIntervalMin = std::chrono::milliseconds(250);
}  // namespace

ConfigMaterializer::ConfigMaterializer(std::unique_ptr<adapters::files::ConfigDirWriter> writer)
    : writer_(std::move(writer)), thread_([this] { loop(); }) {}

ConfigMaterializer::~ConfigMaterializer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void ConfigMaterializer::submit(Files files, LogIndex applied_index) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(files);
    pending_index_ = applied_index;
  }
  wake_.notify_one();
}

std::uint64_t ConfigMaterializer::syncs_done() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_.syncs_done;
}

MaterializedStatus ConfigMaterializer::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

// Logs what changed since the last sync (a path error is logged when it appears or its reason
// changes, and once more when it is resolved; an unmanaged file when it is first seen), so a
// lasting problem is one line, not one line per drift check.
void ConfigMaterializer::publish(LogIndex applied_index,
                                 const Result<adapters::files::SyncReport>& report) {
  const std::string& dir = writer_->config_dir();
  MaterializedStatus previous = status();
  MaterializedStatus next = previous;
  ++next.syncs_done;
  if (!report) {
    next.dir_error = report.error().to_string();
    if (next.dir_error != previous.dir_error) {
      adapters::log::error("config", "config dir {}: {} (retrying on the next change)", dir, next.dir_error);
    }
    ++next.syncs_failed;
  } else {
    next.dir_error.clear();
    next.synced_index = applied_index;
    next.path_errors = report->errors;
    next.unmanaged = report->unmanaged;
    if (!next.path_errors.empty()) ++next.syncs_failed;
    for (const adapters::files::PathError& error : next.path_errors) {
      if (std::find(previous.path_errors.begin(), previous.path_errors.end(), error) ==
          previous.path_errors.end()) {
        adapters::log::error("config", "cannot materialise '{}': {}", error.path, error.message);
      }
    }
    for (const adapters::files::PathError& old : previous.path_errors) {
      const bool still = std::any_of(next.path_errors.begin(), next.path_errors.end(),
                                     [&old](const adapters::files::PathError& e) { return e.path == old.path; });
      if (!still) adapters::log::info("config", "'{}' is materialised again", old.path);
    }
    for (const std::string& path : next.unmanaged) {
      if (std::find(previous.unmanaged.begin(), previous.unmanaged.end(), path) == previous.unmanaged.end()) {
        adapters::log::warn("config", "unmanaged file in {}: {} (kept; not a replicated file)", dir, path);
      }
    }
    for (const adapters::files::Drift& drift : report->drift) {
      adapters::log::warn("config", "drift in {}: {}", dir, drift.to_string());
    }
    if (report->files_written + report->files_deleted > 0) {
      adapters::log::debug("config", "config dir {}: {} written, {} deleted", dir,
                           report->files_written, report->files_deleted);
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  status_ = std::move(next);
}

void ConfigMaterializer::loop() {
  auto last_sync = std::chrono::steady_clock::now() - kSyncIntervalMin;
  while (true) {
    Files files;
    LogIndex applied_index = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return pending_.has_value() || stopping_; });
      // Rate limit: a burst of commits becomes one directory sync (each sync scans every file
      // and fsyncs what changed, so under load it would compete with the log's fsyncs).
      wake_.wait_until(lock, last_sync + kSyncIntervalMin, [this] { return stopping_; });
      if (!pending_) return;  // stopping with nothing left to write
      files = std::move(*pending_);
      applied_index = pending_index_;
      pending_.reset();
    }
    last_sync = std::chrono::steady_clock::now();
    publish(applied_index, writer_->sync(files));
  }
}

}  // namespace quorum::quorumd
