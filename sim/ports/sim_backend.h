// SimBackend: the database backend health port of a simulated node. The Galera model
// (sim/galera) sets its health from the simulated network's connectivity; a change is pushed to
// the subscribed host at once, from the world's event loop (the simulator's single thread).
#pragma once

#include <utility>

#include "engine/host/ports/backend.h"

namespace quorum::sim {

class SimBackend final : public host::Backend {
 public:
  void subscribe(HealthFn fn) override {
    fn_ = std::move(fn);
    if (fn_) fn_(health_);
  }
  host::BackendHealth health() const { return health_; }
  void set_health(host::BackendHealth health) {
    if (health == health_) return;
    health_ = health;
    if (fn_) fn_(health_);
  }

 private:
  host::BackendHealth health_ = host::BackendHealth::kHealthy;
  HealthFn fn_;
};

}  // namespace quorum::sim
