// quorumctl's shared pieces: the global options, error and usage lines, the HTTP call that
// reports failures, and the entry point of every command (one cmd_*.cc file each). Tools layer.
#pragma once

#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tools/quorumctl/http_client.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::quorumctl {

constexpr int kExitUsage = 64;

struct Globals {
  ClientOptions client;
  bool json = false;
};

// "quorumctl: MESSAGE" on stderr; returns 1.
int fail(const std::string& message);
// "quorumctl: MESSAGE" and the help text on stderr; returns kExitUsage.
int usage(const std::string& message, const char* help);

template <typename M>
bool parse_json(const std::string& body, M* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  return google::protobuf::util::JsonStringToMessage(body, message, options).ok();
}

// The error line of a non-2xx reply; returns 1.
int fail_reply(const HttpReply& reply);
// Sends, reports errors, returns the reply when 2xx.
bool call(const Globals& globals, const std::string& method, const std::string& target,
          const std::string& body, HttpReply* reply, int* exit_code);
std::string url_encode_path(const std::string& path);
std::string or_dash(const std::string& text);
// The "error" text of a non-2xx reply (its body if it is not an api::Error).
std::string reply_error_text(const HttpReply& reply);
std::string json_quote(const std::string& text);
// One node's own view (GET /v1/status on that node only, never redirected); nullopt with
// *error set when it does not answer.
std::optional<api::Status> node_status(const Globals& globals, const std::string& address,
                                       std::string* error);
// The API address of a controller row: its URL as the status of any node names it.
std::string row_address(const api::Controller& row, const std::map<std::uint64_t, std::string>& urls);
bool parse_u64(const std::string& text, std::uint64_t* out);
// Left-aligned columns, one space apart, with the titles as the first row when `header`.
void print_columns(const std::vector<std::string>& titles,
                   const std::vector<std::vector<std::string>>& rows, bool header);
std::vector<std::string> split_commas(const std::string& text);

// Command entry points: args are the words after the command name.
int run_controller(const Globals& globals, const std::vector<std::string>& args);
int run_config(const Globals& globals, const std::vector<std::string>& args);
int run_status(const Globals& globals, const std::vector<std::string>& args);
int run_run(const Globals& globals, const std::vector<std::string>& args);
// The controller pool (cmd_pool.cc): cluster, standby, and controller's pool actions.
int run_cluster(const Globals& globals, const std::vector<std::string>& args);
int run_standby(const Globals& globals, const std::vector<std::string>& args);
bool is_controller_pool_action(const std::vector<std::string>& args);
int run_controller_pool(const Globals& globals, const std::vector<std::string>& args,
                        const char* help);
const char* controller_pool_help();
// node id -> {POOL (role/state), OWNED} as the leader at `leader` reports; empty if none.
std::map<std::uint64_t, std::pair<std::string, std::string>> pool_columns(const Globals& globals,
                                                                        const std::string& leader);
// controller --history (cmd_history.cc): `local` asks the node addressed for its own copy.
int controller_history(const Globals& globals, bool local, bool header, bool footer);

}  // namespace quorum::quorumctl
