// Self-registration in the controller pool (pool_registrar.h). Tools layer.
#include "tools/quorumd/pool_registrar.h"

#include <google/protobuf/util/json_util.h>

#include <utility>

#include "adapters/asio/log.h"
#include "tools/quorumctl/http_client.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::quorumd {
namespace {

namespace log = adapters::log;

// Between two attempts while no leader answers (an election, a lost majority).
constexpr auto kRetryPeriod = std::chrono::milliseconds(500);

quorumctl::ClientOptions client_options(const ParsedConfig& config, const std::string& api_url) {
  quorumctl::ClientOptions options;
  options.hosts = {api_url};
  if (config.tls_enabled()) {
    options.tls = quorumctl::ClientTls{config.tls_ca_file, config.tls_cert_file, config.tls_key_file};
  }
  // Never wait inside the client: the registrar's own loop retries, and stop() must not wait.
  options.wait_for_leader = std::chrono::milliseconds(0);
  options.io_timeout = std::chrono::milliseconds(1000);
  return options;
}

std::string error_text(const quorumctl::HttpReply& reply) {
  api::Error error;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (google::protobuf::util::JsonStringToMessage(reply.body, &error, options).ok()) {
    return error.error();
  }
  return reply.body;
}

std::string register_body(const ParsedConfig& config) {
  api::RegisterControllerRequest request;
  request.set_name(config.name);
  request.set_weight(config.controller_weight);
  for (const auto& [key, value] : config.controller_tags) (*request.mutable_tags())[key] = value;
  request.set_role(std::string(ownership::role_name(config.controller_role)));
  request.set_auto_recovery(config.controller_auto_recovery);
  std::string body;
  (void)google::protobuf::util::MessageToJsonString(request, &body);
  return body;
}

}  // namespace

PoolRegistrar::PoolRegistrar(const ParsedConfig& config, std::string api_url)
    : config_(config), api_url_(std::move(api_url)) {}

PoolRegistrar::~PoolRegistrar() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void PoolRegistrar::start() { thread_ = std::thread([this] { run(); }); }

void PoolRegistrar::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
}

bool PoolRegistrar::wait(std::chrono::milliseconds period) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, period, [this] { return stopping_; });
  return !stopping_;
}

void PoolRegistrar::run() {
  while (wait(kRetryPeriod)) {
    if (attempt()) return;
  }
}

bool PoolRegistrar::attempt() {
  const quorumctl::ClientOptions options = client_options(config_, api_url_);
  Result<quorumctl::HttpReply> table = quorumctl::http_request(options, "GET", "/v1/ownership/controllers", "");
  if (!table || table->status != 200) return false;  // no leader yet: later
  api::PoolControllerList list;
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(table->body, &list, parse).ok()) return false;
  for (const api::PoolController& row : list.controllers()) {
    if (row.node_id() != config_.node_id) continue;
    ownership::Tags tags(row.tags().begin(), row.tags().end());
    if (tags != config_.controller_tags) {
      log::warn("pool", "registered with tags different from controller_tags (the pool keeps the "
                "registered ones; deregister and restart to change them)");
    }
    if (row.weight() == config_.controller_weight) return true;
    const std::string target = "/v1/ownership/controllers/" + std::to_string(config_.node_id) +
                               "/weight?weight=" + std::to_string(config_.controller_weight);
    Result<quorumctl::HttpReply> set = quorumctl::http_request(options, "POST", target, "");
    if (!set || set->status != 200) return false;
    log::info("pool", "weight {} -> {} (controller_weight)", row.weight(), config_.controller_weight);
    return true;
  }
  Result<quorumctl::HttpReply> reply =
      quorumctl::http_request(options, "POST", "/v1/ownership/controllers", register_body(config_));
  if (!reply) return false;
  if (reply->status == 200) {
    log::info("pool", "registered in the pool as {} ({}, weight {})", config_.name,
              ownership::role_name(config_.controller_role), config_.controller_weight);
    return true;
  }
  if (reply->status >= 400 && reply->status < 500) {
    // Refused by the state machine (or the request): retrying cannot change it.
    log::warn("pool", "not registered in the pool: {} (HTTP {})", error_text(*reply), reply->status);
    return true;
  }
  return false;
}

}  // namespace quorum::quorumd
