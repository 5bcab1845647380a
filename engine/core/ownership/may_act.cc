// may_act (docs/ownership.md). Core: std and fmt only.
#include "engine/core/ownership/may_act.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::ownership {

std::string_view may_act_reason_name(MayAct::Reason reason) {
  switch (reason) {
    case MayAct::Reason::kYes:
      return "yes";
    case MayAct::Reason::kUnknownCluster:
      return "unknown cluster";
    case MayAct::Reason::kNotRegistered:
      return "controller not registered";
    case MayAct::Reason::kStandby:
      return "standby";
    case MayAct::Reason::kAutoRecoveryOff:
      return "auto-recovery off";
    case MayAct::Reason::kNotOwner:
      return "not the owner";
    case MayAct::Reason::kHandingOver:
      return "released for a hand-over";
    case MayAct::Reason::kNoValidLease:
      return "no valid lease";
    case MayAct::Reason::kStaleGrant:
      return "granted before the current session";
    case MayAct::Reason::kBackendUnfit:
      return "database backend unfit";
  }
  return "?";
}

MayAct may_act(const StateMachine& state, NodeId self, ClusterId cluster,
               const raft::Session& session, Term term, Ticks now_ticks) {
  MayAct out;
  const Cluster* c = state.find_cluster(cluster);
  if (c == nullptr) return out;  // kUnknownCluster
  const Controller* me = state.find_controller(self);
  out.reason = MayAct::Reason::kNotRegistered;
  if (me == nullptr) return out;
  out.reason = MayAct::Reason::kStandby;
  if (me->role == ControllerRole::kStandby) return out;
  out.reason = MayAct::Reason::kAutoRecoveryOff;
  if (!c->auto_recovery || !me->auto_recovery) return out;
  out.reason = MayAct::Reason::kNotOwner;
  if (c->owner != self) return out;
  out.reason = MayAct::Reason::kHandingOver;
  if (c->state != ClusterState::kOwned) return out;
  out.reason = MayAct::Reason::kNoValidLease;
  const bool ignore_end = mutation_on(session.params().mutation, Mutation::kOwnerIgnoresLeaseExpiry);
  if (!session.valid_at(now_ticks) && !(ignore_end && session.generation() > 0)) return out;
  out.reason = MayAct::Reason::kStaleGrant;
  if (c->epoch <= session.start_index()) return out;
  QUORUM_ASSERT(c->epoch > 0);
  out.reason = MayAct::Reason::kYes;
  out.epoch = c->epoch;
  out.term = term;
  out.valid_until_ticks = session.valid_until_ticks();
  QUORUM_ASSERT(out.valid_until_ticks > now_ticks || ignore_end);
  return out;
}

std::string may_act_explain(const MayAct& answer, const StateMachine& state, ClusterId cluster,
                            Ticks now_ticks) {
  const Cluster* c = state.find_cluster(cluster);
  switch (answer.reason) {
    case MayAct::Reason::kYes:
      return fmt::format("may act: epoch {}, term {}, for {} more ticks", answer.epoch,
                         answer.term, answer.valid_until_ticks - now_ticks);
    case MayAct::Reason::kNotOwner:
      if (c != nullptr && c->owner != kNoNode) return fmt::format("owned by {}", c->owner);
      return "nobody owns it yet";
    case MayAct::Reason::kHandingOver:
      if (c != nullptr) return fmt::format("released for a hand-over to {}", c->handover_to);
      break;
    default:
      break;
  }
  return std::string(may_act_reason_name(answer.reason));
}

}  // namespace quorum::ownership
