// RaftConfig validation. Core: std and fmt only.
#include "engine/core/raft/config.h"

#include <fmt/format.h>

namespace quorum::raft {

std::string RaftConfig::validate() const {
  if (id == kNoNode) return "id must not be 0 (none)";
  if (election_timeout_ticks < 2) {
    return fmt::format("election_timeout_ticks ({}) must be at least 2", election_timeout_ticks);
  }
  if (heartbeat_interval_ticks == 0) return "heartbeat_interval_ticks must be at least 1";
  if (heartbeat_interval_ticks >= election_timeout_ticks) {
    return fmt::format(
        "heartbeat_interval_ticks ({}) must be less than election_timeout_ticks ({})",
        heartbeat_interval_ticks, election_timeout_ticks);
  }
  if (inflight_messages_max == 0) return "inflight_messages_max must be at least 1";
  if (message_bytes_max == 0) return "message_bytes_max must be at least 1";
  if (uncommitted_bytes_max == 0) return "uncommitted_bytes_max must be at least 1";
  if (clock_drift_ppm_max >= 1'000'000) {
    return fmt::format("clock_drift_ppm_max ({}) must be below 1000000", clock_drift_ppm_max);
  }
  if (session_lease_ticks > 0 && owner_lease_ticks(session_params()) == 0) {
    return fmt::format(
        "session_lease_ticks ({}) leaves no time to act after the drift and delay margins "
        "(session_delay_ticks {}, clock_drift_ppm_max {})",
        session_lease_ticks, session_delay_ticks, clock_drift_ppm_max);
  }
  return {};
}

}  // namespace quorum::raft
