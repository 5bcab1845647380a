#include "tools/quorumd/api.h"

#include <google/protobuf/util/json_util.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <string_view>
#include <utility>

#include "adapters/asio/log.h"
#include "engine/core/raft/state.h"
#include "tools/quorumd/api.pb.h"
#include "tools/quorumd/api_history.h"
#include "tools/quorumd/api_pool.h"
#include "tools/quorumd/json_text.h"

namespace quorum::quorumd {

using adapters::HttpRequest;
using adapters::HttpRespondFn;
using adapters::HttpResponse;

namespace {

// always_print: every field, defaults included (the replies); false for api::Error, whose unset
// leader fields would say "leaderId":"0" on a plain 404.
// Strings that echo a client's or the disk's bytes may not be UTF-8, which the JSON printer
// refuses: such a message is printed from a repaired copy (json_text.h).
std::string to_json(const google::protobuf::Message& message, bool always_print = true) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = always_print;
  std::string out;
  if (utf8_fields_valid(message)) {
    (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  } else {
    std::unique_ptr<google::protobuf::Message> repaired(message.New());
    repaired->CopyFrom(message);
    repair_utf8_fields(*repaired);
    (void)google::protobuf::util::MessageToJsonString(*repaired, &out, options);
  }
  return out + "\n";
}

}  // namespace

HttpResponse json_response(unsigned status, const google::protobuf::Message& message) {
  HttpResponse response;
  response.status = status;
  response.body = to_json(message, message.GetDescriptor() != api::Error::descriptor());
  return response;
}

HttpResponse error_response(unsigned status, const std::string& text) {
  api::Error error;
  error.set_error(text);
  return json_response(status, error);
}

// The answer to a request that needs the leader, on a node that is not the leader.
HttpResponse not_leader_response(const ApiContext& context, const HttpRequest& request,
                                 NodeId leader_hint) {
  const NodeId self = context.config.node_id;
  const std::string url = leader_hint != self ? node_url(context.config, leader_hint) : "";
  api::Error error;
  error.set_leader_id(leader_hint);
  if (leader_hint == kNoNode || url.empty()) {
    error.set_error("no leader: an election is in progress or a majority is unreachable; retry");
    return json_response(503, error);
  }
  error.set_error("not the leader: redirecting to " + node_name(context.config, leader_hint));
  error.set_leader_url(url);
  HttpResponse response = json_response(307, error);
  response.location = url + request.target;
  return response;
}

std::optional<HttpResponse> client_reply_failure(const ApiContext& context,
                                                 const HttpRequest& request,
                                                 const host::ClientReply& reply) {
  using Code = host::ClientReply::Code;
  switch (reply.code) {
    case Code::kOk: return std::nullopt;
    case Code::kNotLeader: return not_leader_response(context, request, reply.leader_hint);
    case Code::kTransferInProgress:
      return error_response(503, "leadership transfer in progress; retry shortly");
    case Code::kLost: return error_response(503, "the write was lost to a leader change; retry");
    case Code::kUnknown:
      return error_response(503, "outcome unknown (covered by a snapshot); read back to check");
    case Code::kRejected: {
      // Degraded mode names what the local Galera node reports (the probe's latest outcome).
      std::string text = "rejected: " + reply.reason;
      if (context.database_state && reply.reason.starts_with("degraded mode")) {
        text += "; local Galera node: " + context.database_state();
      }
      return error_response(503, text);
    }
    case Code::kStopped: return error_response(503, "the node is stopping; retry elsewhere");
    case Code::kRefused: return error_response(409, "refused: " + reply.reason);
  }
  return error_response(500, "unknown reply code");
}

namespace {

constexpr std::string_view kConfigPrefix = "/v1/config/";

std::string current_user() {
  const passwd* user = getpwuid(getuid());  // NOLINT(concurrency-mt-unsafe): io thread only
  return user != nullptr ? user->pw_name : std::to_string(getuid());
}

std::string current_group() {
  const group* grp = getgrgid(getgid());  // NOLINT(concurrency-mt-unsafe): io thread only
  return grp != nullptr ? grp->gr_name : std::to_string(getgid());
}

void handle_status(ApiContext& context, const HttpRespondFn& respond) {
  const ApiNodeStatus node = context.host.node();
  api::Status status;
  status.set_node_id(context.config.node_id);
  status.set_name(context.config.name);
  status.set_role(std::string(raft::role_name(node.role)));
  status.set_term(node.term);
  status.set_leader_id(node.leader_id);
  status.set_leader_name(node_name(context.config, node.leader_id));
  status.set_leader_url(node_url(context.config, node.leader_id));
  status.set_commit_index(node.commit_index);
  status.set_applied_index(node.applied_index);
  status.set_last_index(node.last_index);
  status.set_version(kVersion);
  status.set_cluster_id(context.config.cluster_id);
  status.set_config_files(context.host.state().config.files().size());
  const auto contact = context.acks != nullptr
                           ? context.acks->since_leader_contact(std::chrono::steady_clock::now())
                           : std::nullopt;
  status.set_last_leader_contact_ms_ago(
      contact && node.role != raft::Role::kLeader ? static_cast<std::int64_t>(contact->count()) : -1);
  for (const PeerConfig& peer : context.config.peers) {
    api::Peer* out = status.add_peers();
    out->set_node_id(peer.id);
    out->set_name(peer.name);
    out->set_api_url(node_url(context.config, peer.id));
    out->set_ip(peer.host);
    out->set_port(peer.raft_port);
  }
  if (context.materializer != nullptr) {
    const MaterializedStatus dir = context.materializer->status();
    status.set_config_synced_index(dir.synced_index);
    if (!dir.dir_error.empty()) {
      api::ConfigDirError* error = status.add_config_dir_errors();
      error->set_error(dir.dir_error);
    }
    for (const adapters::files::PathError& path_error : dir.path_errors) {
      api::ConfigDirError* error = status.add_config_dir_errors();
      error->set_path(path_error.path);
      error->set_error(path_error.message);
    }
    for (const std::string& path : dir.unmanaged) status.add_unmanaged_files(path);
  }
  respond(json_response(200, status));
}

void handle_health(ApiContext& context, const HttpRequest& request, const HttpRespondFn& respond) {
  const ApiNodeStatus node = context.host.node();
  api::Health health;
  health.set_status("up");
  health.set_node_id(context.config.node_id);
  health.set_name(context.config.name);
  health.set_role(std::string(raft::role_name(node.role)));
  health.set_term(node.term);
  health.set_has_leader(node.leader_id != kNoNode);
  health.set_leader_id(node.leader_id);
  health.set_leader_name(node_name(context.config, node.leader_id));
  if (context.materializer != nullptr) {
    health.set_config_dir_errors(context.materializer->status().error_count());
  }
  const bool refused = (query_true(request, "require_leader") && node.leader_id == kNoNode) ||
                       (query_true(request, "leader") && node.role != raft::Role::kLeader);
  respond(json_response(refused ? 503 : 200, health));
}

api::Controller* add_controller(api::ControllerList* list, const PeerConfig& peer) {
  api::Controller* row = list->add_controllers();
  row->set_node_id(peer.id);
  row->set_hostname(peer.name);
  row->set_ip(peer.host);
  row->set_port(peer.raft_port);
  row->set_http_port(peer.http_port);
  row->set_version(kVersion);
  row->set_owner_user_name(current_user());
  row->set_owner_group_name(current_group());
  return row;
}

// Served by the leader only: the follower rows are its acknowledgement records (peer_acks.h).
void handle_controllers(ApiContext& context, const HttpRequest& request,
                        const HttpRespondFn& respond) {
  const ApiNodeStatus node = context.host.node();
  if (node.role != raft::Role::kLeader) {
    respond(not_leader_response(context, request, node.leader_id));
    return;
  }
  const ParsedConfig& config = context.config;
  const auto now = std::chrono::steady_clock::now();
  const auto election_timeout = std::chrono::milliseconds(config.election_timeout_ms);
  api::ControllerList list;
  for (const PeerConfig& peer : config.peers) {
    api::Controller* row = add_controller(&list, peer);
    if (peer.id == config.node_id) {
      row->set_role("leader");
      row->set_host_status("online");
      row->set_message("Acting as leader.");
      row->set_connected(true);
      row->set_acked(true);
      row->set_match_index(node.last_index);
      continue;
    }
    const bool connected = context.host.peer_connected(peer.id);
    PeerAcks::View view;
    if (context.acks != nullptr) view = context.acks->view(peer.id, now);
    const FollowerRow follower = follower_row(view, node.last_index, election_timeout, connected);
    row->set_role("follower");
    row->set_host_status(follower.online ? "online" : "unreachable");
    row->set_message(follower.comment);
    row->set_connected(connected);
    row->set_acked(view.acked);
    row->set_last_ack_ms_ago(static_cast<std::uint64_t>(view.silent_for.count()));
    row->set_match_index(view.match_index);
    if (view.acked) {  // unknown otherwise: the field stays absent, not 0
      row->set_lag_entries(view.match_index < node.last_index ? node.last_index - view.match_index : 0);
    }
  }
  list.set_total(static_cast<std::uint64_t>(list.controllers_size()));
  respond(json_response(200, list));
}

}  // namespace

bool query_true(const adapters::HttpRequest& request, const std::string& key) {
  auto it = request.query.find(key);
  return it != request.query.end() && it->second != "false" && it->second != "0";
}

std::string config_file_json(const std::string& path, const config_sync::FileEntry& file) {
  api::ConfigFile out;
  out.set_path(path);
  out.set_content(file.content);
  out.set_version(file.version);
  out.set_checksum(file.checksum);
  return to_json(out);
}

adapters::HttpResponse config_file_raw(const config_sync::FileEntry& file) {
  HttpResponse response;
  response.content_type = "application/octet-stream";
  response.body = file.content;
  response.headers["X-Quorum-Version"] = std::to_string(file.version);
  response.headers["X-Quorum-Checksum"] = std::to_string(file.checksum);
  return response;
}

bool wants_raw(const adapters::HttpRequest& request) {
  auto raw = request.query.find("raw");
  if (raw != request.query.end()) return raw->second != "false" && raw->second != "0";
  return request.accept.find("application/octet-stream") != std::string::npos;
}

namespace {

api::ConfigFile file_message(const std::string& path, const config_sync::FileEntry& file,
                             bool with_content) {
  api::ConfigFile out;
  out.set_path(path);
  if (with_content) out.set_content(file.content);
  out.set_version(file.version);
  out.set_checksum(file.checksum);
  return out;
}

void respond_config_read(ApiContext& context, const HttpRequest& request, const std::string& path,
                         const HttpRespondFn& respond) {
  const config_sync::StateMachine& files = context.host.state().config;
  if (path.empty()) {
    api::ConfigList list;
    for (const auto& [name, file] : files.files()) {
      *list.add_files() = file_message(name, file, /*with_content=*/false);
    }
    list.set_applied_index(files.applied_index());
    respond(json_response(200, list));
    return;
  }
  const config_sync::FileEntry* file = files.find(path);
  if (file == nullptr) {
    respond(error_response(404, "no config file '" + path + "'"));
    return;
  }
  if (wants_raw(request)) {
    respond(config_file_raw(*file));
    return;
  }
  HttpResponse response;
  response.body = config_file_json(path, *file);
  respond(std::move(response));
}

void handle_config_get(ApiContext& context, const HttpRequest& request, const std::string& path,
                       const HttpRespondFn& respond) {
  if (query_true(request, "local")) {
    respond_config_read(context, request, path, respond);  // this node's copy, possibly stale
    return;
  }
  context.host.read([&context, request, path, respond](const host::ClientReply& reply) {
    if (reply.code == host::ClientReply::Code::kOk) {
      respond_config_read(context, request, path, respond);
    } else if (reply.code == host::ClientReply::Code::kNotLeader) {
      respond(not_leader_response(context, request, reply.leader_hint));
    } else {
      respond(error_response(503, fmt::format("read failed: {} {}",
                                              host::client_reply_code_name(reply.code), reply.reason)));
    }
  });
}

HttpResponse write_reply(const ApiContext& context, const HttpRequest& request,
                         const std::string& path, const host::ClientReply& reply) {
  if (std::optional<HttpResponse> failed = client_reply_failure(context, request, reply)) {
    return std::move(*failed);
  }
  const auto* applied = std::get_if<config_sync::ApplyResult>(&reply.result);
  if (applied == nullptr) return error_response(500, "the committed command did not apply");
  using Apply = config_sync::ApplyResult::Code;
  switch (applied->code) {
    case Apply::kApplied: break;
    case Apply::kInvalidPath: return error_response(400, "invalid path: " + applied->reason);
    case Apply::kTooLarge: return error_response(413, "too large: " + applied->reason);
    case Apply::kNotFound: return error_response(404, "no config file '" + path + "'");
    case Apply::kVersionMismatch: return error_response(409, "version mismatch: " + applied->reason);
    case Apply::kConflict: return error_response(409, "conflict: " + applied->reason);
  }
  api::WriteResult result;
  result.set_path(path);
  result.set_version(applied->version);
  result.set_index(reply.index);
  return json_response(200, result);
}

// One line per config write that reached the state machine (applied or refused by it): who,
// what, which version. The leader writes it (the node that answered the client).
void audit_write(const HttpRequest& request, const std::string& path, const host::ClientReply& reply,
                 unsigned http_status) {
  if (reply.code != host::ClientReply::Code::kOk) return;
  const std::string who = request.client_subject.empty()
                              ? request.remote
                              : fmt::format("{} ({})", request.client_subject, request.remote);
  const auto* applied = std::get_if<config_sync::ApplyResult>(&reply.result);
  if (applied == nullptr) return;
  if (applied->code == config_sync::ApplyResult::Code::kApplied) {
    adapters::log::info("audit", "config {} '{}' version {} (index {}, {} bytes) by {}", request.method,
                        path, applied->version, reply.index, request.body.size(), who);
  } else {
    adapters::log::info("audit", "config {} '{}' refused (HTTP {}, index {}): {} by {}", request.method,
                        path, http_status, reply.index, applied->reason, who);
  }
}

void handle_config_write(ApiContext& context, const HttpRequest& request, const std::string& path,
                         const HttpRespondFn& respond) {
  config_sync::Command command;
  if (request.method == "PUT" && request.body.size() > config_sync::kContentBytesMax) {
    // Refused before it is proposed: a proposal above the limit is never worth a log entry.
    respond(error_response(413, fmt::format("too large: '{}': content is {} bytes, above the limit of "
                                            "{} bytes", path, request.body.size(),
                                            config_sync::kContentBytesMax)));
    return;
  }
  auto if_version = request.query.find("if_version");
  if (request.method == "PUT" && if_version != request.query.end()) {
    LogIndex expected = 0;
    const std::string& text = if_version->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      respond(error_response(400, "if_version takes a version number (0: the file must not exist)"));
      return;
    }
    command = config_sync::PutIfVersion{path, request.body, expected};
  } else if (request.method == "PUT") {
    command = config_sync::Put{path, request.body};
  } else {
    command = config_sync::Delete{path};
  }
  context.host.propose(std::move(command),
                              [&context, request, path, respond](const host::ClientReply& reply) {
                                HttpResponse response = write_reply(context, request, path, reply);
                                audit_write(request, path, reply, response.status);
                                respond(std::move(response));
                              });
}

std::string_view request_result_name(raft::RequestResult result) {
  switch (result) {
    case raft::RequestResult::kOk: return "ok";
    case raft::RequestResult::kNotLeader: return "not leader";
    case raft::RequestResult::kNoSuchVoter: return "no such voter";
    case raft::RequestResult::kAlreadyLeader: return "already leader";
    case raft::RequestResult::kNoCandidate: return "no other voter to take over";
    case raft::RequestResult::kTransferInProgress: return "a transfer is already in progress";
  }
  return "?";
}

void handle_leader_action(ApiContext& context, const HttpRequest& request, bool transfer,
                          const HttpRespondFn& respond) {
  NodeId target = kNoNode;
  if (transfer) {
    auto to = request.query.find("to");
    if (to != request.query.end() && !to->second.empty()) {
      for (const PeerConfig& peer : context.config.peers) {
        if (peer.name == to->second || std::to_string(peer.id) == to->second) target = peer.id;
      }
      if (target == kNoNode) {
        respond(error_response(404, "no controller named '" + to->second + "'"));
        return;
      }
    }
  }
  const raft::RequestResult result =
      transfer ? context.host.transfer_leadership(target) : context.host.step_down();
  if (result == raft::RequestResult::kNotLeader) {
    respond(not_leader_response(context, request, context.host.node().leader_id));
    return;
  }
  api::LeaderActionResult body;
  body.set_result(std::string(request_result_name(result)));
  body.set_target_id(target);
  body.set_target_name(node_name(context.config, target));
  if (result != raft::RequestResult::kOk) {
    body.set_error(fmt::format("{}: {}", transfer ? "transfer refused" : "step-down refused",
                               request_result_name(result)));
  }
  respond(json_response(result == raft::RequestResult::kOk ? 200 : 409, body));
}

}  // namespace

// Every controller of a group has the same TLS setting (the peers refuse each other otherwise),
// so the scheme of a peer's API is this node's.
std::string node_url(const ParsedConfig& config, NodeId id) {
  const std::string_view scheme = config.tls_enabled() ? "https" : "http";
  if (id == config.node_id) {
    return fmt::format("{}://{}:{}", scheme, config.listen_address, config.http_port);
  }
  for (const PeerConfig& peer : config.peers) {
    if (peer.id == id && peer.http_port != 0) {
      const bool ipv6 = peer.host.find(':') != std::string::npos;
      return ipv6 ? fmt::format("{}://[{}]:{}", scheme, peer.host, peer.http_port)
                  : fmt::format("{}://{}:{}", scheme, peer.host, peer.http_port);
    }
  }
  return "";
}

std::string node_name(const ParsedConfig& config, NodeId id) {
  if (id == kNoNode) return "";
  for (const PeerConfig& peer : config.peers) {
    if (peer.id == id) return peer.name;
  }
  return std::to_string(id);
}

void render_metrics(ApiContext& context, std::string* out);

void handle_api_request(ApiContext& context, const HttpRequest& request, HttpRespondFn respond) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path.rfind(kPoolPrefix, 0) == 0) return handle_pool_request(context, request, respond);
  if (path == kHistoryPath) return handle_history_request(context, request, respond);
  if (path == "/v1/status" && method == "GET") return handle_status(context, respond);
  if (path == "/health" && method == "GET") return handle_health(context, request, respond);
  if (path == "/v1/controllers" && method == "GET") return handle_controllers(context, request, respond);
  if (path == "/metrics" && method == "GET") {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4";
    render_metrics(context, &response.body);
    return respond(std::move(response));
  }
  if (path == "/v1/config" && method == "GET") return handle_config_get(context, request, "", respond);
  if (path.rfind(kConfigPrefix, 0) == 0) {
    const std::string file_path = path.substr(kConfigPrefix.size());
    if (method == "GET") return handle_config_get(context, request, file_path, respond);
    if (method == "PUT" || method == "DELETE") {
      return handle_config_write(context, request, file_path, respond);
    }
  }
  if (path == "/v1/leader/transfer" && method == "POST") {
    return handle_leader_action(context, request, /*transfer=*/true, respond);
  }
  if (path == "/v1/leader/step-down" && method == "POST") {
    return handle_leader_action(context, request, /*transfer=*/false, respond);
  }
  respond(error_response(404, fmt::format("no such endpoint: {} {}", method, path)));
}

void handle_health_request(ApiContext& context, const HttpRequest& request, HttpRespondFn respond) {
  if (request.path == "/health" && request.method == "GET") return handle_health(context, request, respond);
  respond(error_response(404, "the health port serves GET /health only"));
}

void render_metrics(ApiContext& context, std::string* out) {
  const ApiNodeStatus node = context.host.node();
  *out += "# HELP quorum_role 1 for the role this node is in.\n# TYPE quorum_role gauge\n";
  for (raft::Role role : {raft::Role::kFollower, raft::Role::kPreCandidate, raft::Role::kCandidate,
                          raft::Role::kLeader}) {
    *out += fmt::format("quorum_role{{role=\"{}\"}} {}\n", raft::role_name(role),
                        node.role == role ? 1 : 0);
  }
  render_metric("quorum_term", "gauge", "Current Raft term.", node.term, out);
  render_metric("quorum_commit_index", "gauge", "Highest committed log index.", node.commit_index, out);
  render_metric("quorum_applied_index", "gauge", "Highest applied log index.", node.applied_index, out);
  render_metric("quorum_leader_changes_total", "counter", "Times the known leader changed.",
                context.counters.leader_changes, out);
  render_metric("quorum_elections_started_total", "counter", "Real (non-pre) campaigns started.",
                context.counters.elections_started, out);
  const adapters::TransportCounters net = context.host.transport_counters();
  render_metric("quorum_messages_sent_total", "counter", "Raft messages queued to a peer.",
                net.messages_sent, out);
  render_metric("quorum_messages_received_total", "counter", "Raft messages delivered to the host.",
                net.messages_received, out);
  const host::HostStats& stats = context.host.stats();
  render_metric("quorum_messages_dropped_total", "counter",
                "Raft messages dropped (peer not connected, send queue full, host inbox full or "
                "misrouted).",
                net.messages_dropped + stats.messages_dropped_count, out);
  render_metric("quorum_readys_total", "counter", "Ready batches handled by the host.",
                stats.readys_count, out);
  render_metric("quorum_syncs_total", "counter", "Synced storage writes (fsync) issued by the host.",
                stats.syncs_count, out);
  render_metric("quorum_entries_applied_total", "counter", "Log entries applied.",
                stats.entries_applied_count, out);
  render_metric("quorum_snapshots_taken_total", "counter", "Snapshots taken (log compactions).",
                stats.snapshots_taken_count, out);
  render_metric("quorum_snapshots_installed_total", "counter", "Snapshots received from a leader.",
                stats.snapshots_installed_count, out);
  render_metric("quorum_frames_rejected_total", "counter", "Malformed frames or messages.",
                net.frames_rejected, out);
  render_metric("quorum_connections_refused_total", "counter",
                "Peer connections refused (TLS, cluster id, unexpected node).",
                net.connections_refused, out);
  render_metric("quorum_connections_idle_closed_total", "counter",
                "Peer connections closed because nothing arrived for two election timeouts.",
                net.connections_idle_closed, out);
  render_metric("quorum_peer_handshakes_timed_out_total", "counter",
                "Peer connections cut because the TLS handshake or the Hello was not done in time.",
                net.handshakes_timed_out, out);
  render_metric("quorum_peer_frames_timed_out_total", "counter",
                "Peer connections cut because a frame was begun but not completed in time.",
                net.frames_timed_out, out);
  if (context.http_counters != nullptr) {
    render_metric("quorum_api_tls_handshakes_failed_total", "counter",
                  "HTTPS API connections refused in the TLS handshake (no or bad client "
                  "certificate, not TLS).",
                  context.http_counters->tls_handshakes_failed, out);
  }
  if (context.materializer != nullptr) {
    const MaterializedStatus dir = context.materializer->status();
    render_metric("quorum_config_dir_errors", "gauge",
                  "Replicated files the last config_dir sync could not write (plus 1 if the "
                  "whole directory failed); 0 when config_dir holds the replicated map.",
                  dir.error_count(), out);
    render_metric("quorum_config_unmanaged_files", "gauge",
                  "Files kept in config_dir that are not replicated (config_dir_unmanaged = keep).",
                  dir.unmanaged.size(), out);
    render_metric("quorum_config_synced_index", "gauge",
                  "Applied index of the replicated map last written to config_dir.",
                  dir.synced_index, out);
    render_metric("quorum_config_dir_sync_failures_total", "counter",
                  "config_dir syncs that left an error.", dir.syncs_failed, out);
  }
  render_pool_metrics(context, out);
  context.fsync.render("quorum_fsync_seconds", "Latency of synced storage writes.", out);
}

}  // namespace quorum::quorumd
