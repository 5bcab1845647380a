// Controller sessions: the lease inequalities in ticks (docs/ownership.md). Core: std only.
#include "engine/core/raft/session.h"

#include <algorithm>

#include "engine/core/base/assert.h"

namespace quorum::raft {
namespace {

constexpr std::uint64_t kPpm = 1'000'000;

// ⌈L·ρ⌉: the drift allowance is rounded against us on both sides.
Ticks drift_ticks(const SessionParams& params) {
  if (mutation_on(params.mutation, Mutation::kNoDriftMargin)) return 0;  // planted bug (j)
  return (params.lease_ticks * params.drift_ppm + kPpm - 1) / kPpm;
}

}  // namespace

Ticks owner_lease_ticks(const SessionParams& params) {
  const Ticks shrink = drift_ticks(params) + params.delay_ticks + 1;
  return params.lease_ticks > shrink ? params.lease_ticks - shrink : 0;
}

Ticks assigner_wait_ticks(const SessionParams& params) {
  return params.lease_ticks + drift_ticks(params) + params.delay_ticks + 1;
}

void Session::renew(Ticks anchor_ticks, Ticks now_ticks, LogIndex commit_index) {
  QUORUM_ASSERT(anchor_ticks <= now_ticks, "anchor {} after now {}", anchor_ticks, now_ticks);
  if (!params_.enabled()) return;
  // A confirmation of a keepalive so old that the lease it gives is already over (a stale round
  // echoed after a partition heals) changes nothing: it neither extends nor starts a generation.
  if (anchor_ticks + owner_lease_ticks(params_) <= now_ticks + 1) return;
  // A lapsed session (or none yet) is never extended: see the class comment. "Lapsed" counts the
  // tick in progress as gone (now_ticks lags the clock by up to one tick).
  const bool lapsed = generation_ == 0 || now_ticks + 1 >= valid_until_ticks_;
  if (lapsed) {
    ++generation_;
    start_index_ = std::max(start_index_, commit_index);
    anchor_ticks_ = anchor_ticks;
  } else {
    anchor_ticks_ = std::max(anchor_ticks_, anchor_ticks);
  }
  valid_until_ticks_ = anchor_ticks_ + owner_lease_ticks(params_);
  QUORUM_ASSERT(generation_ > 0);
}

}  // namespace quorum::raft
