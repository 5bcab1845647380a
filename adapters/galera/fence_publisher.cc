// FencePublisher: the leader's publication of the fencing mirror on a worker thread. Adapter
// layer.
#include "adapters/galera/fence_publisher.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "adapters/asio/log.h"

namespace quorum::adapters::galera {

FencePublisher::FencePublisher(FencePublisherConfig config) : config_(std::move(config)) {
  worker_ = std::thread([this] { run_worker(); });
}

FencePublisher::~FencePublisher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void FencePublisher::submit(FenceSnapshot snapshot) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(snapshot);
  }
  wake_.notify_all();
}

std::string FencePublisher::last_outcome() const {
  std::lock_guard<std::mutex> lock(outcome_mutex_);
  return last_outcome_;
}

void FencePublisher::set_outcome(std::string outcome, bool good) {
  std::lock_guard<std::mutex> lock(outcome_mutex_);
  if (outcome == last_outcome_) return;
  if (good) {
    log::info("galera", "fence mirror: {}", outcome);
  } else {
    log::warn("galera", "fence mirror: {}", outcome);
  }
  last_outcome_ = std::move(outcome);
}

bool FencePublisher::attempt(GaleraFence& fence, bool* schema_ready,
                             const FenceSnapshot& snapshot) {
  std::string error;
  if (!*schema_ready) {
    if (const std::uint32_t code = fence.ensure_schema(&error); code != 0) {
      ++failures_;
      set_outcome(fmt::format("cannot create schema `{}`: error {} ({}): {}", config_.database,
                              code, error_name(code), error),
                  false);
      return false;
    }
    *schema_ready = true;
  }
  const std::uint32_t code =
      fence.publish_as_leader(snapshot.term, snapshot.leader, snapshot.rows, &error);
  if (code == 0) {
    ++publications_;
    set_outcome(fmt::format("published as leader of term {}", snapshot.term), true);
    return true;
  }
  if (code == kFenceRefusedError) {
    ++refusals_;
    set_outcome(fmt::format("term {} refused: a newer leader published ({})", snapshot.term, error),
                false);
    return true;
  }
  ++failures_;
  set_outcome(fmt::format("publication failed, retrying: error {} ({}): {}", code,
                          error_name(code), error),
              false);
  return false;
}

void FencePublisher::run_worker() {
  GaleraProbe connection(config_.connection);
  GaleraFence fence(connection, config_.database);
  bool schema_ready = false;
  std::optional<FenceSnapshot> retry;
  for (;;) {
    FenceSnapshot snapshot;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const auto ready = [this] { return stopping_ || pending_.has_value(); };
      if (retry) {
        wake_.wait_for(lock, std::chrono::milliseconds(config_.retry_interval_ms), ready);
      } else {
        wake_.wait(lock, ready);
      }
      if (stopping_) return;
      if (pending_) {
        snapshot = std::move(*pending_);  // newer than any retry
        pending_.reset();
      } else {
        snapshot = std::move(*retry);
      }
      retry.reset();
    }
    if (!attempt(fence, &schema_ready, snapshot)) retry = std::move(snapshot);
  }
}

}  // namespace quorum::adapters::galera
