// Private parts of World shared by world*.cc.
#pragma once

#include <memory>
#include <optional>

#include "engine/host/node_host.h"
#include "sim/clock/sim_clock.h"
#include "sim/fiber/fiber.h"
#include "sim/ports/sim_backend.h"
#include "sim/ports/sim_executor.h"
#include "sim/ports/sim_storage.h"
#include "sim/ports/sim_transport.h"
#include "sim/world.h"

namespace quorum::sim {

struct World::NodeSlot {
  NodeId id = kNoNode;
  std::unique_ptr<SimClock> clock;      // survives crashes (the machine's clock)
  std::unique_ptr<SimStorage> storage;  // survives crashes (the machine's disk)
  SimBackend backend;
  // One incarnation of the process:
  std::unique_ptr<SimExecutor> executor;
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<host::NodeHost> host;
  std::unique_ptr<Fiber> fiber;
  bool up = false;
  bool paused = false;
  std::uint64_t pause_end_us = 0;
  std::uint64_t pause_epoch = 0;
  std::uint64_t incarnation = 0;
  raft::SoftState soft;
  std::uint64_t slow_disk_epoch = 0;
};

}  // namespace quorum::sim
