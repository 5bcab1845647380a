// libFuzzer target: quorumd's HTTP API from raw request bytes, without sockets. The bytes are
// parsed as pipelined HTTP/1.x requests by the HTTP server's own parser settings
// (adapters::parse_http_request) and each complete request is handled by the API's handlers
// (tools/quorumd/api.cc) against FakeHost, an ApiHost whose replies the input chooses and whose
// config state machine is the real one (proposals are applied through the host's ApplyRouter).
//
// Input: [u8 node][u8 read reply][u8 write reply][u8 leader action] then the request bytes.
//   node: bits 0-1 role (follower, pre-candidate, candidate, leader), bits 2-4 the leader this
//   node knows (0 none, 1 itself, 2-3 peers, 4+ an id not in the config), bit 5 TLS (https URLs),
//   bit 6 replies deferred until the handler returned (as the host answers, later), bit 7 the
//   requests go to the health port's handler. A node that is not the leader answers every read
//   and write kNotLeader, as NodeHost does; the leader answers with the codes the input chose.
// Properties: never crashes; every request is answered exactly once; the status is one the API
// documents (never 500: every committed command applies); a JSON answer is JSON, and an error
// answer says what is wrong; a redirect names the leader's URL plus the request's target; a
// request that needs the leader is never answered 200 by another role; the parser never hands
// over a body above the limit; a config write answered 200 left exactly that content.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/asio/log.h"
#include "adapters/http/http_server.h"
#include "engine/core/base/assert.h"
#include "engine/host/apply_router.h"
#include "tools/quorumd/api.h"
#include "tools/quorumd/api_pool.h"
#include "tools/quorumd/api.pb.h"

namespace {

namespace q = quorum;
namespace qd = quorum::quorumd;
using q::adapters::HttpRequest;
using q::adapters::HttpResponse;
using q::adapters::ParsedHttpRequest;
using ReplyCode = q::host::ClientReply::Code;

constexpr std::size_t kRequestsPerInputMax = 16;
constexpr int kReplyCodeCount = 7;      // ClientReply::Code
constexpr int kRequestResultCount = 6;  // raft::RequestResult

class FakeHost final : public qd::ApiHost {
 public:
  FakeHost(qd::ApiNodeStatus status, ReplyCode read_code, ReplyCode write_code,
           q::raft::RequestResult action_result, bool deferred)
      : status_(status), read_code_(read_code), write_code_(write_code),
        action_result_(action_result), deferred_(deferred) {}

  qd::ApiNodeStatus node() const override { return status_; }
  const q::host::AppState& state() const override { return router_.state(); }
  void read(q::host::ReplyFn done) override { answer(std::move(done), reply(read_code_)); }
  // As NodeHost: AppCommand of any family; refused when not encodable (never, here).
  void propose(q::host::AppCommand command, q::host::ReplyFn done) override {
    QUORUM_ASSERT(q::host::app_command_encodable(command));
    q::host::ClientReply out = reply(write_code_);
    if (out.code == ReplyCode::kOk) {
      // Committed at the next index: applied by the real router, as the host would.
      const q::raft::Entry entry{status_.term, ++status_.last_index, q::raft::EntryKind::kCommand,
                                 q::host::encode_app_command(command), {}};
      status_.commit_index = status_.applied_index = entry.index;
      out.index = entry.index;
      out.result = router_.apply(entry);
    }
    answer(std::move(done), std::move(out));
  }
  q::raft::RequestResult transfer_leadership(q::NodeId) override { return action(); }
  q::raft::RequestResult step_down() override { return action(); }
  q::ownership::MayAct may_act(q::ownership::ClusterId) const override { return {}; }
  const q::ownership::DriverStats& ownership_driver_stats() const override { return driver_stats_; }
  const q::host::HostStats& stats() const override { return stats_; }
  bool peer_connected(q::NodeId peer) const override { return peer % 2 == 0; }
  q::adapters::TransportCounters transport_counters() const override { return {}; }

  // Deferred replies, answered after the handler returned.
  void flush() {
    std::vector<std::function<void()>> pending;
    pending.swap(pending_);
    for (auto& fn : pending) fn();
  }

 private:
  q::host::ClientReply reply(ReplyCode code) const {
    q::host::ClientReply out;
    out.code = status_.role == q::raft::Role::kLeader ? code : ReplyCode::kNotLeader;
    out.leader_hint = status_.leader_id;
    if (code == ReplyCode::kRejected) out.reason = "busy";
    return out;
  }
  void answer(q::host::ReplyFn done, q::host::ClientReply reply) {
    if (!deferred_) return done(reply);
    pending_.push_back([done = std::move(done), reply = std::move(reply)] { done(reply); });
  }
  // A leader-only action on a non-leader is kNotLeader whatever the input chose.
  q::raft::RequestResult action() const {
    return status_.role == q::raft::Role::kLeader ? action_result_
                                                  : q::raft::RequestResult::kNotLeader;
  }

  qd::ApiNodeStatus status_;
  ReplyCode read_code_;
  ReplyCode write_code_;
  q::raft::RequestResult action_result_;
  bool deferred_;
  q::host::ApplyRouter router_;
  q::host::HostStats stats_;
  q::ownership::DriverStats driver_stats_;
  std::vector<std::function<void()>> pending_;
};

qd::ParsedConfig three_nodes(bool tls) {
  qd::ParsedConfig config;
  config.node_id = 1;
  config.name = "ctl1";
  config.cluster_id = "fuzz";
  config.http_port = 9581;
  for (q::NodeId id = 1; id <= 3; ++id) {
    qd::PeerConfig peer;
    peer.id = id;
    peer.name = "ctl" + std::to_string(id);
    peer.host = id == 3 ? "fd00::3" : "127.0.0." + std::to_string(id);
    peer.http_port = static_cast<std::uint16_t>(9580 + id);
    config.peers.push_back(peer);
  }
  if (tls) config.tls_ca_file = "/nonexistent/ca.pem";  // only the URL scheme reads it
  return config;
}

bool needs_leader(const HttpRequest& request) {
  const std::string& path = request.path;
  // The pool: everything but may-act (answered by the addressed node itself) goes to the leader.
  if (path.starts_with(qd::kPoolPrefix)) return path != "/v1/ownership/may-act";
  if (path == "/v1/controllers" && request.method == "GET") return true;
  if (path == "/v1/leader/transfer" || path == "/v1/leader/step-down") {
    return request.method == "POST";
  }
  const bool config = path == "/v1/config" || path.starts_with("/v1/config/");
  if (!config) return false;
  if (request.method == "GET") {
    auto local = request.query.find("local");
    return local == request.query.end() || local->second == "false" || local->second == "0";
  }
  return path != "/v1/config" && (request.method == "PUT" || request.method == "DELETE");
}

void check_json(const HttpRequest& request, const HttpResponse& response) {
  google::protobuf::Struct object;
  const auto parsed = google::protobuf::util::JsonStringToMessage(response.body, &object);
  QUORUM_ASSERT(parsed.ok(), "status {}: not a JSON object: {}", response.status,
                response.body.substr(0, 200));
  // GET /health answers 503 with the health body itself (load balancers read the status).
  const bool health = request.path == "/health" && request.method == "GET";
  if (response.status >= 300 && !health) {
    q::api::Error error;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    QUORUM_ASSERT(google::protobuf::util::JsonStringToMessage(response.body, &error, options).ok());
    QUORUM_ASSERT(!error.error().empty(), "an error answer without its reason: {}", response.body);
  }
}

void check_response(const qd::ApiContext& context, const FakeHost& fake, const HttpRequest& request,
                    const HttpResponse& response) {
  const unsigned status = response.status;
  QUORUM_ASSERT(status == 200 || status == 307 || status == 400 || status == 404 ||
                    status == 409 || status == 413 || status == 503,
                "status {} for {} {}", status, request.method, request.target);
  if (response.content_type == "application/json") check_json(request, response);
  if (status == 307) {
    const qd::ApiNodeStatus node = fake.node();
    const std::string url = qd::node_url(context.config, node.leader_id);
    QUORUM_ASSERT(!url.empty() && node.leader_id != context.config.node_id);
    QUORUM_ASSERT(response.location == url + request.target, "location {}", response.location);
  }
  if (needs_leader(request) && fake.node().role != q::raft::Role::kLeader) {
    QUORUM_ASSERT(status != 200, "{} {} served by a {}", request.method, request.target,
                  q::raft::role_name(fake.node().role));
  }
  const bool write = request.path.starts_with("/v1/config/") && request.method == "PUT";
  if (write && status == 200) {
    const std::string path = request.path.substr(std::string_view("/v1/config/").size());
    const q::config_sync::FileEntry* file = fake.state().config.find(path);
    QUORUM_ASSERT(file != nullptr && file->content == request.body, "PUT {} answered 200", path);
  }
}

// One request through the API; returns false when the input is used up.
bool handle_one(qd::ApiContext& context, FakeHost& fake, bool health_port, std::string_view* bytes) {
  ParsedHttpRequest parsed = q::adapters::parse_http_request(*bytes);
  if (parsed.outcome != ParsedHttpRequest::Outcome::kComplete) {
    QUORUM_ASSERT(parsed.outcome != ParsedHttpRequest::Outcome::kMalformed || !parsed.error.empty());
    return false;
  }
  QUORUM_ASSERT(parsed.consumed_bytes > 0 && parsed.consumed_bytes <= bytes->size());
  QUORUM_ASSERT(parsed.request.body.size() <= q::adapters::kRequestBodyBytesMax);
  QUORUM_ASSERT(parsed.version == 10 || parsed.version == 11, "version {}", parsed.version);
  bytes->remove_prefix(parsed.consumed_bytes);
  parsed.request.remote = "192.0.2.1:40000";

  int answers = 0;
  HttpResponse response;
  const HttpRequest& request = parsed.request;
  auto respond = [&answers, &response](HttpResponse r) {
    ++answers;
    response = std::move(r);
  };
  if (health_port) {
    qd::handle_health_request(context, request, respond);
  } else {
    qd::handle_api_request(context, request, respond);
  }
  fake.flush();
  QUORUM_ASSERT(answers == 1, "{} {} answered {} times", request.method, request.target, answers);
  static const bool verbose = std::getenv("QUORUM_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "http_api: %s %s -> %u %s\n", request.method.c_str(), request.target.c_str(),
                 response.status, response.body.substr(0, 100).c_str());
  }
  check_response(context, fake, request, response);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    q::adapters::log::set_level(q::adapters::log::Level::kError);  // no audit lines per input
    return true;
  }();
  (void)quiet;
  if (size < 4) return 0;
  const std::uint8_t node_byte = data[0];
  qd::ApiNodeStatus status;
  status.role = static_cast<q::raft::Role>(node_byte & 3);
  const q::NodeId leader = (node_byte >> 2) & 7;
  status.leader_id = status.role == q::raft::Role::kLeader ? 1 : leader;
  status.term = 7;
  const auto read_code = static_cast<ReplyCode>(data[1] % kReplyCodeCount);
  const auto write_code = static_cast<ReplyCode>(data[2] % kReplyCodeCount);
  const auto action = static_cast<q::raft::RequestResult>(data[3] % kRequestResultCount);
  const bool tls = (node_byte & 0x20) != 0;
  const bool deferred = (node_byte & 0x40) != 0;
  const bool health_port = (node_byte & 0x80) != 0;

  const qd::ParsedConfig config = three_nodes(tls);
  FakeHost fake(status, read_code, write_code, action, deferred);
  qd::LatencyHistogram fsync;
  fsync.observe(1'500);
  const qd::CounterSet counters;
  const qd::PeerAcks acks;
  const q::adapters::HttpServerCounters http_counters;
  qd::ApiContext context{config, fake, fsync, counters};
  context.acks = &acks;
  context.http_counters = &http_counters;

  std::string_view bytes(reinterpret_cast<const char*>(data) + 4, size - 4);
  for (std::size_t i = 0; i < kRequestsPerInputMax && handle_one(context, fake, health_port, &bytes); ++i) {
  }
  return 0;
}
