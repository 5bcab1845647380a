// SimBackend: the database backend health port. Always healthy for now; the Galera issue makes
// it go non-Primary in a minority partition or after a full outage (invariant 8's hook).
#pragma once

#include "engine/host/ports/backend.h"

namespace quorum::sim {

class SimBackend final : public host::Backend {
 public:
  host::BackendHealth health() override { return health_; }
  void set_health(host::BackendHealth health) { health_ = health; }

 private:
  host::BackendHealth health_ = host::BackendHealth::kHealthy;
};

}  // namespace quorum::sim
