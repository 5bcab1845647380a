// The host side of the controller pool (ownership_host.h). Host layer: core only.
#include "engine/host/ownership_host.h"

#include "engine/core/base/assert.h"

namespace quorum::host {

std::vector<ownership::Command> OwnershipHost::drive(const raft::Node& node,
                                                     const ownership::StateMachine& state) {
  const bool leading = node.role() == raft::Role::kLeader;
  if (!leading) {
    if (was_leader_) driver_.reset();
    was_leader_ = false;
    return {};
  }
  was_leader_ = true;
  return driver_.step(state, leader_view(node, state));
}

ownership::LeaderView OwnershipHost::leader_view(const raft::Node& node,
                                                 const ownership::StateMachine& state) {
  ownership::LeaderView view;
  view.self = node.id();
  view.now_ticks = node.now_ticks();
  view.leader_since_ticks = node.leader_since_ticks();
  view.has_lease = node.has_lease();
  view.committed_in_term = node.committed_in_current_term();
  view.self_session = &node.session();
  view.commit_index = node.commit_index();
  if (!node.backend_healthy()) view.unfit.insert(view.self);
  view.self_applied_report_cap = node.applied_report_cap();
  for (const auto& [id, controller] : state.controllers()) {
    if (id == view.self) continue;
    if (const raft::PeerSession* peer = node.peer_session(id)) view.peers[id] = *peer;
    if (node.peer_backend_unfit(id)) view.unfit.insert(id);
  }
  return view;
}

ownership::PromoteVerdict OwnershipHost::judge_promote(const raft::Node& node,
                                                       const ownership::StateMachine& state,
                                                       const ownership::Promote& promote) const {
  QUORUM_ASSERT(node.role() == raft::Role::kLeader);
  return ownership::judge_promote(driver_, state, leader_view(node, state), promote);
}

ownership::MayAct OwnershipHost::may_act(const raft::Node& node,
                                         const ownership::StateMachine& state,
                                         ownership::ClusterId cluster, Ticks clock_now_ticks) {
  ownership::MayAct answer = ownership::may_act(state, node.id(), cluster, node.session(),
                                                node.term(), clock_now_ticks);
  // Rule 8 (docs/ownership.md): an owner whose database backend is unfit does not act, whatever
  // its lease; its session is still renewed, so the leader hands its clusters over (it applies
  // the Releases) instead of waiting for the lease to run out. Only ever turns a yes into a no.
  if (answer.ok() && !node.backend_healthy()) {
    answer = ownership::MayAct{};
    answer.reason = ownership::MayAct::Reason::kBackendUnfit;
  }
  return answer;
}

}  // namespace quorum::host
