// Structured events the core reports in Ready. The core has no logger: the host logs them, the
// simulator writes them to its trace and counts them for coverage probes.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/core/base/types.h"
#include "engine/core/raft/state.h"

namespace quorum::raft {

enum class TraceKind : std::uint8_t {
  kRoleChanged,      // role/term/leader in the event fields
  kElectionStarted,  // a real (non-pre) campaign started at `term`
  kPreVoteStarted,
  kPreVoteRefused,       // this node refused a pre-vote to `peer`
  kVoteGranted,          // this node granted its vote to `peer` in `term`
  kVoteRefused,          // this node refused its vote to `peer`
  kCheckQuorumStepDown,  // leader stepped down: no majority heard within the election timeout
  kLeaseExpired,         // leader's lease ran out; it stops acting until renewed
  kLeaseRenewed,
  kSnapshotSent,       // to `peer`, at `index`
  kSnapshotInstalled,  // restored from a received snapshot at `index`
  kTransferStarted,    // to `peer`
  kTransferCompleted,  // this node became leader through TimeoutNow
  kTransferAborted,    // the transfer to `peer` timed out or the target left
  kForcedStepDown,
  kProposalRefused,    // not leader (leader hint in `peer`) or transfer in progress
  kAppendRejected,     // this follower rejected an append at `index`
  kConflictTruncated,  // this follower truncated its log from `index`
  kMembershipApplied,  // a membership entry at `index` took effect
  kBackendUnfit,       // the host reported this node's database backend unhealthy
  kBackendFit,         // ... healthy again
  kUnfitCampaign,      // unfit, and no leader heard for kUnfitTimeoutsBeforeCampaign election
                       // timeouts: this node may campaign (degraded mode, node_health.cc)
};

std::string_view trace_kind_name(TraceKind kind);

struct TraceEvent {
  TraceKind kind = TraceKind::kRoleChanged;
  Term term = 0;
  NodeId peer = kNoNode;
  LogIndex index = 0;
  Role role = Role::kFollower;
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

}  // namespace quorum::raft
