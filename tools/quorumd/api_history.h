// The leadership history over HTTP (engine/core/history; api.proto LeaderHistory):
//   GET /v1/controllers/history[?local=true]   the leader changes, newest first: term, leader,
//                                              the leader before it, why, when (the new leader's
//                                              wall clock). Served by the leader after a read
//                                              barrier; ?local=true: this node's own copy
//                                              (possibly stale), for when there is no leader.
// Tools layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/http/http_server.h"
#include "tools/quorumd/api.h"

namespace quorum::quorumd {

inline constexpr std::string_view kHistoryPath = "/v1/controllers/history";

void handle_history_request(ApiContext& context, const adapters::HttpRequest& request,
                            const adapters::HttpRespondFn& respond);

// "2026-12-03T18:02:00.123Z" for Unix ms.
std::string rfc3339_utc_ms(std::uint64_t unix_ms);

}  // namespace quorum::quorumd
