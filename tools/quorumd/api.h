// The HTTP/JSON API of quorumd (tools/quorumd/api.proto, Protobuf JSON mapping):
//   GET  /v1/status                 this node's view (never redirected)
//   GET  /v1/controllers            the controller table (leader)
//   GET  /v1/config                 file list (leader; linearizable)
//   GET  /v1/config/<path>          one file (leader; linearizable); ?local=true: this node's copy.
//                                   JSON (content base64) or, with Accept:
//                                   application/octet-stream or ?raw=true, the bytes themselves
//   PUT  /v1/config/<path>          body = content; answered once committed and applied;
//                                   ?if_version=N: only if the file's version is N (0: absent)
//   DELETE /v1/config/<path>
//   POST /v1/leader/transfer[?to=NAME]   hand leadership to NAME (or the best node)
//   POST /v1/leader/step-down
//   GET  /metrics                   Prometheus text
//   GET  /v1/controllers/history[?local=true]  the leadership history (api_history.h)
//   GET  /health[?require_leader=true|?leader=true]  up, role, leader (also on health_port)
//   /v1/ownership/...               the controller pool (api_pool.h)
// A request that needs the leader, sent to a follower, gets 307 to the leader's URL (https://
// when TLS is configured: then the whole API is HTTPS, adapters/http/http_server.h); with no
// leader known it gets 503 and a body that says so. GET /v1/controllers is the leader's view:
// follower rows come from its acknowledgement records (peer_acks.h). The handlers reach the node
// only through ApiHost (api_host.h), so they run without a NodeHost and sockets (the fuzzer).
// Tools layer.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "adapters/http/http_server.h"
#include "tools/quorumd/api_host.h"
#include "tools/quorumd/config_materializer.h"
#include "tools/quorumd/daemon.h"
#include "tools/quorumd/metrics.h"
#include "tools/quorumd/peer_acks.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace quorum::quorumd {

// References live as long as the daemon. Io thread only.
struct ApiContext {
  const ParsedConfig& config;
  ApiHost& host;  // the daemon's NodeHostApi
  const LatencyHistogram& fsync;
  const CounterSet& counters;
  const adapters::HttpServerCounters* http_counters = nullptr;  // set once the server exists
  const PeerAcks* acks = nullptr;  // the leader's view of follower acknowledgements
  const ConfigMaterializer* materializer = nullptr;  // what config_dir holds
  // The local Galera node's latest probe outcome ("non-Primary/Initialized/not ready/size 1",
  // "error 2003 (...)"), named in degraded-mode refusals; empty without a Galera backend.
  std::function<std::string()> database_state = nullptr;
};

// The JSON of one config file (content base64), and the raw answer (the bytes, version and
// checksum in X-Quorum-Version / X-Quorum-Checksum). Exposed for the byte-exactness tests.
std::string config_file_json(const std::string& path, const config_sync::FileEntry& file);
adapters::HttpResponse config_file_raw(const config_sync::FileEntry& file);
// Whether a GET of one file is answered raw: Accept: application/octet-stream, or ?raw=true.
bool wants_raw(const adapters::HttpRequest& request);

void handle_api_request(ApiContext& context, const adapters::HttpRequest& request,
                        adapters::HttpRespondFn respond);
// The unauthenticated health port (plain HTTP): GET /health only.
void handle_health_request(ApiContext& context, const adapters::HttpRequest& request,
                           adapters::HttpRespondFn respond);

// Shared by the handlers (api.cc, api_pool.cc): a JSON reply (every field printed, except
// api::Error's unset ones), an api::Error reply, the 307/503 answer of a node that is not the
// leader, and the HTTP answer of a ClientReply that is not kOk (nullopt when it is).
adapters::HttpResponse json_response(unsigned status, const google::protobuf::Message& message);
adapters::HttpResponse error_response(unsigned status, const std::string& text);
adapters::HttpResponse not_leader_response(const ApiContext& context,
                                           const adapters::HttpRequest& request, NodeId leader_hint);
std::optional<adapters::HttpResponse> client_reply_failure(const ApiContext& context,
                                                           const adapters::HttpRequest& request,
                                                           const host::ClientReply& reply);

// True if the query has `key` with any value but "false" or "0" (?local=true, ?raw=1).
bool query_true(const adapters::HttpRequest& request, const std::string& key);

// "http://127.0.0.1:9581" for a node id, "" if unknown.
std::string node_url(const ParsedConfig& config, NodeId id);
std::string node_name(const ParsedConfig& config, NodeId id);

}  // namespace quorum::quorumd
