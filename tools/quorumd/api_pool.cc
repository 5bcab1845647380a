// The controller pool's HTTP/JSON API (api_pool.h). Tools layer.
#include "tools/quorumd/api_pool.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/asio/log.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/core/raft/state.h"
#include "engine/host/guard_holds.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::quorumd {
namespace {

using adapters::HttpRequest;
using adapters::HttpRespondFn;
using adapters::HttpResponse;
using ownership::ApplyResult;
using ownership::Cluster;
using ownership::ClusterState;
using ownership::Controller;
using ownership::StateMachine;

const StateMachine& pool(const ApiContext& context) { return context.host.state().ownership; }

std::int64_t to_ms(const ApiContext& context, Ticks ticks) {
  return static_cast<std::int64_t>(ticks * context.config.tick_interval_ms);
}

bool parse_id(std::string_view text, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// By id (all digits) or by name.
const Cluster* find_cluster(const StateMachine& state, const std::string& text) {
  std::uint64_t id = 0;
  if (parse_id(text, &id)) return state.find_cluster(id);
  for (const auto& [cluster_id, cluster] : state.clusters()) {
    if (cluster.name == text) return &cluster;
  }
  return nullptr;
}

// A registered controller by name or id.
const Controller* find_controller(const StateMachine& state, const std::string& text) {
  std::uint64_t id = 0;
  if (parse_id(text, &id)) return state.find_controller(id);
  for (const auto& [node_id, controller] : state.controllers()) {
    if (controller.name == text) return &controller;
  }
  return nullptr;
}

// A member of the group (peers) by name or id: who may be registered.
const PeerConfig* find_peer(const ParsedConfig& config, const std::string& text) {
  for (const PeerConfig& peer : config.peers) {
    if (peer.name == text || std::to_string(peer.id) == text) return &peer;
  }
  return nullptr;
}

// The pool's name of a controller, else its peers name, else its id; "" for none.
std::string controller_name(const ApiContext& context, NodeId id) {
  if (id == kNoNode) return "";
  if (const Controller* c = pool(context).find_controller(id)) return c->name;
  return node_name(context.config, id);
}

std::string tags_text(const ownership::Tags& tags) {
  std::string out;
  for (const auto& [key, value] : tags) out += (out.empty() ? "" : ",") + key + "=" + value;
  return out;
}

// ---- may-act ----

std::string may_act_detail(const ApiContext& context, const ownership::MayAct& answer,
                           const Cluster& cluster) {
  using Reason = ownership::MayAct::Reason;
  const raft::Session session = context.host.session();
  switch (answer.reason) {
    case Reason::kYes: return "";
    case Reason::kUnknownCluster: return "no such managed cluster";
    case Reason::kNotRegistered:
      return "this controller (" + context.config.name + ") is not registered in the pool";
    case Reason::kStandby: return "this controller is a standby: it acts only once promoted";
    case Reason::kAutoRecoveryOff:
      return cluster.auto_recovery ? "auto-recovery is off for this controller"
                                   : "auto-recovery is off for cluster " + cluster.name;
    case Reason::kNotOwner:
      return cluster.owner == kNoNode
                 ? "nobody owns " + cluster.name + " yet"
                 : fmt::format("{} is owned by {} (epoch {})", cluster.name,
                               controller_name(context, cluster.owner), cluster.epoch);
    case Reason::kHandingOver:
      return fmt::format("{} was released for a hand-over to {}", cluster.name,
                         controller_name(context, cluster.handover_to));
    case Reason::kNoValidLease: {
      if (session.generation() == 0) {
        return "this controller's session has not started: no keepalive confirmed by a leader "
               "since it started";
      }
      const Ticks now = context.host.clock_now_ticks();
      const Ticks ago = now > session.valid_until_ticks() ? now - session.valid_until_ticks() : 0;
      return fmt::format("this controller's session ended {} ms ago: no keepalive confirmed by a "
                         "lease-holding leader since",
                         to_ms(context, ago));
    }
    case Reason::kStaleGrant:
      return fmt::format("{} was granted (epoch {}) before this controller's current session "
                         "began (index {}): waiting for the leader's re-grant",
                         cluster.name, cluster.epoch, session.start_index());
    case Reason::kBackendUnfit: {
      std::string text = fmt::format(
          "this controller owns {} (epoch {}) but its database backend is not Primary/Synced: it "
          "does not act, and the leader hands the cluster to a fit controller",
          cluster.name, cluster.epoch);
      if (context.database_state) text += "; local Galera node: " + context.database_state();
      return text;
    }
  }
  return std::string(ownership::may_act_reason_name(answer.reason));
}

// ?holder=H&hold_ms=X of a guard (engine/host/guard_holds.h): both or neither.
constexpr std::int64_t kHoldMsMax = 600'000;  // the hold ends by the permission's end anyway
struct HoldQuery {
  std::string holder;  // "" without a hold
  std::int64_t hold_ms = 0;
};

std::optional<HoldQuery> parse_hold_query(const HttpRequest& request, bool need_ms,
                                          const HttpRespondFn& respond) {
  HoldQuery out;
  auto holder = request.query.find("holder");
  auto hold_ms = request.query.find("hold_ms");
  if (holder == request.query.end() && hold_ms == request.query.end()) return out;
  if (holder == request.query.end() || !host::valid_holder(holder->second)) {
    respond(error_response(400, fmt::format("may-act: holder must be 1 to {} bytes of [A-Za-z0-9._-]",
                                            host::GuardHolds::kHolderBytesMax)));
    return std::nullopt;
  }
  out.holder = holder->second;
  if (!need_ms) return out;
  std::uint64_t ms = 0;
  if (hold_ms == request.query.end() || !parse_id(hold_ms->second, &ms) || ms == 0 ||
      ms > static_cast<std::uint64_t>(kHoldMsMax)) {
    respond(error_response(400, fmt::format("may-act: a holder needs hold_ms=MS (1 to {})", kHoldMsMax)));
    return std::nullopt;
  }
  out.hold_ms = static_cast<std::int64_t>(ms);
  return out;
}

// DELETE /v1/ownership/may-act?cluster=ID|NAME&holder=H: the guard's COMMAND is gone.
void handle_drop_hold(ApiContext& context, const HttpRequest& request, const HttpRespondFn& respond) {
  auto query = request.query.find("cluster");
  std::optional<HoldQuery> hold = parse_hold_query(request, false, respond);
  if (!hold) return;
  if (query == request.query.end() || query->second.empty() || hold->holder.empty()) {
    respond(error_response(400, "dropping a hold needs ?cluster=ID|NAME&holder=H"));
    return;
  }
  std::uint64_t id = 0;
  // By id even when the cluster is gone from the pool: its hold may still be recorded.
  if (!parse_id(query->second, &id)) {
    const Cluster* cluster = find_cluster(pool(context), query->second);
    if (cluster == nullptr) {
      respond(error_response(404, "no managed cluster '" + query->second + "'"));
      return;
    }
    id = cluster->id;
  }
  api::GuardHoldDropped out;
  out.set_cluster_id(id);
  out.set_holder(hold->holder);
  out.set_dropped(context.host.drop_guard_hold(id, hold->holder));
  respond(json_response(200, out));
}

void handle_may_act(ApiContext& context, const HttpRequest& request, const HttpRespondFn& respond) {
  std::optional<HoldQuery> hold = parse_hold_query(request, true, respond);
  if (!hold) return;
  auto query = request.query.find("cluster");
  if (query == request.query.end() || query->second.empty()) {
    respond(error_response(400, "may-act needs ?cluster=ID or ?cluster=NAME"));
    return;
  }
  const std::string& text = query->second;
  std::uint64_t id = 0;
  const bool numeric = parse_id(text, &id);
  if ((numeric && id == ownership::kNoCluster) || text.size() > ownership::kNameBytesMax ||
      (!numeric && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
    respond(error_response(400, "may-act: '" + text + "' is not a cluster id (1 or more) or name"));
    return;
  }
  api::MayAct out;
  out.set_controller(context.config.name);
  const Cluster* cluster = find_cluster(pool(context), text);
  if (cluster == nullptr) {
    out.set_may_act(false);
    if (numeric) {
      out.set_cluster_id(id);
    } else {
      out.set_cluster_name(text);
    }
    out.set_reason(std::string(may_act_reason_code(ownership::MayAct::Reason::kUnknownCluster)));
    out.set_detail(fmt::format("no managed cluster '{}' in this controller's copy of the pool "
                               "(applied index {})",
                               text, pool(context).applied_index()));
    respond(json_response(200, out));
    return;
  }
  host::NodeHost::HeldMayAct held;
  if (hold->holder.empty()) {
    held.answer = context.host.may_act(cluster->id);
  } else {
    const std::int64_t tick_ms = static_cast<std::int64_t>(context.config.tick_interval_ms);
    const auto hold_ticks = static_cast<Ticks>((hold->hold_ms + tick_ms - 1) / tick_ms);
    held = context.host.may_act_holding(cluster->id, hold->holder, hold_ticks);
    if (held.holds_full) {
      // A yes without the hold would let a hand-over complete under a running COMMAND.
      respond(error_response(503, fmt::format("this controller keeps at most {} guard holds; retry "
                                              "once guards have finished",
                                              host::GuardHolds::kHoldsMax)));
      return;
    }
  }
  const ownership::MayAct& answer = held.answer;
  // Read after may_act: the clock only advances, so the lease left is never overstated.
  const Ticks now = context.host.clock_now_ticks();
  out.set_may_act(answer.ok());
  out.set_cluster_id(cluster->id);
  out.set_cluster_name(cluster->name);
  if (answer.ok()) {
    out.set_epoch(answer.epoch);
    out.set_term(answer.term);
    out.set_lease_left_ms(
        to_ms(context, answer.valid_until_ticks > now ? answer.valid_until_ticks - now : 0));
    if (held.hold_until_ticks > 0) {
      out.set_hold_left_ms(to_ms(context, held.hold_until_ticks > now ? held.hold_until_ticks - now : 0));
    }
  } else {
    out.set_reason(std::string(may_act_reason_code(answer.reason)));
    out.set_detail(may_act_detail(context, answer, *cluster));
  }
  respond(json_response(200, out));
}

// ---- the tables (leader, linearizable) ----

// The owner's session as the leader sees it (api.proto PoolCluster.lease_left_ms); nullopt for
// no owner.
std::optional<std::int64_t> lease_left_ms(const ApiContext& context, NodeId owner) {
  if (owner == kNoNode) return std::nullopt;
  const Ticks now = context.host.clock_now_ticks();
  const raft::Session self = context.host.session();
  Ticks until = 0;
  if (owner == context.config.node_id) {
    until = self.valid_until_ticks();
  } else if (std::optional<raft::PeerSession> peer = context.host.peer_session(owner);
             peer && peer->heard) {
    until = peer->last_keepalive_ticks + raft::owner_lease_ticks(self.params());
  }
  return to_ms(context, until > now ? until - now : 0);
}

void fill_cluster(const ApiContext& context, const Cluster& cluster, api::PoolCluster* out) {
  out->set_cluster_id(cluster.id);
  out->set_name(cluster.name);
  for (const auto& [key, value] : cluster.tags) (*out->mutable_tags())[key] = value;
  out->set_state(std::string(ownership::cluster_state_name(cluster.state)));
  out->set_owner_id(cluster.owner);
  out->set_owner_name(controller_name(context, cluster.owner));
  out->set_epoch(cluster.epoch);
  if (cluster.state == ClusterState::kOwned) {
    if (std::optional<std::int64_t> left = lease_left_ms(context, cluster.owner)) {
      out->set_lease_left_ms(*left);
    }
  }
  out->set_pinned_to_id(cluster.pinned_owner);
  out->set_pinned_to_name(controller_name(context, cluster.pinned_owner));
  out->set_handover_to_id(cluster.handover_to);
  out->set_handover_to_name(controller_name(context, cluster.handover_to));
  out->set_auto_recovery(cluster.auto_recovery);
}

HttpResponse cluster_list(const ApiContext& context) {
  api::PoolClusterList list;
  for (const auto& [id, cluster] : pool(context).clusters()) {
    fill_cluster(context, cluster, list.add_clusters());
  }
  list.set_total(static_cast<std::uint64_t>(list.clusters_size()));
  list.set_applied_index(pool(context).applied_index());
  return json_response(200, list);
}

HttpResponse controller_list(const ApiContext& context) {
  std::map<NodeId, std::uint64_t> owned;
  for (const auto& [id, cluster] : pool(context).clusters()) {
    if (cluster.owner != kNoNode) ++owned[cluster.owner];
  }
  api::PoolControllerList list;
  for (const auto& [id, controller] : pool(context).controllers()) {
    api::PoolController* out = list.add_controllers();
    out->set_node_id(id);
    out->set_name(controller.name);
    out->set_address(controller.address);
    out->set_weight(controller.weight);
    for (const auto& [key, value] : controller.tags) (*out->mutable_tags())[key] = value;
    out->set_role(std::string(ownership::role_name(controller.role)));
    out->set_state(std::string(ownership::controller_state_name(controller.state)));
    out->set_auto_recovery(controller.auto_recovery);
    out->set_owned(owned[id]);
    if (std::optional<std::int64_t> left = lease_left_ms(context, id)) out->set_lease_left_ms(*left);
  }
  list.set_total(static_cast<std::uint64_t>(list.controllers_size()));
  list.set_applied_index(pool(context).applied_index());
  return json_response(200, list);
}

bool is_leader(const ApiContext& context) {
  return context.host.node().role == raft::Role::kLeader;
}

// Served by the leader after a read barrier: what it answers is committed and current.
void linearizable(ApiContext& context, const HttpRequest& request, const HttpRespondFn& respond,
                  HttpResponse (*render)(const ApiContext&)) {
  if (!is_leader(context)) {
    respond(not_leader_response(context, request, context.host.node().leader_id));
    return;
  }
  context.host.read([&context, request, respond, render](const host::ClientReply& reply) {
    if (std::optional<HttpResponse> failed = client_reply_failure(context, request, reply)) {
      respond(std::move(*failed));
      return;
    }
    respond(render(context));
  });
}

// ---- mutations ----

unsigned http_status_of(ApplyResult::Code code) {
  switch (code) {
    case ApplyResult::Code::kApplied: return 200;
    case ApplyResult::Code::kInvalid: return 400;
    case ApplyResult::Code::kNotFound: return 404;
    case ApplyResult::Code::kConflict:
    case ApplyResult::Code::kStaleEpoch:
    case ApplyResult::Code::kTooLarge: return 409;
  }
  return 500;
}

std::string who(const HttpRequest& request) {
  return request.client_subject.empty() ? request.remote
                                        : fmt::format("{} ({})", request.client_subject, request.remote);
}

// Proposes `command` on the leader; answers `result` (filled in by the caller) with the index
// and epoch once applied, or the state machine's reason. One audit line per command applied or
// refused by the state machine, as for config writes.
void propose(ApiContext& context, const HttpRequest& request, const HttpRespondFn& respond,
             ownership::Command command, api::PoolWriteResult result, std::string what) {
  if (!is_leader(context)) {
    respond(not_leader_response(context, request, context.host.node().leader_id));
    return;
  }
  context.host.propose(
      host::AppCommand{std::move(command)},
      [&context, request, respond, result, what](const host::ClientReply& reply) mutable {
        if (std::optional<HttpResponse> failed = client_reply_failure(context, request, reply)) {
          respond(std::move(*failed));
          return;
        }
        const auto* applied = std::get_if<ApplyResult>(&reply.result);
        if (applied == nullptr) {
          respond(error_response(500, "the committed command did not apply"));
          return;
        }
        if (applied->code != ApplyResult::Code::kApplied) {
          adapters::log::info("audit", "pool {} refused ({}, index {}): {} by {}", what,
                              ownership::apply_code_name(applied->code), reply.index,
                              applied->reason, who(request));
          respond(error_response(http_status_of(applied->code), applied->reason));
          return;
        }
        adapters::log::info("audit", "pool {} (index {}) by {}", what, reply.index, who(request));
        result.set_result("applied");
        result.set_index(reply.index);
        result.set_epoch(applied->epoch);
        respond(json_response(200, result));
      });
}

// An answer that changes nothing ("already owned by ...").
void unchanged(const HttpRespondFn& respond, api::PoolWriteResult result, const std::string& why) {
  result.set_result(why);
  respond(json_response(200, result));
}

template <typename M>
bool parse_body(const HttpRequest& request, M* message, const HttpRespondFn& respond) {
  const auto status = google::protobuf::util::JsonStringToMessage(request.body, message);
  if (!status.ok()) {
    respond(error_response(400, "bad request body: " + std::string(status.message())));
    return false;
  }
  return true;
}

void add_cluster(ApiContext& context, const HttpRequest& request, const HttpRespondFn& respond) {
  api::AddClusterRequest body;
  if (!parse_body(request, &body, respond)) return;
  // Names address clusters in this API, so they must be unique and not read as ids. The state
  // machine does not check uniqueness (engine/core/ownership), so the leader does, here.
  std::uint64_t as_id = 0;
  if (parse_id(body.name(), &as_id)) {
    respond(error_response(400, "a cluster name cannot be all digits: it would read as an id"));
    return;
  }
  if (is_leader(context)) {
    if (const Cluster* same = find_cluster(pool(context), body.name())) {
      respond(error_response(409, fmt::format("a cluster named '{}' exists (id {})", same->name,
                                              same->id)));
      return;
    }
  }
  ownership::AddCluster command;
  command.id = body.cluster_id();
  if (command.id == ownership::kNoCluster) {
    // The next free id on the leader; a concurrent add that took it is refused (409).
    const auto& clusters = pool(context).clusters();
    command.id = clusters.empty() ? 1 : clusters.rbegin()->first + 1;
  }
  command.name = body.name();
  for (const auto& [key, value] : body.tags()) command.tags[key] = value;
  command.auto_recovery = !body.has_auto_recovery() || body.auto_recovery();
  api::PoolWriteResult result;
  result.set_cluster_id(command.id);
  result.set_cluster_name(command.name);
  const std::string what = fmt::format("add cluster {} '{}' tags '{}'", command.id, command.name,
                                       tags_text(command.tags));
  propose(context, request, respond, std::move(command), std::move(result), what);
}

// POST /v1/ownership/clusters/C/ACTION and DELETE /v1/ownership/clusters/C.
void cluster_action(ApiContext& context, const HttpRequest& request, const HttpRespondFn& respond,
                    const std::string& name, const std::string& action) {
  if (!is_leader(context)) {
    respond(not_leader_response(context, request, context.host.node().leader_id));
    return;
  }
  const Cluster* cluster = find_cluster(pool(context), name);
  if (cluster == nullptr) {
    respond(error_response(404, "no managed cluster '" + name + "'"));
    return;
  }
  api::PoolWriteResult result;
  result.set_cluster_id(cluster->id);
  result.set_cluster_name(cluster->name);
  if (action == "remove") {
    propose(context, request, respond, ownership::RemoveCluster{cluster->id}, result,
            fmt::format("remove cluster {} '{}'", cluster->id, cluster->name));
    return;
  }
  if (action == "unpin") {
    propose(context, request, respond, ownership::Unpin{cluster->id}, result,
            fmt::format("unpin cluster {} '{}'", cluster->id, cluster->name));
    return;
  }
  auto to = request.query.find("to");
  if (to == request.query.end() || to->second.empty()) {
    respond(error_response(400, action + " needs ?to=CONTROLLER"));
    return;
  }
  const Controller* target = find_controller(pool(context), to->second);
  if (target == nullptr) {
    respond(error_response(404, "no controller '" + to->second + "' in the pool"));
    return;
  }
  result.set_node_id(target->id);
  result.set_controller(target->name);
  const std::string what =
      fmt::format("{} cluster {} '{}' to {}", action, cluster->id, cluster->name, target->name);
  if (action == "pin") {
    propose(context, request, respond, ownership::Pin{cluster->id, target->id}, result, what);
    return;
  }
  // move: a hand-over (Release to the target), completed by the leader's driver once the owner
  // reports it applied the Release: no moment with two controllers allowed to act.
  if (cluster->pinned_owner != kNoNode && cluster->pinned_owner != target->id) {
    respond(error_response(409, fmt::format("cluster '{}' is pinned to {}: unpin it, or pin it to {}",
                                            cluster->name, controller_name(context, cluster->pinned_owner),
                                            target->name)));
    return;
  }
  if (cluster->state == ClusterState::kUnowned) {
    respond(error_response(409, fmt::format("cluster '{}' has no owner to hand it over: the leader "
                                            "grants it by its policy; pin it to choose the owner",
                                            cluster->name)));
    return;
  }
  if (cluster->state == ClusterState::kHandingOver) {
    if (cluster->handover_to == target->id) {
      unchanged(respond, result, "already handing over to " + target->name);
      return;
    }
    respond(error_response(409, fmt::format("cluster '{}' is already handing over to {}; retry "
                                            "once that completed",
                                            cluster->name, controller_name(context, cluster->handover_to))));
    return;
  }
  if (cluster->owner == target->id) {
    unchanged(respond, result, "already owned by " + target->name);
    return;
  }
  propose(context, request, respond,
          ownership::Release{cluster->id, cluster->owner, cluster->epoch, target->id}, result, what);
}

void register_controller(ApiContext& context, const HttpRequest& request,
                         const HttpRespondFn& respond) {
  api::RegisterControllerRequest body;
  if (!parse_body(request, &body, respond)) return;
  const PeerConfig* peer = find_peer(context.config, body.name());
  if (peer == nullptr) {
    respond(error_response(404, "no member named '" + body.name() +
                                    "' in peers: only members of the group join the pool"));
    return;
  }
  ownership::RegisterController command;
  command.id = peer->id;
  command.name = peer->name;
  command.address = node_url(context.config, peer->id);
  command.weight = body.weight() == 0 ? 1 : static_cast<std::uint32_t>(std::min<std::uint64_t>(
                                                body.weight(), ownership::kWeightMax + 1));
  for (const auto& [key, value] : body.tags()) command.tags[key] = value;
  if (body.role() == "standby") {
    command.role = ownership::ControllerRole::kStandby;
  } else if (!body.role().empty() && body.role() != "active") {
    respond(error_response(400, "role is active or standby, not '" + body.role() + "'"));
    return;
  }
  const bool standby = command.role == ownership::ControllerRole::kStandby;
  command.auto_recovery = body.has_auto_recovery() ? body.auto_recovery() : !standby;
  api::PoolWriteResult result;
  result.set_node_id(command.id);
  result.set_controller(command.name);
  const std::string what = fmt::format("register controller {} '{}' ({}, weight {}, tags '{}')",
                                       command.id, command.name, ownership::role_name(command.role),
                                       command.weight, tags_text(command.tags));
  propose(context, request, respond, std::move(command), std::move(result), what);
}

// POST /v1/ownership/controllers/N/ACTION and DELETE /v1/ownership/controllers/N.
void controller_action(ApiContext& context, const HttpRequest& request,
                       const HttpRespondFn& respond, const std::string& name,
                       const std::string& action) {
  if (!is_leader(context)) {
    respond(not_leader_response(context, request, context.host.node().leader_id));
    return;
  }
  const Controller* controller = find_controller(pool(context), name);
  if (controller == nullptr) {
    respond(error_response(404, "no controller '" + name + "' in the pool"));
    return;
  }
  const NodeId id = controller->id;
  api::PoolWriteResult result;
  result.set_node_id(id);
  result.set_controller(controller->name);
  const std::string what = fmt::format("{} controller {} '{}'", action, id, controller->name);
  if (action == "deregister") {
    std::size_t owned = 0;
    for (const auto& [cluster_id, cluster] : pool(context).clusters()) {
      if (cluster.owner == id || cluster.handover_to == id) ++owned;
    }
    if (owned > 0) {
      respond(error_response(409, fmt::format("controller '{}' owns {} cluster(s): drain it first "
                                              "(controller --drain {}) and wait until it owns none",
                                              controller->name, owned, controller->name)));
      return;
    }
    propose(context, request, respond, ownership::DeregisterController{id}, result, what);
  } else if (action == "drain") {
    propose(context, request, respond, ownership::Drain{id}, result, what);
  } else if (action == "undrain") {
    propose(context, request, respond, ownership::Activate{id}, result, what);
  } else if (action == "promote") {
    // ?force=true overrides "refused while the active side is alive". The leader's host judges
    // the standby rule before proposing (ownership/promote.h); a refusal comes back as
    // ClientReply::kRefused, answered 409 with the rule's reason (client_reply_failure).
    const bool force = query_true(request, "force");
    propose(context, request, respond, ownership::Promote{id, force}, result,
            force ? what + " (forced)" : what);
  } else if (action == "weight") {
    auto weight = request.query.find("weight");
    std::uint64_t value = 0;
    if (weight == request.query.end() || !parse_id(weight->second, &value)) {
      respond(error_response(400, "weight needs ?weight=N (1 to 10000)"));
      return;
    }
    const auto clamped = static_cast<std::uint32_t>(std::min<std::uint64_t>(value, ownership::kWeightMax + 1));
    propose(context, request, respond, ownership::SetWeight{id, clamped}, result,
            fmt::format("{} {}", what, value));
  } else {
    respond(error_response(404, "no such controller action '" + action + "'"));
  }
}

// "clusters/a%20b/move" -> {"clusters", "a b", "move"}.
std::vector<std::string> segments(std::string_view rest) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= rest.size()) {
    const std::size_t slash = rest.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? rest.size() : slash;
    out.push_back(adapters::url_decode(std::string(rest.substr(start, end - start))));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string_view may_act_reason_code(ownership::MayAct::Reason reason) {
  using Reason = ownership::MayAct::Reason;
  switch (reason) {
    case Reason::kYes: return "yes";
    case Reason::kUnknownCluster: return "unknown_cluster";
    case Reason::kNotRegistered: return "not_registered";
    case Reason::kStandby: return "standby";
    case Reason::kAutoRecoveryOff: return "auto_recovery_off";
    case Reason::kNotOwner: return "not_owner";
    case Reason::kHandingOver: return "handing_over";
    case Reason::kNoValidLease: return "no_valid_lease";
    case Reason::kStaleGrant: return "stale_grant";
    case Reason::kBackendUnfit: return "backend_unfit";
  }
  return "unknown";
}

void handle_pool_request(ApiContext& context, const HttpRequest& request,
                         const HttpRespondFn& respond) {
  const std::vector<std::string> parts =
      segments(std::string_view(request.path).substr(kPoolPrefix.size()));
  const std::string& method = request.method;
  const std::string& table = parts[0];
  if (parts.size() == 1 && table == "may-act" && method == "GET") {
    return handle_may_act(context, request, respond);
  }
  if (parts.size() == 1 && table == "may-act" && method == "DELETE") {
    return handle_drop_hold(context, request, respond);
  }
  if (table == "clusters" && parts.size() == 1) {
    if (method == "GET") return linearizable(context, request, respond, cluster_list);
    if (method == "POST") return add_cluster(context, request, respond);
  }
  if (table == "controllers" && parts.size() == 1) {
    if (method == "GET") return linearizable(context, request, respond, controller_list);
    if (method == "POST") return register_controller(context, request, respond);
  }
  if ((table == "clusters" || table == "controllers") && parts.size() >= 2 && parts.size() <= 3 &&
      !parts[1].empty()) {
    const bool remove = parts.size() == 2 && method == "DELETE";
    if (remove || (parts.size() == 3 && method == "POST")) {
      const std::string action = remove ? (table == "clusters" ? "remove" : "deregister") : parts[2];
      if (table == "clusters" && (remove || action == "move" || action == "pin" || action == "unpin")) {
        return cluster_action(context, request, respond, parts[1], action);
      }
      if (table == "controllers") return controller_action(context, request, respond, parts[1], action);
    }
  }
  respond(error_response(404, fmt::format("no such endpoint: {} {}", method, request.path)));
}

void render_pool_metrics(ApiContext& context, std::string* out) {
  const StateMachine& state = pool(context);
  std::map<NodeId, std::uint64_t> owned;
  for (const auto& [id, controller] : state.controllers()) owned[id] = 0;
  for (const auto& [id, cluster] : state.clusters()) {
    if (cluster.state == ClusterState::kOwned) ++owned[cluster.owner];
  }
  *out += "# HELP quorum_pool_owned_clusters Managed clusters each controller owns (this node's "
          "copy of the pool; hand-overs not counted).\n# TYPE quorum_pool_owned_clusters gauge\n";
  for (const auto& [id, count] : owned) {
    *out += fmt::format("quorum_pool_owned_clusters{{controller=\"{}\"}} {}\n",
                        controller_name(context, id), count);
  }
  render_metric("quorum_pool_clusters", "gauge", "Managed clusters in the pool.",
                state.clusters().size(), out);
  const ownership::DriverStats& driver = context.host.ownership_driver_stats();
  render_metric("quorum_pool_takeovers_total", "counter",
                "Clusters this node, as leader, took from a silent owner.", driver.takeovers, out);
  render_metric("quorum_pool_handovers_total", "counter",
                "Hand-overs (drain, move, rebalance) this node, as leader, completed.",
                driver.handovers, out);
  render_metric("quorum_pool_grants_total", "counter",
                "Grants of unowned clusters this node, as leader, proposed.", driver.grants, out);
  render_metric("quorum_pool_longest_unowned_ms", "gauge",
                "Longest time a cluster that had an owner was without one that may act, as this "
                "node's driver saw it while leading (from the owner's last keepalive or release "
                "until the new owner's grant applied).",
                static_cast<std::uint64_t>(to_ms(context, driver.longest_unowned_ticks)), out);
  render_metric("quorum_pool_guard_holds", "gauge",
                "Holds of local guards (quorumctl run) on clusters this node may act on: a "
                "hand-over of a held cluster is not acknowledged to the leader until its hold "
                "is dropped or ends.",
                context.host.guard_holds(), out);
  const raft::Session session = context.host.session();
  const Ticks now = context.host.clock_now_ticks();
  const Ticks left = session.generation() > 0 && session.valid_until_ticks() > now
                         ? session.valid_until_ticks() - now
                         : 0;
  render_metric("quorum_session_lease_left_ms", "gauge",
                "Time this node's session (its ownership lease) runs by its own clock without "
                "another confirmed keepalive; 0: no valid session, it may act on nothing.",
                static_cast<std::uint64_t>(to_ms(context, left)), out);
}

}  // namespace quorum::quorumd
