#include "tools/quorumctl/may_act_client.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <time.h>
#include <unistd.h>

#include <cctype>
#include <charconv>

namespace quorum::quorumctl {

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

std::string string_field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return "";
  if (it->second.kind_case() == Value::kStringValue) return it->second.string_value();
  if (it->second.kind_case() == Value::kNumberValue) {
    return std::to_string(static_cast<long long>(it->second.number_value()));
  }
  return "";
}

// An int64 field: a JSON string (the Protobuf mapping) or a number; unchanged if absent.
// False if present but not an integer.
template <typename T>
bool int_field(const Struct& s, const std::string& name, T* out) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return true;
  if (it->second.kind_case() == Value::kNumberValue) {
    *out = static_cast<T>(it->second.number_value());
    return true;
  }
  if (it->second.kind_case() != Value::kStringValue) return false;
  const std::string& text = it->second.string_value();
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

}  // namespace

std::string may_act_target(const std::string& cluster, const std::string& holder, std::int64_t hold_ms) {
  std::string target = "/v1/ownership/may-act?cluster=" + percent_encode(cluster, "._-~");
  if (!holder.empty()) target += "&holder=" + percent_encode(holder, "._-~") + "&hold_ms=" + std::to_string(hold_ms);
  return target;
}

std::string make_holder_token() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::to_string(::getpid()) + "-" +
         std::to_string(static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
}

MayActPoll parse_may_act_reply(const HttpReply& reply) {
  MayActPoll poll;
  if (reply.status != 200) {
    poll.error = "HTTP " + std::to_string(reply.status) + " from " + reply.served_by + ": " + one_line(reply.body);
    return poll;
  }
  Struct body;
  if (!google::protobuf::util::JsonStringToMessage(reply.body, &body).ok()) {
    poll.error = "unreadable answer from " + reply.served_by + ": " + one_line(reply.body);
    return poll;
  }
  MayActAnswer answer;
  auto may_act = body.fields().find("mayAct");
  answer.may_act = may_act != body.fields().end() && may_act->second.kind_case() == Value::kBoolValue &&
                   may_act->second.bool_value();
  answer.cluster_id = string_field(body, "clusterId");
  answer.cluster_name = string_field(body, "clusterName");
  answer.controller = string_field(body, "controller");
  answer.reason = string_field(body, "reason");
  answer.detail = string_field(body, "detail");
  std::int64_t hold_left_ms = -1;
  if (!int_field(body, "epoch", &answer.epoch) || !int_field(body, "term", &answer.term) ||
      !int_field(body, "leaseLeftMs", &answer.lease_left_ms) || !int_field(body, "holdLeftMs", &hold_left_ms)) {
    poll.error = "unreadable epoch, term, leaseLeftMs or holdLeftMs from " + reply.served_by + ": " +
                 one_line(reply.body);
    return poll;
  }
  if (hold_left_ms >= 0) answer.hold_left_ms = hold_left_ms;
  if (answer.may_act && answer.cluster_id.empty()) {
    poll.error = "an answer without clusterId from " + reply.served_by + ": " + one_line(reply.body);
    return poll;
  }
  poll.answer = std::move(answer);
  return poll;
}

namespace {

ClientOptions this_node_only(const ClientOptions& options) {
  ClientOptions one = options;
  one.hosts.resize(1);
  one.follow_redirects = false;
  one.wait_for_leader = std::chrono::milliseconds(0);
  return one;
}

}  // namespace

std::string drop_may_act_hold(const ClientOptions& options, const std::string& cluster_id,
                              const std::string& holder) {
  const std::string target =
      may_act_target(cluster_id) + "&holder=" + percent_encode(holder, "._-~");
  Result<HttpReply> reply = http_request(this_node_only(options), "DELETE", target, "");
  if (!reply) return reply.error().message();
  if (reply->status != 200) return "HTTP " + std::to_string(reply->status) + " from " + reply->served_by + ": " + one_line(reply->body);
  return "";
}

MayActPoll ask_may_act(const ClientOptions& options, const std::string& cluster, const std::string& holder,
                       std::int64_t hold_ms) {
  Result<HttpReply> reply = http_request(this_node_only(options), "GET", may_act_target(cluster, holder, hold_ms), "");
  if (!reply) {
    MayActPoll poll;
    poll.error = reply.error().message();
    return poll;
  }
  return parse_may_act_reply(*reply);
}

}  // namespace quorum::quorumctl
