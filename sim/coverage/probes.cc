#include "sim/coverage/probes.h"

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::string_view probe_name(Probe probe) {
  switch (probe) {
    case Probe::kLeaderElected: return "leader-elected";
    case Probe::kCheckQuorumStepDown: return "check-quorum-step-down";
    case Probe::kPreVoteRefused: return "pre-vote-refused";
    case Probe::kSnapshotInstalled: return "snapshot-installed";
    case Probe::kTransferCompleted: return "transfer-completed";
    case Probe::kCrashLostUnsyncedWrites: return "crash-lost-unsynced-writes";
    case Probe::kClientRedirected: return "client-redirected";
    case Probe::kConflictTruncated: return "conflict-truncated";
    case Probe::kLeaseExpired: return "lease-expired";
    case Probe::kDiskWriteFailed: return "disk-write-failed";
    case Probe::kMessageDuplicated: return "message-duplicated";
    case Probe::kPartitionHealed: return "partition-healed";
    case Probe::kMembershipChanged: return "membership-changed";
    case Probe::kPromotionRefused: return "promotion-refused";
    case Probe::kPromotionApplied: return "promotion-applied";
    case Probe::kCount: break;
  }
  QUORUM_UNREACHABLE();
}

bool probe_required(Probe probe) {
  switch (probe) {
    case Probe::kLeaderElected:
    case Probe::kCheckQuorumStepDown:
    case Probe::kPreVoteRefused:
    case Probe::kSnapshotInstalled:
    case Probe::kTransferCompleted:
    case Probe::kCrashLostUnsyncedWrites:
    case Probe::kClientRedirected:
    case Probe::kMembershipChanged:
      return true;
    default:
      return false;
  }
}

}  // namespace quorum::sim
