// Printable names of the core's enums (traces, logs, test output). Core: std and fmt only.
#include "engine/core/base/assert.h"
#include "engine/core/raft/message.h"
#include "engine/core/raft/state.h"
#include "engine/core/raft/trace.h"

namespace quorum::raft {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  QUORUM_UNREACHABLE();
}

std::string_view message_kind_name(const Message& m) {
  struct Namer {
    std::string_view operator()(const VoteRequest& r) const {
      return r.pre_vote ? "PreVoteRequest" : "VoteRequest";
    }
    std::string_view operator()(const VoteResponse& r) const {
      return r.pre_vote ? "PreVoteResponse" : "VoteResponse";
    }
    std::string_view operator()(const AppendRequest& r) const {
      return r.entries.empty() ? "Heartbeat" : "AppendRequest";
    }
    std::string_view operator()(const AppendResponse&) const { return "AppendResponse"; }
    std::string_view operator()(const SnapshotRequest&) const { return "SnapshotRequest"; }
    std::string_view operator()(const TimeoutNow&) const { return "TimeoutNow"; }
  };
  return std::visit(Namer{}, m.body);
}

std::string_view trace_kind_name(TraceKind kind) {
  switch (kind) {
    case TraceKind::kRoleChanged:
      return "role_changed";
    case TraceKind::kElectionStarted:
      return "election_started";
    case TraceKind::kPreVoteStarted:
      return "pre_vote_started";
    case TraceKind::kPreVoteRefused:
      return "pre_vote_refused";
    case TraceKind::kVoteGranted:
      return "vote_granted";
    case TraceKind::kVoteRefused:
      return "vote_refused";
    case TraceKind::kCheckQuorumStepDown:
      return "check_quorum_step_down";
    case TraceKind::kLeaseExpired:
      return "lease_expired";
    case TraceKind::kLeaseRenewed:
      return "lease_renewed";
    case TraceKind::kSnapshotSent:
      return "snapshot_sent";
    case TraceKind::kSnapshotInstalled:
      return "snapshot_installed";
    case TraceKind::kTransferStarted:
      return "transfer_started";
    case TraceKind::kTransferCompleted:
      return "transfer_completed";
    case TraceKind::kTransferAborted:
      return "transfer_aborted";
    case TraceKind::kForcedStepDown:
      return "forced_step_down";
    case TraceKind::kProposalRefused:
      return "proposal_refused";
    case TraceKind::kAppendRejected:
      return "append_rejected";
    case TraceKind::kConflictTruncated:
      return "conflict_truncated";
    case TraceKind::kMembershipApplied:
      return "membership_applied";
    case TraceKind::kBackendUnfit:
      return "backend_unfit";
    case TraceKind::kBackendFit:
      return "backend_fit";
    case TraceKind::kUnfitCampaign:
      return "unfit_campaign";
  }
  QUORUM_UNREACHABLE();
}

}  // namespace quorum::raft
