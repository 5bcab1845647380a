// The host side of the controller pool (ownership_host.h). Host layer: core only.
#include "engine/host/ownership_host.h"

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
  ownership::LeaderView view;
  view.self = node.id();
  view.now_ticks = node.now_ticks();
  view.leader_since_ticks = node.leader_since_ticks();
  view.has_lease = node.has_lease();
  view.committed_in_term = node.committed_in_current_term();
  view.self_session = &node.session();
  for (const auto& [id, controller] : state.controllers()) {
    if (id == view.self) continue;
    if (const raft::PeerSession* peer = node.peer_session(id)) view.peers[id] = *peer;
  }
  return driver_.step(state, view);
}

ownership::MayAct OwnershipHost::may_act(const raft::Node& node,
                                         const ownership::StateMachine& state,
                                         ownership::ClusterId cluster, Ticks clock_now_ticks) {
  return ownership::may_act(state, node.id(), cluster, node.session(), node.term(),
                            clock_now_ticks);
}

}  // namespace quorum::host
