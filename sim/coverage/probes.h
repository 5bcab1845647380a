// Coverage probes ("sometimes" assertions, FoundationDB CODE_PROBE / Antithesis SOMETIMES): counts
// of rare states the fault mix must keep reaching. A swarm sums them and fails if a required
// probe never fired, so the faults cannot silently stop exercising these paths.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace quorum::sim {

enum class Probe : std::uint8_t {
  kLeaderElected,
  kCheckQuorumStepDown,
  kPreVoteRefused,
  kSnapshotInstalled,
  kTransferCompleted,
  kCrashLostUnsyncedWrites,
  kClientRedirected,
  kConflictTruncated,
  kLeaseExpired,
  kDiskWriteFailed,
  kMessageDuplicated,
  kPartitionHealed,
  kMembershipChanged,  // a learner add, promotion or removal committed (world_membership.cc)
  // The pool operator's standby promotions (pool_workload.cc): refused by the leader's rule
  // (ownership/promote.h), and applied (forced or not). Informational: only some seeds have a
  // standby.
  kPromotionRefused,
  kPromotionApplied,
  kCount,
};

inline constexpr std::size_t kProbeCount = static_cast<std::size_t>(Probe::kCount);
std::string_view probe_name(Probe probe);
// Probes a CI swarm must see at least once.
bool probe_required(Probe probe);

class Probes {
 public:
  void hit(Probe p, std::uint64_t n = 1) { counts_[static_cast<std::size_t>(p)] += n; }
  std::uint64_t count(Probe p) const { return counts_[static_cast<std::size_t>(p)]; }
  void add(const Probes& other) {
    for (std::size_t i = 0; i < kProbeCount; ++i) counts_[i] += other.counts_[i];
  }
  const std::array<std::uint64_t, kProbeCount>& counts() const { return counts_; }
  std::array<std::uint64_t, kProbeCount>& counts() { return counts_; }

 private:
  std::array<std::uint64_t, kProbeCount> counts_{};
};

}  // namespace quorum::sim
