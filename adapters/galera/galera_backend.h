// GaleraBackend: the production Backend port. A worker thread probes the local Galera node on a
// fixed interval (GaleraProbe), filters the results (HealthFilter) and PUSHES each change of
// health to the host: the subscriber is called through `post`, which must run the function on
// the host's executor thread (quorumd: boost::asio::post on the io_context), the same way
// OffloadedStorage hands results back. The host's fiber never waits for the database.
//
// Logs (component "galera"): every change of filtered health, and every change of the raw probe
// outcome (a named error such as 1047, or the wsrep state), not every probe.
//
// Thread safety: construct, subscribe() and destroy on the host's thread. The subscriber runs on
// the host's thread only. Lifetime: whatever `post` posts into must outlive this object; a
// function posted before destruction and run after it does nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/galera/health_filter.h"
#include "adapters/galera/probe.h"
#include "engine/host/ports/backend.h"

namespace quorum::adapters::galera {

struct GaleraBackendConfig {
  ProbeConfig probe;
  std::uint64_t probe_interval_ms = 500;
  HealthFilterConfig filter;
};

class GaleraBackend final : public host::Backend {
 public:
  using PostFn = std::function<void(std::function<void()>)>;
  GaleraBackend(GaleraBackendConfig config, PostFn post);
  ~GaleraBackend() override;  // stops and joins the worker (at most one probe's timeout)
  GaleraBackend(const GaleraBackend&) = delete;
  GaleraBackend& operator=(const GaleraBackend&) = delete;

  // Starts the worker on the first call with a function; nullptr unsubscribes. The current
  // health is pushed once the filter decided it (after M good or N bad probes).
  void subscribe(HealthFn fn) override;

  // The latest probe's outcome in one line (describe()), "" before the first probe. Any thread.
  std::string last_outcome() const;
  // Counters (any thread).
  std::uint64_t probes_count() const { return probes_count_.load(); }
  std::uint64_t bad_probes_count() const { return bad_probes_count_.load(); }

 private:
  // Shared with posted functions: `alive` is cleared (on the host thread) by the destructor.
  struct Sink {
    bool alive = true;
    HealthFn fn;
  };
  void run_worker();
  // Waits one interval; returns false once stopping.
  bool wait_interval();
  void publish(host::BackendHealth health);

  GaleraBackendConfig config_;
  PostFn post_;
  std::shared_ptr<Sink> sink_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  mutable std::mutex outcome_mutex_;
  std::string last_outcome_;  // guarded by outcome_mutex_
  std::atomic<std::uint64_t> probes_count_{0};
  std::atomic<std::uint64_t> bad_probes_count_{0};
  std::thread worker_;
};

}  // namespace quorum::adapters::galera
