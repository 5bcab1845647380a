// HealthFilter: probe hysteresis. Adapter layer, pure.
#include "adapters/galera/health_filter.h"

#include "engine/core/base/assert.h"

namespace quorum::adapters::galera {

HealthFilter::HealthFilter(HealthFilterConfig config) : config_(config) {
  QUORUM_ASSERT(config_.bad_probes_min > 0);
  QUORUM_ASSERT(config_.good_probes_min > 0);
}

host::BackendHealth HealthFilter::observe(bool probe_good) {
  if (probe_good) {
    ++good_run_count_;
    bad_run_count_ = 0;
    if (good_run_count_ >= config_.good_probes_min) health_ = host::BackendHealth::kHealthy;
  } else {
    ++bad_run_count_;
    good_run_count_ = 0;
    if (bad_run_count_ >= config_.bad_probes_min) health_ = host::BackendHealth::kUnhealthy;
  }
  QUORUM_ASSERT(good_run_count_ == 0 || bad_run_count_ == 0);
  return health_;
}

}  // namespace quorum::adapters::galera
