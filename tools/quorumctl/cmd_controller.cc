// quorumctl controller: --list [--long] [--watch], --history, --transfer-leader, --step-down.
// Tools layer.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tools/quorumctl/cli_common.h"

namespace quorum::quorumctl {
namespace {

constexpr const char* kControllerHelp =
    "usage: quorumctl controller --list [--long] [--no-header] [--batch] [--watch[=SEC]] [NAME...]\n"
    "       quorumctl controller --history [--local] [--no-header] [--batch]\n"
    "       quorumctl controller --transfer-leader [--to NAME]\n"
    "       quorumctl controller --step-down\n"
    "\n"
    "--list     controller names; with --long the table S VERSION OWNER GROUP NAME IP PORT\n"
    "           COMMENT, where S is l (leader), f (follower) or - (no acknowledgement of\n"
    "           the leader's heartbeats within an election timeout: COMMENT says for how long\n"
    "           and how many entries it is behind). NAME arguments filter rows. --no-header\n"
    "           drops the header, --batch the header and the Total line. Served by the leader;\n"
    "           COMMENT also names config_dir errors each controller reports. Without a\n"
    "           leader (majority lost), every reachable controller's own view instead: role,\n"
    "           term, commit index, last contact with a leader.\n"
    "--watch    print the list again every SEC seconds (default 2) until interrupted (Ctrl-C).\n"
    "--history  the leader changes, newest first: TIME (the new leader's clock, UTC) TERM\n"
    "           LEADER PREVIOUS REASON (election or transfer) INDEX. Replicated (every\n"
    "           controller keeps the same last 128); served by the leader, or with --local\n"
    "           by the node addressed from its own copy (when there is no leader).\n"
    "--transfer-leader  asks the leader to hand over to NAME (default: the most up-to-date\n"
    "           voter) and waits until a new leader is known.\n"
    "--step-down  the leader steps down and does not campaign for one election timeout.\n";

char role_letter(const std::string& role) {
  if (role == "leader") return 'l';
  if (role == "follower") return 'f';
  if (role == "candidate") return 'c';
  if (role == "pre-candidate") return 'p';
  return '?';
}

// l leader, f follower (c candidate, p pre-candidate in the no-leader view), - not online.
char state_letter(const api::Controller& row) {
  if (row.host_status() != "online") return '-';
  return role_letter(row.role());
}

// `pool` (node id -> POOL, OWNED) adds those two columns before COMMENT when not empty.
void print_table(const api::ControllerList& list, const std::vector<std::string>& filter,
                 bool header, bool footer,
                 const std::map<std::uint64_t, std::pair<std::string, std::string>>& pool = {}) {
  std::vector<std::vector<std::string>> rows;
  for (const api::Controller& c : list.controllers()) {
    if (!filter.empty() && std::find(filter.begin(), filter.end(), c.hostname()) == filter.end()) continue;
    rows.push_back({std::string(1, state_letter(c)), or_dash(c.version()),
                    or_dash(c.owner_user_name()), or_dash(c.owner_group_name()), c.hostname(),
                    c.ip().empty() ? "-" : c.ip(), std::to_string(c.port())});
    if (!pool.empty()) {
      auto it = pool.find(c.node_id());
      rows.back().push_back(it == pool.end() ? "-" : it->second.first);
      rows.back().push_back(it == pool.end() ? "-" : it->second.second);
    }
    rows.back().push_back(c.message().empty() ? "-" : c.message());
  }
  std::vector<std::string> titles = {"S", "VERSION", "OWNER", "GROUP", "NAME", "IP", "PORT"};
  if (!pool.empty()) titles.insert(titles.end(), {"POOL", "OWNED"});
  titles.push_back("COMMENT");
  print_columns(titles, rows, header);
  if (footer) std::printf("Total: %zu controller(s)\n", rows.size());
}

// One controller of the no-leader JSON: {"nodeId":"1","name":"ctl1","reachable":..,"status":..}.
std::string fmt_json_row(std::uint64_t id, const std::string& name, const std::string& status_json) {
  return "{\"nodeId\":\"" + std::to_string(id) + "\",\"name\":" + json_quote(name) +
         ",\"reachable\":" + (status_json.empty() ? "false" : "true") +
         (status_json.empty() ? "" : ",\"status\":" + status_json) + "}";
}

// " config_dir: cannot write 'a/b' (2 errors; quorumctl status)." or "".
std::string config_dir_comment(const api::Status& status) {
  std::string text;
  if (status.config_dir_errors_size() > 0) {
    const api::ConfigDirError& first = status.config_dir_errors(0);
    if (first.path().empty()) {
      text += " config_dir: " + first.error() + ".";
    } else {
      text += " config_dir: cannot write '" + first.path() + "' (" +
              std::to_string(status.config_dir_errors_size()) + " error(s); see quorumctl status).";
    }
  }
  if (status.unmanaged_files_size() > 0) {
    text += " " + std::to_string(status.unmanaged_files_size()) + " unmanaged file(s) in config_dir.";
  }
  return text;
}

// Appends to each row's COMMENT what its own controller reports about config_dir.
void add_config_dir_comments(const Globals& globals, api::ControllerList* list,
                             const std::map<std::uint64_t, std::string>& urls) {
  for (api::Controller& row : *list->mutable_controllers()) {
    const std::string address = row_address(row, urls);
    if (address.empty() || row.host_status() != "online") continue;
    std::string error;
    std::optional<api::Status> status = node_status(globals, address, &error);
    if (status) row.set_message(row.message() + config_dir_comment(*status));
  }
}

// Majority lost (or an election running): every reachable node's own view, like
// `etcdctl endpoint status --cluster`. The addresses come from the first node that answers.
int controller_list_without_leader(const Globals& globals, bool header, bool footer,
                                   const std::vector<std::string>& filter, const std::string& why) {
  std::optional<api::Status> first;
  std::string error = why;
  for (const std::string& host : globals.client.hosts) {
    first = node_status(globals, host, &error);
    if (first) break;
  }
  if (!first) return fail(why);
  api::ControllerList list;
  std::string json = "{\"leader\":false,\"controllers\":[";
  for (const api::Peer& peer : first->peers()) {
    api::Controller* row = list.add_controllers();
    row->set_node_id(peer.node_id());
    row->set_hostname(peer.name());
    row->set_ip(peer.ip());
    row->set_port(peer.port());
    std::string reason = "no API address";
    std::optional<api::Status> view =
        peer.api_url().empty() ? std::nullopt : node_status(globals, peer.api_url(), &reason);
    if (!view) {
      row->set_host_status("unreachable");
      row->set_message("Unreachable: " + reason + ".");
      json += fmt_json_row(peer.node_id(), peer.name(), "") + ",";
      continue;
    }
    row->set_host_status("online");
    row->set_role(view->role());
    row->set_version(view->version());
    std::string comment = view->leader_id() == 0 ? "No leader known." : "Leader known: " + view->leader_name() + ".";
    comment += " " + view->role() + ", term " + std::to_string(view->term()) + ", commit index " +
               std::to_string(view->commit_index()) + ", ";
    comment += view->last_leader_contact_ms_ago() < 0
                   ? "no contact with a leader since start."
                   : "last contact with a leader " + std::to_string(view->last_leader_contact_ms_ago()) + " ms ago.";
    row->set_message(comment + config_dir_comment(*view));
    std::string status_json;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(*view, &status_json, options);
    json += fmt_json_row(peer.node_id(), peer.name(), status_json) + ",";
  }
  if (json.back() == ',') json.pop_back();
  json += "]}\n";
  if (globals.json) {
    std::printf("%s", json.c_str());
    return 1;
  }
  if (header) std::printf("No leader: each reachable controller's own view.\n");
  print_table(list, filter, header, false);
  if (footer) std::printf("Total: %d controller(s), no leader\n", list.controllers_size());
  return 1;
}

int controller_list(const Globals& globals, bool long_format, bool header, bool footer,
                    const std::vector<std::string>& filter) {
  // The table is most needed while there is no leader: do not wait long for one.
  Globals quick = globals;
  quick.client.wait_for_leader = std::min(globals.client.wait_for_leader, std::chrono::milliseconds(2000));
  Result<HttpReply> result = http_request(quick.client, "GET", "/v1/controllers", "");
  if (!result) {
    // No leader answered (none elected, or the one a follower names is unreachable): each
    // node's own view, or this error if no node answers either.
    if (long_format && result.error().code() == StatusCode::kUnavailable) {
      return controller_list_without_leader(globals, header, footer, filter, result.error().message());
    }
    return fail(result.error().message());
  }
  HttpReply reply = std::move(*result);
  if (reply.status == 503 && long_format) {
    return controller_list_without_leader(globals, header, footer, filter, reply_error_text(reply));
  }
  if (reply.status != 200) return fail_reply(reply);
  if (globals.json) {
    std::printf("%s", reply.body.c_str());
    return 0;
  }
  api::ControllerList list;
  if (!parse_json(reply.body, &list)) return fail("unreadable reply from " + reply.served_by);
  if (long_format) {
    std::string error;
    std::map<std::uint64_t, std::string> urls;
    if (std::optional<api::Status> leader = node_status(globals, reply.served_by, &error)) {
      for (const api::Peer& peer : leader->peers()) urls[peer.node_id()] = peer.api_url();
    }
    add_config_dir_comments(globals, &list, urls);
    print_table(list, filter, header, footer, pool_columns(globals, reply.served_by));
  } else {
    for (const api::Controller& c : list.controllers()) {
      if (filter.empty() || std::find(filter.begin(), filter.end(), c.hostname()) != filter.end()) {
        std::printf("%s\n", c.hostname().c_str());
      }
    }
  }
  return 0;
}

// After a successful transfer or step-down: waits until some other node leads.
int wait_new_leader(const Globals& globals, const HttpReply& action_reply, const std::string& old_leader) {
  Globals direct = globals;
  direct.client.hosts = {action_reply.served_by};
  const auto deadline = std::chrono::steady_clock::now() + globals.client.wait_for_leader;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<HttpReply> status = http_request(direct.client, "GET", "/v1/status", "");
    api::Status view;
    if (status && status->status == 200 && parse_json(status->body, &view) &&
        view.leader_id() != 0 && view.leader_name() != old_leader) {
      std::printf("leader is now %s (term %llu)\n", view.leader_name().c_str(),
                  static_cast<unsigned long long>(view.term()));
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fail("no new leader within the timeout");
}

int controller_action(const Globals& globals, bool transfer, const std::string& to) {
  HttpReply before;
  int exit_code = 0;
  if (!call(globals, "GET", "/v1/controllers", "", &before, &exit_code)) return exit_code;
  api::ControllerList list;
  std::string old_leader;
  std::uint64_t old_leader_id = 0;
  if (parse_json(before.body, &list)) {
    for (const api::Controller& c : list.controllers()) {
      if (c.role() == "leader") {
        old_leader = c.hostname();
        old_leader_id = c.node_id();
      }
    }
  }
  if (transfer && !to.empty() && !old_leader.empty() &&
      (to == old_leader || to == std::to_string(old_leader_id))) {
    std::printf("%s is already the leader\n", old_leader.c_str());
    return 0;
  }
  const std::string target = transfer ? (to.empty() ? "/v1/leader/transfer" : "/v1/leader/transfer?to=" + url_encode_path(to))
                                      : "/v1/leader/step-down";
  HttpReply reply;
  if (!call(globals, "POST", target, "", &reply, &exit_code)) return exit_code;
  if (globals.json) {
    std::printf("%s", reply.body.c_str());
    return 0;
  }
  return wait_new_leader(globals, reply, old_leader);
}

// --watch: the list again every `seconds` until interrupted; on a terminal the screen is cleared
// first (like watch(1)), otherwise each round is separated by its time line.
int watch_list(const Globals& globals, bool long_format, bool header, bool footer,
               const std::vector<std::string>& filter, double seconds) {
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  while (true) {
    if (tty) std::printf("\033[H\033[2J");
    const std::time_t now = std::time(nullptr);
    char stamp[64] = {};
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));  // NOLINT
    std::printf("Every %gs: quorumctl controller --list%s  %s\n", seconds, long_format ? " --long" : "", stamp);
    (void)controller_list(globals, long_format, header, footer, filter);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  }
}

}  // namespace

int run_controller(const Globals& globals, const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::printf("%s%s", kControllerHelp, controller_pool_help());
      return 0;
    }
  }
  if (is_controller_pool_action(args)) return run_controller_pool(globals, args, kControllerHelp);
  bool list = false, long_format = false, transfer = false, step_down = false;
  bool history = false, local = false;
  bool header = true, footer = true;
  std::string to;
  std::vector<std::string> names;
  std::optional<double> watch_seconds;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--watch" || a.rfind("--watch=", 0) == 0) {
      const std::string text = a == "--watch" ? "2" : a.substr(8);
      char* end = nullptr;
      const double seconds = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(seconds > 0)) {
        return usage("--watch takes seconds above 0 (--watch=SEC)", kControllerHelp);
      }
      watch_seconds = seconds;
      continue;
    }
    if (a == "--list") list = true;
    else if (a == "--long" || a == "-l") long_format = true;
    else if (a == "--no-header") header = false;
    else if (a == "--batch") header = footer = false;
    else if (a == "--history") history = true;
    else if (a == "--local") local = true;
    else if (a == "--transfer-leader") transfer = true;
    else if (a == "--step-down") step_down = true;
    else if (a == "--to") {
      if (i + 1 >= args.size() || args[i + 1].rfind("-", 0) == 0) {
        return usage("--to needs a controller name (--to NAME)", kControllerHelp);
      }
      to = args[++i];
    } else if (a.rfind("--to=", 0) == 0) {
      to = a.substr(5);
      if (to.empty()) return usage("--to needs a controller name (--to=NAME)", kControllerHelp);
    }
    else if (a.rfind("--", 0) == 0) return usage("unknown controller option '" + a + "'", kControllerHelp);
    else names.push_back(a);
  }
  if (int(list) + int(history) + int(transfer) + int(step_down) != 1) {
    return usage("controller needs exactly one of --list, --history, --transfer-leader, --step-down, "
                 "or a pool action (--register, --deregister, --drain, --undrain, --weight)",
                 kControllerHelp);
  }
  if (local && !history) return usage("--local goes with --history", kControllerHelp);
  if (history && (long_format || !names.empty())) {
    return usage("--history takes no --long and no NAME", kControllerHelp);
  }
  if (!to.empty() && !transfer) return usage("--to goes with --transfer-leader", kControllerHelp);
  if (watch_seconds && !list) return usage("--watch goes with --list", kControllerHelp);
  if (history) return controller_history(globals, local, header, footer);
  if (list && watch_seconds) return watch_list(globals, long_format, header, footer, names, *watch_seconds);
  if (list) return controller_list(globals, long_format, header, footer, names);
  return controller_action(globals, transfer, to);
}

}  // namespace quorum::quorumctl
