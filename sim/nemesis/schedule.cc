#include "sim/nemesis/schedule.h"

#include <algorithm>
#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "sim/nemesis/figure8.h"

namespace quorum::sim {

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kCrash: return "crash";
    case FaultKind::kPause: return "pause";
    case FaultKind::kIsolate: return "isolate";
    case FaultKind::kIsolateLeader: return "isolate-leader";
    case FaultKind::kHalves: return "halves";
    case FaultKind::kMajorityRing: return "majority-ring";
    case FaultKind::kBridge: return "bridge";
    case FaultKind::kOneWay: return "one-way";
    case FaultKind::kFlap: return "flap";
    case FaultKind::kSlowDisk: return "slow-disk";
    case FaultKind::kDiskFailure: return "disk-failure";
    case FaultKind::kTransferLeader: return "transfer-leader";
    case FaultKind::kStepDown: return "step-down";
    case FaultKind::kFigure8: return "figure8";
    case FaultKind::kGaleraIsolateLeader: return "galera-isolate-leader";
    case FaultKind::kMembership: return "membership";
    case FaultKind::kCount: break;
  }
  QUORUM_UNREACHABLE();
}

bool is_partition(FaultKind kind) {
  switch (kind) {
    case FaultKind::kIsolate:
    case FaultKind::kIsolateLeader:
    case FaultKind::kHalves:
    case FaultKind::kMajorityRing:
    case FaultKind::kBridge:
    case FaultKind::kOneWay:
    case FaultKind::kFlap:
      return true;
    default:
      return false;
  }
}

namespace {

std::uint64_t draw_duration_us(Prng& prng, FaultKind kind) {
  switch (kind) {
    case FaultKind::kCrash: return prng.uniform(200'000, 8'000'001);
    case FaultKind::kPause: return prng.uniform(100'000, 4'000'001);
    case FaultKind::kSlowDisk: return prng.uniform(1'000'000, 10'000'001);
    case FaultKind::kDiskFailure: return prng.uniform(500'000, 5'000'001);
    case FaultKind::kMembership: return prng.uniform(1'000'000, 10'000'001);
    case FaultKind::kTransferLeader:
    case FaultKind::kStepDown: return 0;
    default: return prng.uniform(500'000, 10'000'001);  // partitions
  }
}

FaultAction draw_action(Prng& prng, FaultKind kind, std::size_t n, std::uint64_t at_us,
                        std::uint64_t election_timeout_us) {
  FaultAction a;
  a.at_us = at_us;
  a.kind = kind;
  a.node = prng.uniform(1, n + 1);
  a.peer = prng.uniform(1, n + 1);
  if (a.peer == a.node) a.peer = a.node % n + 1;
  if (kind == FaultKind::kTransferLeader && prng.chance(1, 3)) a.peer = kNoNode;  // "best node"
  a.duration_us = draw_duration_us(prng, kind);
  if (kind == FaultKind::kHalves) {
    // A random non-trivial side: bit i set = node i+1 on side A.
    const std::uint64_t all = (std::uint64_t{1} << n) - 1;
    a.param = prng.uniform(1, all);
  } else if (kind == FaultKind::kFlap) {
    a.param = prng.uniform(50'000, 1'000'001);
  } else if (kind == FaultKind::kMembership) {
    a.param = prng.uniform(0, 2);  // 0: removed, 1: demoted to learner
  } else if (kind == FaultKind::kFigure8) {
    // Roles are chosen when the episode starts (A is whoever leads then); its length is fixed.
    a.node = kNoNode;
    a.peer = kNoNode;
    a.param = prng.next_u64();
    a.duration_us = 0;
    for (const std::uint64_t us : figure8_phase_lengths_us(a.param, election_timeout_us)) {
      a.duration_us += us;
    }
  }
  return a;
}

}  // namespace

FaultSchedule draw_schedule(Prng prng, const SwarmConfig& swarm, std::size_t node_count,
                            std::uint64_t start_us, std::uint64_t chaos_end_us) {
  FaultSchedule out;
  for (std::size_t k = 0; k < kFaultKindCount; ++k) {
    const std::uint64_t gap = swarm.mean_gap_us[k];
    if (gap == 0) continue;
    // Each kind has its own stream: enabling a kind never moves another kind's actions.
    Prng kind_prng = prng.fork(k + 1);
    std::uint64_t t = start_us + kind_prng.uniform(0, gap + 1);
    while (t < chaos_end_us) {
      FaultAction a = draw_action(kind_prng, static_cast<FaultKind>(k), node_count, t,
                                  swarm.election_timeout_ticks * swarm.tick_interval_ms * 1000);
      if (a.at_us + a.duration_us > chaos_end_us) a.duration_us = chaos_end_us - a.at_us;
      out.push_back(a);
      t += a.duration_us + kind_prng.uniform(gap / 2, gap * 3 / 2 + 1);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const FaultAction& x, const FaultAction& y) {
    return x.at_us != y.at_us ? x.at_us < y.at_us : x.kind < y.kind;
  });
  return out;
}

std::string describe_action(const FaultAction& a) {
  std::string target;
  switch (a.kind) {
    case FaultKind::kIsolateLeader:
    case FaultKind::kMajorityRing:
    case FaultKind::kStepDown: break;
    case FaultKind::kHalves: target = fmt::format(" side-mask={:#x}", a.param); break;
    case FaultKind::kOneWay: target = fmt::format(" {}>{}", a.node, a.peer); break;
    case FaultKind::kTransferLeader:
      target = a.peer == kNoNode ? std::string(" to=best") : fmt::format(" to={}", a.peer);
      break;
    case FaultKind::kFlap: target = fmt::format(" node={} period={}ms", a.node, a.param / 1000); break;
    case FaultKind::kFigure8: target = fmt::format(" episode={:#x}", a.param); break;
    case FaultKind::kMembership:
      target = fmt::format(" node={} {}", a.node, a.param % 2 == 0 ? "removed" : "learner");
      break;
    default: target = fmt::format(" node={}", a.node); break;
  }
  return fmt::format("t={}ms {}{} for {}ms", a.at_us / 1000, fault_kind_name(a.kind), target,
                     a.duration_us / 1000);
}

FaultSchedule keep_actions(const FaultSchedule& schedule, const std::vector<std::uint32_t>& keep) {
  FaultSchedule out;
  for (const std::uint32_t i : keep) {
    if (i < schedule.size()) out.push_back(schedule[i]);
  }
  return out;
}

}  // namespace quorum::sim
