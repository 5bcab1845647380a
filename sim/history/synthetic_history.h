// Synthetic client histories that are linearizable by construction, for testing and measuring
// the linearizability checker (sim/checkers/linearizability.h) without a cluster.
#pragma once

#include <cstdint>

#include "sim/history/history.h"

namespace quorum::sim {

struct SyntheticHistoryOptions {
  std::uint64_t seed = 1;
  std::size_t ops_count = 10'000;
  std::size_t clients_count = 5;   // each client has one operation in flight at a time
  std::size_t keys_count = 8;
  std::uint64_t unknown_per_mille = 30;   // timeouts; half of the timed-out writes take effect
  std::uint64_t rejected_per_mille = 20;  // "not leader": no effect
  std::uint64_t unreported_index_per_mille = 100;  // ok writes not told their index
  std::uint64_t op_duration_us_min = 200;
  std::uint64_t op_duration_us_max = 5'000;
  std::uint64_t late_effect_us_max = 20'000;  // how long after its invocation a timed-out
                                              // write may still take effect
};

// A correct run: every operation that takes effect does so at one instant (its linearization
// point) inside its interval, or for a timed-out write, at any time up to late_effect_us_max
// after its invocation (possibly after the client gave up). Effects are applied in point order
// to a true map of registers with one global log index; the outputs are what that map answered.
// Operations are mixed 40% read, 30% put, 22% cas (70% naming the right version), 8% delete;
// values are unique ("v<n>"). Deterministic in `options`.
History generate_linearizable_history(const SyntheticHistoryOptions& options);

}  // namespace quorum::sim
