// The standby promotion rule (promote.h, docs/ownership.md "Standby promotion"). Core: std and
// fmt only.
#include "engine/core/ownership/promote.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::ownership {
namespace {

using Reason = PromoteVerdict::Reason;

bool reported_unfit(NodeId id, const LeaderView& view) { return view.unfit.contains(id); }

// The standby's reported applied index behind the commit index; 0 for the leader itself.
LogIndex lag_of(NodeId id, const LeaderView& view) {
  if (id == view.self) return 0;
  const auto it = view.peers.find(id);
  const LogIndex applied = it == view.peers.end() ? 0 : it->second.applied_index;
  return view.commit_index > applied ? view.commit_index - applied : 0;
}

std::string controller_label(const StateMachine& state, NodeId id) {
  const Controller* c = state.find_controller(id);
  return c == nullptr ? fmt::format("controller {}", id)
                      : fmt::format("controller {} '{}'", id, c->name);
}

}  // namespace

std::string_view promote_reason_name(Reason reason) {
  switch (reason) {
    case Reason::kAccepted: return "accepted";
    case Reason::kNoLease: return "no-lease";
    case Reason::kNotCommittedInTerm: return "not-committed-in-term";
    case Reason::kSessionsOff: return "sessions-off";
    case Reason::kNotRegistered: return "not-registered";
    case Reason::kNotStandby: return "not-standby";
    case Reason::kStandbyUnreachable: return "standby-unreachable";
    case Reason::kStandbyUnfit: return "standby-unfit";
    case Reason::kStandbyLagging: return "standby-lagging";
    case Reason::kActiveSideAlive: return "active-side-alive";
  }
  QUORUM_UNREACHABLE();
}

std::string_view promote_reason_sentence(Reason reason) {
  switch (reason) {
    case Reason::kAccepted: return "the promotion may be proposed";
    case Reason::kNoLease:
      return "the leader does not hold its Raft lease (a new leader may be taking over); retry";
    case Reason::kNotCommittedInTerm:
      return "the leader has not committed an entry of its term yet, so its view of the pool may "
             "be stale; retry shortly";
    case Reason::kSessionsOff:
      return "sessions are off (session_lease_ms = 0): the leader cannot tell which controllers "
             "are alive, so it promotes none";
    case Reason::kNotRegistered: return "no such controller is registered in the pool";
    case Reason::kNotStandby: return "the controller is not a standby (it is already active)";
    case Reason::kStandbyUnreachable:
      return "the leader has not heard the standby within the alive window: it may be down or cut "
             "off, and a promoted controller must be able to take over";
    case Reason::kStandbyUnfit:
      return "the standby reports its database backend unfit (not Primary/Synced): it could not "
             "manage anything";
    case Reason::kStandbyLagging:
      return "the standby has not caught up with the log yet; retry once it has";
    case Reason::kActiveSideAlive:
      return "an active controller is reachable and healthy: promoting the standby would create "
             "a second active side; use --force if the active side is known to be useless";
  }
  QUORUM_UNREACHABLE();
}

std::string promote_explain(const PromoteVerdict& verdict, const StateMachine& state,
                            const Promote& promote, LogIndex lag_entries_max) {
  const std::string who = controller_label(state, promote.id);
  const std::string_view sentence = promote_reason_sentence(verdict.reason);
  switch (verdict.reason) {
    case Reason::kAccepted:
      if (!verdict.forced) return fmt::format("{}: {}", who, sentence);
      return fmt::format("{}: forced although {} is reachable and healthy", who,
                         controller_label(state, verdict.active_alive));
    case Reason::kStandbyLagging:
      return fmt::format("{}: {} ({} entries behind the commit index, at most {})", who, sentence,
                         verdict.lag_entries, lag_entries_max);
    case Reason::kActiveSideAlive:
      return fmt::format("{}: {} ({})", who, sentence,
                         controller_label(state, verdict.active_alive));
    default: return fmt::format("{}: {}", who, sentence);
  }
}

PromoteVerdict judge_promote(const Driver& driver, const StateMachine& state,
                             const LeaderView& view, const Promote& promote) {
  PromoteVerdict v;
  const auto refuse = [&v](Reason reason) {
    v.reason = reason;
    return v;
  };
  if (!view.has_lease) return refuse(Reason::kNoLease);
  if (!view.committed_in_term) return refuse(Reason::kNotCommittedInTerm);
  if (!driver.config().session.enabled()) return refuse(Reason::kSessionsOff);
  const Controller* standby = state.find_controller(promote.id);
  if (standby == nullptr) return refuse(Reason::kNotRegistered);
  if (standby->role != ControllerRole::kStandby) return refuse(Reason::kNotStandby);
  if (!driver.alive_recent(promote.id, view)) return refuse(Reason::kStandbyUnreachable);
  if (reported_unfit(promote.id, view)) return refuse(Reason::kStandbyUnfit);
  v.lag_entries = lag_of(promote.id, view);
  if (v.lag_entries > driver.config().promote_lag_entries_max) {
    return refuse(Reason::kStandbyLagging);
  }
  // The active side: every active-role controller, whatever its state (a draining one still
  // acts on what it owns). Key order: the lowest id is named.
  for (const auto& [id, controller] : state.controllers()) {
    if (controller.role != ControllerRole::kActive) continue;
    if (!driver.alive_recent(id, view) || reported_unfit(id, view)) continue;
    v.active_alive = id;
    break;
  }
  if (v.active_alive != kNoNode) {
    if (!promote.force) return refuse(Reason::kActiveSideAlive);
    v.forced = true;
  }
  QUORUM_ASSERT(v.ok());
  return v;
}

}  // namespace quorum::ownership
