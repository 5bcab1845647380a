// Planted bugs for the simulator's self-test (the simulator issue). Compiled to a constant
// `false` unless the build sets QUORUM_MUTATIONS=ON, which CMake refuses in Release builds.
// The active mutation is a value passed in through RaftConfig / HostConfig, never a global.
#pragma once

#include <array>
#include <string_view>

namespace quorum {

enum class Mutation {
  kNone,
  kNoCheckQuorum,          // (a) the leader never steps down for lack of a quorum
  kDoubleVote,             // (b) a vote is granted twice in one term
  kCommitOldTerm,          // (c) commit by counting replicas of an entry of an older term
  kAckBeforePersist,       // (d) the host sends append acks before the batch is durable
  kNoPreVote,              // (e) PreVote is skipped even when configured
  kAcceptMismatchedPrev,   // (f) a follower accepts an append whose prev term does not match
  kApplyBeforeCommit,      // (g) the host applies entries that are not yet committed
  // Ownership (issue 8 section 7; docs/ownership.md):
  kReassignBeforeLeaseExpiry,   // (h) the leader takes a cluster from a silent owner at once
  kOwnerIgnoresLeaseExpiry,     // (i) may_act does not look at the session's end
  kNoDriftMargin,               // (j) the lease inequalities leave out rho
  kReassignRightAfterElection,  // (k) a new leader takes clusters without its grace period
  kEpochKeptOnMove,             // (l) an Assign to a new owner keeps the old epoch
  // Galera (issue 11; engine/core/raft/node_health.cc):
  kLeaderIgnoresUnhealthyBackend,  // (m) a leader whose backend turned unhealthy keeps leading
  // Leader lease (issue 8 section 0; engine/check/leader_lease.h):
  kLeaseFromAckReceipt,  // the lease counts from the receipt of the acks that made a round a
                         // majority, not from the round's send tick
  // Disruption (issue 10; engine/check/disruption.h):
  kPreVoteIgnoresStickiness,  // a follower grants a pre-vote although it heard from a leader
                              // within the election timeout (stickiness skipped for pre-votes)
};

inline constexpr std::array<std::string_view, 16> kMutationNames = {
    "none",
    "no-check-quorum",
    "double-vote",
    "commit-old-term",
    "ack-before-persist",
    "no-pre-vote",
    "accept-mismatched-prev",
    "apply-before-commit",
    "reassign-before-lease-expiry",
    "owner-ignores-lease-expiry",
    "no-drift-margin",
    "reassign-right-after-election",
    "epoch-kept-on-move",
    "leader-ignores-unhealthy-backend",
    "lease-from-ack-receipt",
    "pre-vote-ignores-stickiness"};

#if defined(QUORUM_MUTATIONS)
inline constexpr bool kMutationsCompiled = true;
#else
inline constexpr bool kMutationsCompiled = false;
#endif

// True when `active` is `m` and the build carries planted bugs; always false otherwise.
constexpr bool mutation_on(Mutation active, Mutation m) {
  return kMutationsCompiled && active == m;
}

}  // namespace quorum
