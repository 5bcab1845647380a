// The leadership history over HTTP (api_history.h). Tools layer.
#include "tools/quorumd/api_history.h"

#include <fmt/format.h>

#include <ctime>
#include <optional>
#include <utility>

#include "engine/core/history/state_machine.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::quorumd {
namespace {

using adapters::HttpRequest;
using adapters::HttpRespondFn;
using adapters::HttpResponse;

HttpResponse history_response(const ApiContext& context) {
  api::LeaderHistory out;
  const std::deque<history::Change>& changes = context.host.state().history.changes();
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    api::LeaderChange* c = out.add_changes();
    c->set_term(it->record.term);
    c->set_leader(node_name(context.config, it->record.leader));
    c->set_leader_id(it->record.leader);
    if (it->previous_leader != kNoNode) {
      c->set_previous_leader(node_name(context.config, it->previous_leader));
      c->set_previous_term(it->previous_term);
    }
    c->set_reason(std::string(history::reason_name(it->record.reason)));
    c->set_time(rfc3339_utc_ms(it->record.wall_ms));
    c->set_time_ms(it->record.wall_ms);
    c->set_index(it->index);
  }
  out.set_total(static_cast<std::uint64_t>(out.changes_size()));
  return json_response(200, out);
}


}  // namespace

std::string rfc3339_utc_ms(std::uint64_t unix_ms) {
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return std::to_string(unix_ms);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     unix_ms % 1000);
}

void handle_history_request(ApiContext& context, const HttpRequest& request,
                            const HttpRespondFn& respond) {
  if (request.method != "GET") {
    respond(error_response(405, fmt::format("{} takes GET only", kHistoryPath)));
    return;
  }
  if (query_true(request, "local")) {
    respond(history_response(context));
    return;
  }
  if (context.host.node().role != raft::Role::kLeader) {
    respond(not_leader_response(context, request, context.host.node().leader_id));
    return;
  }
  context.host.read([&context, request, respond](const host::ClientReply& reply) {
    if (std::optional<HttpResponse> failed = client_reply_failure(context, request, reply)) {
      respond(std::move(*failed));
      return;
    }
    respond(history_response(context));
  });
}

}  // namespace quorum::quorumd
