// HealthFilter: hysteresis between raw Galera probe results and the health pushed to the host,
// so one slow or failed probe does not flap leadership. Adapter layer; pure (no clock, no I/O),
// unit-tested without a database.
//
// Rule: the filtered health starts kUnknown. It becomes kUnhealthy after bad_probes_min
// consecutive bad probes and kHealthy after good_probes_min consecutive good probes; any other
// sequence leaves it unchanged. Invariant: a change of the filtered value is always preceded by
// at least the configured number of consecutive probes of the new kind.
#pragma once

#include <cstdint>

#include "engine/host/ports/backend.h"

namespace quorum::adapters::galera {

struct HealthFilterConfig {
  std::uint32_t bad_probes_min = 2;   // N consecutive bad probes before unhealthy
  std::uint32_t good_probes_min = 2;  // M consecutive good probes before healthy
};

class HealthFilter {
 public:
  explicit HealthFilter(HealthFilterConfig config);
  // Feeds one probe outcome; returns the filtered health after it.
  host::BackendHealth observe(bool probe_good);
  host::BackendHealth health() const { return health_; }

 private:
  HealthFilterConfig config_;
  host::BackendHealth health_ = host::BackendHealth::kUnknown;
  std::uint32_t good_run_count_ = 0;  // consecutive good probes ending with the latest
  std::uint32_t bad_run_count_ = 0;   // consecutive bad probes ending with the latest
};

}  // namespace quorum::adapters::galera
