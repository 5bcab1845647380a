// GaleraBackend: probe thread, hysteresis, push to the host. Adapter layer.
#include "adapters/galera/galera_backend.h"

#include <chrono>
#include <string>
#include <utility>

#include "adapters/asio/log.h"
#include "engine/core/base/assert.h"

namespace quorum::adapters::galera {
namespace {

std::string_view health_name(host::BackendHealth health) {
  switch (health) {
    case host::BackendHealth::kUnknown: return "unknown";
    case host::BackendHealth::kHealthy: return "healthy";
    case host::BackendHealth::kUnhealthy: return "unhealthy";
  }
  return "?";
}

}  // namespace

GaleraBackend::GaleraBackend(GaleraBackendConfig config, PostFn post)
    : config_(std::move(config)), post_(std::move(post)), sink_(std::make_shared<Sink>()) {
  QUORUM_ASSERT(post_ != nullptr);
  QUORUM_ASSERT(config_.probe_interval_ms > 0);
}

GaleraBackend::~GaleraBackend() {
  sink_->alive = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void GaleraBackend::subscribe(HealthFn fn) {
  sink_->fn = std::move(fn);  // nullptr: unsubscribed; posted calls then do nothing
  if (sink_->fn != nullptr && !worker_.joinable()) worker_ = std::thread([this] { run_worker(); });
}

bool GaleraBackend::wait_interval() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(config_.probe_interval_ms),
                 [this] { return stopping_; });
  return !stopping_;
}

void GaleraBackend::publish(host::BackendHealth health) {
  post_([sink = sink_, health] {
    if (sink->alive && sink->fn != nullptr) sink->fn(health);
  });
}

std::string GaleraBackend::last_outcome() const {
  std::lock_guard<std::mutex> lock(outcome_mutex_);
  return last_outcome_;
}

void GaleraBackend::run_worker() {
  GaleraProbe probe(config_.probe);
  HealthFilter filter(config_.filter);
  std::string last_outcome;
  host::BackendHealth published = host::BackendHealth::kUnknown;
  log::info("galera", "probing {} every {} ms (unhealthy after {} bad probes, healthy after {} good)",
            config_.probe.unix_socket.empty()
                ? config_.probe.host + ":" + std::to_string(config_.probe.port)
                : config_.probe.unix_socket,
            config_.probe_interval_ms, config_.filter.bad_probes_min,
            config_.filter.good_probes_min);
  do {
    const ProbeResult result = probe.probe();
    const bool good = is_healthy(result);
    ++probes_count_;
    if (!good) ++bad_probes_count_;
    std::string outcome = describe(result);
    {
      std::lock_guard<std::mutex> lock(outcome_mutex_);
      last_outcome_ = outcome;
    }
    if (outcome != last_outcome) {
      if (good) {
        log::info("galera", "probe: {}", outcome);
      } else {
        log::warn("galera", "probe: {}", outcome);
      }
      last_outcome = std::move(outcome);
    }
    const host::BackendHealth health = filter.observe(good);
    if (health != published) {
      log::info("galera", "backend {} -> {}", health_name(published), health_name(health));
      published = health;
      publish(health);
    }
  } while (wait_interval());
}

}  // namespace quorum::adapters::galera
