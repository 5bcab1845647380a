// The client side of GET /v1/ownership/may-act?cluster=ID|NAME: asks ONE controller (the one
// on this host; the endpoint is never redirected) whether it may act on a cluster now. Tools
// layer.
#pragma once

#include <string>

#include "tools/quorumctl/http_client.h"
#include "tools/quorumctl/lease_guard.h"

namespace quorum::quorumctl {

// "/v1/ownership/may-act?cluster=db%20east"
std::string may_act_target(const std::string& cluster);

// One reply turned into a poll outcome (sent_ms left 0 for the caller to stamp). A 200 whose
// body is a JSON object is an answer (mayAct absent means false, as in the Protobuf JSON mapping,
// which omits false and zero fields; int64 fields may be strings or numbers); anything else is an
// error naming the status and the node.
MayActPoll parse_may_act_reply(const HttpReply& reply);

// Asks options.hosts[0] only: no redirect, no other host, no waiting for a leader.
MayActPoll ask_may_act(const ClientOptions& options, const std::string& cluster);

}  // namespace quorum::quorumctl
