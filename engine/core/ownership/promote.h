// The standby promotion rule (issue 8 section 5; docs/ownership.md "Standby promotion"). The
// leader judges a Promote before it proposes the entry; apply stays deterministic and only flips
// the role (state_machine.cc). Pure: a function of the replicated state and the leader's view
// (driver.h LeaderView), with the driver's alive window. Core: std and fmt only.
//
// The leader may promote standby S only if, in this order:
//  1. it holds its Raft leader lease and has committed an entry of its term (its state is
//     current and no other leader can be proposing at the same time);
//  2. sessions are on (without them the leader knows nobody's liveness);
//  3. S is registered and is a standby;
//  4. S is reachable: a keepalive arrived within the driver's alive window (Driver::alive_recent);
//  5. S is healthy: not in LeaderView::unfit (its newest answer reported its database backend
//     unfit, node_health.cc; for the leader itself, its own backend);
//  6. S is caught up: commit_index - (S's reported applied index) <= promote_lag_entries_max;
//  7. no active-role controller is reachable and healthy, unless `force`.
// The leader itself counts as reachable, healthy when its own backend is fit, and caught up (it
// holds every committed entry: leader completeness).
//
// Safety does not depend on this rule: a promoted controller gets clusters only through the
// driver's grants and takeovers, which wait out the old owners' leases (rules 1 to 5 of
// docs/ownership.md). The rule keeps an operator from creating a second active side, and the
// churn of moving clusters to it, while the first is alive; `force` is for when the leader still
// hears an active controller that the operator knows to be useless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/base/types.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/driver.h"
#include "engine/core/ownership/state_machine.h"

namespace quorum::ownership {

struct PromoteVerdict {
  enum class Reason : std::uint8_t {
    kAccepted,
    kNoLease,              // the leader does not hold its Raft lease
    kNotCommittedInTerm,   // no entry of the leader's term is committed yet
    kSessionsOff,          // sessions are off: nobody's liveness is known
    kNotRegistered,        // no such controller in the pool
    kNotStandby,           // the controller is not a standby
    kStandbyUnreachable,   // no keepalive from the standby within the alive window
    kStandbyUnfit,         // the standby reported its database backend unfit
    kStandbyLagging,       // the standby's applied index is too far behind the commit index
    kActiveSideAlive,      // an active controller is reachable and healthy (force overrides)
  };
  Reason reason = Reason::kAccepted;
  bool forced = false;             // kAccepted only because of force (an active one is alive)
  NodeId active_alive = kNoNode;   // kActiveSideAlive or forced: the lowest such controller id
  LogIndex lag_entries = 0;        // kStandbyLagging: commit index - reported applied index
  bool ok() const { return reason == Reason::kAccepted; }
};

// "accepted", "no-lease", ... (metrics, traces, JSON).
std::string_view promote_reason_name(PromoteVerdict::Reason reason);
// One sentence for the operator per reason, without the details.
std::string_view promote_reason_sentence(PromoteVerdict::Reason reason);
// The sentence with its details ("... controller 2 'ctl2' ... 12 entries behind, at most 8").
std::string promote_explain(const PromoteVerdict& verdict, const StateMachine& state,
                            const Promote& promote, LogIndex lag_entries_max);

// Judges `promote` against the replicated state and the leader's view. `driver` supplies its
// configuration (alive window, lag bound, sessions) and its liveness test; the driver's state is
// not changed.
PromoteVerdict judge_promote(const Driver& driver, const StateMachine& state,
                             const LeaderView& view, const Promote& promote);

}  // namespace quorum::ownership
