#include "tools/quorumd/config_materializer.h"

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

void ConfigMaterializer::submit(Files files) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(files);
  }
  wake_.notify_one();
}

std::uint64_t ConfigMaterializer::syncs_done() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return syncs_done_;
}

void ConfigMaterializer::loop() {
  auto last_sync = std::chrono::steady_clock::now() - kSyncIntervalMin;
  while (true) {
    Files files;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return pending_.has_value() || stopping_; });
      // Rate limit: a burst of commits becomes one directory sync (each sync scans every file
      // and fsyncs what changed, so under load it would compete with the log's fsyncs).
      wake_.wait_until(lock, last_sync + kSyncIntervalMin, [this] { return stopping_; });
      if (!pending_) return;  // stopping with nothing left to write
      files = std::move(*pending_);
      pending_.reset();
    }
    last_sync = std::chrono::steady_clock::now();
    Result<adapters::files::SyncReport> report = writer_->sync(files);
    if (!report) {
      adapters::log::error("config", "config dir {}: {} (retrying on the next change)",
                           writer_->config_dir(), report.error().to_string());
    } else {
      for (const adapters::files::Drift& drift : report->drift) {
        adapters::log::warn("config", "drift in {}: {}", writer_->config_dir(), drift.to_string());
      }
      if (report->files_written + report->files_deleted > 0) {
        adapters::log::debug("config", "config dir {}: {} written, {} deleted", writer_->config_dir(),
                             report->files_written, report->files_deleted);
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ++syncs_done_;
  }
}

}  // namespace quorum::quorumd
