// The simulator's one place that touches the host's ownership API (NodeHost: the replicated
// ownership state, may_act at the clock's reading now, propose of an ownership command), so that
// a rename there is a change here only.
#pragma once

#include <variant>

#include "engine/core/ownership/may_act.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/host/node_host.h"

namespace quorum::sim {

inline const ownership::StateMachine& pool_state(const host::NodeHost& h) {
  return h.state().ownership;
}

inline ownership::MayAct pool_may_act(const host::NodeHost& h, ownership::ClusterId cluster) {
  return h.may_act(cluster);
}

inline void pool_propose(host::NodeHost& h, ownership::Command command, host::ReplyFn done) {
  h.propose(host::AppCommand{std::move(command)}, std::move(done));
}

// The ownership state machine's answer carried by a kOk reply (nullptr if there is none).
inline const ownership::ApplyResult* pool_result(const host::ClientReply& reply) {
  return std::get_if<ownership::ApplyResult>(&reply.result);
}

}  // namespace quorum::sim
