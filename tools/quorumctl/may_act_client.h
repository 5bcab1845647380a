// The client side of GET /v1/ownership/may-act?cluster=ID|NAME: asks ONE controller (the one
// on this host; the endpoint is never redirected) whether it may act on a cluster now. Tools
// layer.
#pragma once

#include <cstdint>
#include <string>

#include "tools/quorumctl/http_client.h"
#include "tools/quorumctl/lease_guard.h"

namespace quorum::quorumctl {

// "/v1/ownership/may-act?cluster=db%20east"; with a holder, "...&holder=H&hold_ms=X" (the node
// keeps a hold for this guard on a yes: docs/ownership.md, "The hand-over waits for local guards").
std::string may_act_target(const std::string& cluster, const std::string& holder = "", std::int64_t hold_ms = 0);

// A token naming this guard's hold on its host: "<pid>-<monotonic ns>", [0-9-] only.
std::string make_holder_token();

// One reply turned into a poll outcome (sent_ms left 0 for the caller to stamp). A 200 whose
// body is a JSON object is an answer (mayAct absent means false, as in the Protobuf JSON mapping,
// which omits false and zero fields; int64 fields may be strings or numbers); anything else is an
// error naming the status and the node.
MayActPoll parse_may_act_reply(const HttpReply& reply);

// Asks options.hosts[0] only: no redirect, no other host, no waiting for a leader. With a
// holder, the question also takes (or renews) that guard's hold of hold_ms on a yes.
MayActPoll ask_may_act(const ClientOptions& options, const std::string& cluster, const std::string& holder = "",
                       std::int64_t hold_ms = 0);

// DELETE /v1/ownership/may-act?cluster=ID&holder=H on options.hosts[0]: COMMAND's group is gone,
// the hand-over need not wait for this guard. "" on success (dropped or already gone), else why.
std::string drop_may_act_hold(const ClientOptions& options, const std::string& cluster_id,
                              const std::string& holder);

}  // namespace quorum::quorumctl
