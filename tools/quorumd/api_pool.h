// The controller pool's HTTP/JSON API (issue 8 section 6; messages in api.proto, "The
// controller pool"). C is a cluster id or name, N a controller (pool or peers) name or id.
//   GET    /v1/ownership/may-act?cluster=C   may THIS controller act on C now: answered by the
//                                            addressed node from its own state, session and
//                                            clock, never redirected (quorumctl run asks it)
//   GET    /v1/ownership/clusters            owner, epoch, lease left, state, tags (leader,
//                                            linearizable)
//   POST   /v1/ownership/clusters            add (AddClusterRequest; id 0: the next free id)
//   DELETE /v1/ownership/clusters/C          remove
//   POST   /v1/ownership/clusters/C/move?to=N   hand C over to N: a Release to N, which the
//                                            leader's driver completes once the owner let go
//   POST   /v1/ownership/clusters/C/pin?to=N    pin C to N (the policy moves it there, keeps it)
//   POST   /v1/ownership/clusters/C/unpin
//   GET    /v1/ownership/controllers         the pool's controllers, with owned counts (leader,
//                                            linearizable)
//   POST   /v1/ownership/controllers         register (RegisterControllerRequest)
//   DELETE /v1/ownership/controllers/N       deregister (refused while N owns a cluster)
//   POST   /v1/ownership/controllers/N/drain | /undrain | /weight?weight=W | /promote[?force=true]
// Every mutation is answered once committed and applied (PoolWriteResult), or with the state
// machine's reason: 400 invalid, 404 not found, 409 conflict or stale epoch. Like the config
// API, a follower answers 307 to the leader (503 with no leader known). Tools layer.
#pragma once

#include <string>
#include <string_view>

#include "adapters/http/http_server.h"
#include "tools/quorumd/api.h"

namespace quorum::quorumd {

inline constexpr std::string_view kPoolPrefix = "/v1/ownership/";

// Answers every request whose path starts with kPoolPrefix (404 for an unknown endpoint).
void handle_pool_request(ApiContext& context, const adapters::HttpRequest& request,
                         const adapters::HttpRespondFn& respond);

// The pool's lines of /metrics: owned clusters per controller, the leader driver's counters
// (takeovers, longest unowned time), this node's session lease left.
void render_pool_metrics(ApiContext& context, std::string* out);

// snake_case reason of a may_act answer ("no_valid_lease"), as in api.proto MayAct.reason.
std::string_view may_act_reason_code(ownership::MayAct::Reason reason);

}  // namespace quorum::quorumd
