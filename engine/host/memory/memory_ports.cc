// In-memory clock, executor and transport. Test support.
#include "engine/host/memory/memory_ports.h"

#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::host {

void ManualClock::set_us(std::uint64_t now_us) {
  QUORUM_ASSERT(now_us >= now_us_, "clock set back from {} to {}", now_us_, now_us);
  now_us_ = now_us;
}

void RecordingTransport::send(const raft::Message& message) {
  sent_.push_back(message);
  if (sink_) sink_(message);
}

std::vector<raft::Message> RecordingTransport::take() {
  std::vector<raft::Message> taken = std::move(sent_);
  sent_.clear();
  return taken;
}

}  // namespace quorum::host
