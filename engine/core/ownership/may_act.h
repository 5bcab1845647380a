// may_act: the one question every action on a managed cluster asks first (docs/ownership.md).
// Pure: a function of the replicated state, this controller's session and its clock reading.
// Core: std and fmt only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/base/types.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/core/raft/session.h"

namespace quorum::ownership {

struct MayAct {
  enum class Reason : std::uint8_t {
    kYes,
    kUnknownCluster,   // no such cluster in the replicated state
    kNotRegistered,    // this controller is not in the pool
    kStandby,          // standbys never act until promoted
    kAutoRecoveryOff,  // the cluster's auto-recovery is off
    kNotOwner,         // another controller owns it, or nobody does
    kHandingOver,      // released for a hand-over; the next owner acts once granted
    kNoValidLease,     // the session's end has passed (or it never started) by this clock
    kStaleGrant,       // granted before the current session generation began: wait for the
                       // leader's re-grant (docs/ownership.md, rule 5)
    kBackendUnfit,     // the owner's database backend is unfit (docs/ownership.md, rule 8):
                       // answered by the host (OwnershipHost::may_act), never by may_act()
  };
  Reason reason = Reason::kUnknownCluster;
  bool ok() const { return reason == Reason::kYes; }
  // Valid when ok(): what the action carries downstream (fencing), and when the permission ends
  // by this controller's clock (ticks; the host turns it into its clock's time).
  Epoch epoch = 0;
  Term term = 0;
  Ticks valid_until_ticks = 0;
};

std::string_view may_act_reason_name(MayAct::Reason reason);
// One line for operators: "no valid lease (ended 120 ticks ago)", "owned by 3", ...
std::string may_act_explain(const MayAct& answer, const StateMachine& state, ClusterId cluster,
                            Ticks now_ticks);

// `now_ticks` is the controller's clock reading now, in ticks (not the ticks fed to the core so
// far: a lease is judged against the clock, never against time not yet seen). `term` is the
// controller's current Raft term, returned for fencing.
MayAct may_act(const StateMachine& state, NodeId self, ClusterId cluster,
               const raft::Session& session, Term term, Ticks now_ticks);

}  // namespace quorum::ownership
