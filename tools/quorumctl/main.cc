// quorumctl: command-line client of quorumd (HTTP/JSON API, tools/quorumd/api.proto).
// Accepts any controller's address and follows redirects to the leader. Tools layer.
#include <google/protobuf/util/json_util.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <cstdio>
#include <optional>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/quorumctl/http_client.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::quorumctl {
namespace {

constexpr int kExitUsage = 64;
constexpr const char* kClientVersion = "0.1.0";

constexpr const char* kMainHelp =
    "usage: quorumctl [--host HOST:PORT[,HOST:PORT...]] [-o|--output text|json] [--timeout SEC]\n"
    "                 [--cacert FILE [--cert FILE --key FILE]] COMMAND [ARGS] [--help] [--version]\n"
    "\n"
    "commands:\n"
    "  controller --list [--long] [--watch]   the controllers and their roles\n"
    "  controller --transfer-leader [--to NAME]  hand leadership to NAME (or the best node)\n"
    "  controller --step-down                 make the leader step down\n"
    "  config get PATH | set PATH VALUE|--file FILE [--wait[=all]] [--if-version N]\n"
    "         | edit PATH | delete PATH | list\n"
    "  status                                 the view of the controller you address\n"
    "\n"
    "--host      any controller's API address (default $QUORUM_CONTROLLER or 127.0.0.1:9580);\n"
    "            requests that need the leader follow its redirect; several addresses are\n"
    "            tried in order when one cannot be reached. https://HOST:PORT for HTTPS.\n"
    "--output    text (default) or json (the API's JSON, unchanged)\n"
    "--timeout   how long to wait for a leader while an election runs (default 10)\n"
    "--cacert    HTTPS: the controllers' CA (PEM); their certificates must chain to it.\n"
    "            Given (or $QUORUM_CACERT), addresses without a scheme use https://.\n"
    "--cert, --key  HTTPS client certificate and key (PEM), signed by the same CA; required\n"
    "            when the controllers set http_client_cert = required (the default).\n"
    "            Also $QUORUM_CERT and $QUORUM_KEY.\n"
    "Exit status: 0 success, 1 failure (one line on stderr), 2 config set --wait: written and\n"
    "committed but not (yet) in config_dir where it says, 64 usage error.\n";

constexpr const char* kControllerHelp =
    "usage: quorumctl controller --list [--long] [--no-header] [--batch] [--watch[=SEC]] [NAME...]\n"
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
    "--transfer-leader  asks the leader to hand over to NAME (default: the most up-to-date\n"
    "           voter) and waits until a new leader is known.\n"
    "--step-down  the leader steps down and does not campaign for one election timeout.\n";

constexpr const char* kConfigHelp =
    "usage: quorumctl config get PATH       print the replicated content of PATH (its exact bytes)\n"
    "       quorumctl config set PATH VALUE [OPTIONS]  replicate VALUE as PATH\n"
    "       quorumctl config set PATH --file FILE [OPTIONS]   (FILE '-' reads stdin)\n"
    "       quorumctl config edit PATH      fetch, $VISUAL/$EDITOR (default vi), show the diff,\n"
    "                                       write only if nobody changed PATH meanwhile\n"
    "       quorumctl config delete PATH\n"
    "       quorumctl config list           every replicated file with its version\n"
    "\n"
    "set OPTIONS:\n"
    "  --wait        after the commit, wait until the file is in the leader's config_dir\n"
    "  --wait=all    ... in the config_dir of every live controller (exit 2 and one line per\n"
    "                controller where it is not, within --timeout)\n"
    "  --if-version N  write only if the file's current version is N (0: it must not exist);\n"
    "                a concurrent change is refused with \"version mismatch\" (HTTP 409)\n"
    "  --            end of options (a VALUE that starts with '-')\n"
    "\n"
    "PATH is relative (segments of [A-Za-z0-9._-] separated by '/'; no segment may start with\n"
    "'.quorum-tmp.'; a file cannot also be a directory of another file). Content is at most\n"
    "1048576 bytes (HTTP 413 above). A set is answered once committed; reads are linearizable:\n"
    "served by the leader after it confirmed its leadership.\n";

constexpr const char* kStatusHelp =
    "usage: quorumctl status\n"
    "\n"
    "Prints the addressed controller's own view: role, term, leader, commit and applied index.\n"
    "Never redirected.\n";

struct Globals {
  ClientOptions client;
  bool json = false;
};

int fail(const std::string& message) {
  std::string line = message;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  std::fprintf(stderr, "quorumctl: %s\n", line.c_str());
  return 1;
}

int usage(const std::string& message, const char* help) {
  std::fprintf(stderr, "quorumctl: %s\n%s", message.c_str(), help);
  return kExitUsage;
}

template <typename M>
bool parse_json(const std::string& body, M* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  return google::protobuf::util::JsonStringToMessage(body, message, options).ok();
}

// The error line of a non-2xx reply.
int fail_reply(const HttpReply& reply) {
  api::Error error;
  if (parse_json(reply.body, &error) && !error.error().empty()) {
    return fail(error.error() + " (HTTP " + std::to_string(reply.status) + " from " + reply.served_by + ")");
  }
  return fail("HTTP " + std::to_string(reply.status) + " from " + reply.served_by + ": " + reply.body);
}

// Sends, reports errors, returns the reply when 2xx.
bool call(const Globals& globals, const std::string& method, const std::string& target,
          const std::string& body, HttpReply* reply, int* exit_code) {
  Result<HttpReply> result = http_request(globals.client, method, target, body);
  if (!result) {
    *exit_code = fail(result.error().message());
    return false;
  }
  *reply = std::move(*result);
  if (reply->status < 200 || reply->status >= 300) {
    *exit_code = fail_reply(*reply);
    return false;
  }
  return true;
}

std::string url_encode_path(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : path) {
    if (std::isalnum(c) != 0 || c == '/' || c == '.' || c == '_' || c == '-') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

char role_letter(const std::string& role);

// l leader, f follower (c candidate, p pre-candidate in the no-leader view), - not online.
char state_letter(const api::Controller& row) {
  if (row.host_status() != "online") return '-';
  return role_letter(row.role());
}

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

void print_table(const api::ControllerList& list, const std::vector<std::string>& filter,
                 bool header, bool footer) {
  std::vector<std::vector<std::string>> rows;
  for (const api::Controller& c : list.controllers()) {
    if (!filter.empty() && std::find(filter.begin(), filter.end(), c.hostname()) == filter.end()) continue;
    rows.push_back({std::string(1, state_letter(c)), or_dash(c.version()),
                    or_dash(c.owner_user_name()), or_dash(c.owner_group_name()), c.hostname(),
                    c.ip().empty() ? "-" : c.ip(), std::to_string(c.port()),
                    c.message().empty() ? "-" : c.message()});
  }
  const std::vector<std::string> titles = {"S", "VERSION", "OWNER", "GROUP", "NAME", "IP", "PORT", "COMMENT"};
  std::vector<std::size_t> widths(titles.size());
  for (std::size_t i = 0; i < titles.size(); ++i) widths[i] = titles[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 1, ' ');
    }
    std::printf("%s\n", line.c_str());
  };
  if (header && !rows.empty()) print_row(titles);
  for (const auto& row : rows) print_row(row);
  if (footer) std::printf("Total: %zu controller(s)\n", rows.size());
}

// The "error" text of a non-2xx reply (its body if it is not an api::Error).
std::string reply_error_text(const HttpReply& reply) {
  api::Error error;
  if (parse_json(reply.body, &error) && !error.error().empty()) return error.error();
  return reply.body;
}

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// One controller of the no-leader JSON: {"nodeId":"1","name":"ctl1","reachable":..,"status":..}.
std::string fmt_json_row(std::uint64_t id, const std::string& name, const std::string& status_json) {
  return "{\"nodeId\":\"" + std::to_string(id) + "\",\"name\":" + json_quote(name) +
         ",\"reachable\":" + (status_json.empty() ? "false" : "true") +
         (status_json.empty() ? "" : ",\"status\":" + status_json) + "}";
}

// One node's own view (GET /v1/status on that node only, never redirected); nullopt with
// *error set when it does not answer.
std::optional<api::Status> node_status(const Globals& globals, const std::string& address,
                                       std::string* error) {
  ClientOptions direct = globals.client;
  direct.hosts = {address};
  direct.wait_for_leader = std::chrono::milliseconds(0);
  direct.io_timeout = std::min(direct.io_timeout, std::chrono::milliseconds(1000));
  Result<HttpReply> reply = http_request(direct, "GET", "/v1/status", "");
  api::Status status;
  if (!reply) {
    *error = reply.error().message();
  } else if (reply->status != 200 || !parse_json(reply->body, &status)) {
    *error = "HTTP " + std::to_string(reply->status) + " from " + reply->served_by;
  } else {
    return status;
  }
  return std::nullopt;
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

// The API address of a controller row: its URL as the status of any node names it.
std::string row_address(const api::Controller& row, const std::map<std::uint64_t, std::string>& urls) {
  auto it = urls.find(row.node_id());
  if (it != urls.end() && !it->second.empty()) return it->second;
  if (row.http_port() == 0) return "";
  return row.ip() + ":" + std::to_string(row.http_port());
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

char role_letter(const std::string& role) {
  if (role == "leader") return 'l';
  if (role == "follower") return 'f';
  if (role == "candidate") return 'c';
  if (role == "pre-candidate") return 'p';
  return '?';
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
    print_table(list, filter, header, footer);
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

int run_controller(const Globals& globals, const std::vector<std::string>& args) {
  bool list = false, long_format = false, transfer = false, step_down = false;
  bool header = true, footer = true;
  std::string to;
  std::vector<std::string> names;
  std::optional<double> watch_seconds;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s", kControllerHelp);
      return 0;
    }
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
  if (int(list) + int(transfer) + int(step_down) != 1) {
    return usage("controller needs exactly one of --list, --transfer-leader, --step-down", kControllerHelp);
  }
  if (!to.empty() && !transfer) return usage("--to goes with --transfer-leader", kControllerHelp);
  if (watch_seconds && !list) return usage("--watch goes with --list", kControllerHelp);
  if (list && watch_seconds) return watch_list(globals, long_format, header, footer, names, *watch_seconds);
  if (list) return controller_list(globals, long_format, header, footer, names);
  return controller_action(globals, transfer, to);
}

struct SetArgs {
  std::string path;
  std::string content;
  enum class Wait : std::uint8_t { kNone, kLeader, kAll } wait = Wait::kNone;
  std::optional<std::uint64_t> if_version;
};

bool parse_u64(const std::string& text, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// config set PATH (VALUE | --file FILE) [--wait[=all|leader]] [--if-version N] [--]. Returns
// 0, or the usage exit code after printing the reason.
int parse_set(const std::vector<std::string>& args, SetArgs* out) {
  std::vector<std::string> positional;
  std::optional<std::string> file;
  bool options_done = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.rfind("--", 0) != 0) {
      positional.push_back(a);
    } else if (a == "--") {
      options_done = true;
    } else if (a == "--file") {
      if (i + 1 >= args.size()) {
        return usage("config set: --file needs a file name ('-' reads stdin)", kConfigHelp);
      }
      file = args[++i];
    } else if (a.rfind("--file=", 0) == 0) {
      file = a.substr(7);
      if (file->empty()) return usage("config set: --file needs a file name ('-' reads stdin)", kConfigHelp);
    } else if (a == "--wait" || a == "--wait=leader") {
      out->wait = SetArgs::Wait::kLeader;
    } else if (a == "--wait=all") {
      out->wait = SetArgs::Wait::kAll;
    } else if (a == "--if-version" || a.rfind("--if-version=", 0) == 0) {
      std::string text;
      if (a == "--if-version") {
        if (i + 1 >= args.size()) return usage("config set: --if-version needs a version number", kConfigHelp);
        text = args[++i];
      } else {
        text = a.substr(13);
      }
      std::uint64_t version = 0;
      if (!parse_u64(text, &version)) {
        return usage("config set: --if-version takes a version number, not '" + text + "'", kConfigHelp);
      }
      out->if_version = version;
    } else {
      return usage("config set: unknown option '" + a + "' (use -- before a VALUE that starts with '-')",
                   kConfigHelp);
    }
  }
  const std::size_t want = file ? 1 : 2;
  if (positional.size() != want) {
    return usage(positional.empty() ? "config set: PATH missing"
                 : file               ? "config set PATH --file FILE takes no VALUE"
                 : positional.size() == 1 ? "config set: VALUE missing (or --file FILE)"
                                          : "config set: too many arguments",
                 kConfigHelp);
  }
  out->path = positional[0];
  if (!file) {
    out->content = positional[1];
  } else if (*file == "-") {
    out->content.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(*file, std::ios::binary);
    if (!in) return fail("cannot read " + *file);
    out->content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return 0;
}

// Where `path` at `version` stands on one node: "" materialised, otherwise why not (and
// *final when waiting longer cannot change it: the node reported an error for the path after
// syncing a map that holds the version).
std::string materialised_on(const Globals& globals, const std::string& address, const std::string& path,
                            std::uint64_t version, bool* final) {
  std::string error;
  std::optional<api::Status> status = node_status(globals, address, &error);
  if (!status) return "not reachable: " + error;
  for (const api::ConfigDirError& e : status->config_dir_errors()) {
    if (e.path() == path && status->config_synced_index() >= version) {
      *final = true;
      return e.error();
    }
  }
  if (status->config_synced_index() >= version) return "";
  std::string why = "config_dir holds the replicated map up to index " +
                    std::to_string(status->config_synced_index()) + " only (version " +
                    std::to_string(version) + " not yet written)";
  for (const api::ConfigDirError& e : status->config_dir_errors()) {
    if (e.path().empty()) why += ": " + e.error();
  }
  return why;
}

struct WaitTarget {
  std::string name;
  std::string address;
};

// Polls every target until `path` at `version` is in its config_dir, or the timeout. Prints one
// line per target where it is not; returns the names where it is.
bool wait_materialised(const Globals& globals, std::vector<WaitTarget> targets, const std::string& path,
                       std::uint64_t version, std::vector<std::string>* done) {
  const auto deadline = std::chrono::steady_clock::now() + globals.client.wait_for_leader;
  std::map<std::string, std::string> pending;
  for (const WaitTarget& t : targets) pending[t.name] = "not checked yet";
  while (true) {
    for (const WaitTarget& t : targets) {
      if (pending.count(t.name) == 0) continue;
      bool final = false;
      std::string why = materialised_on(globals, t.address, path, version, &final);
      if (why.empty()) {
        pending.erase(t.name);
        done->push_back(t.name);
      } else {
        pending[t.name] = why;
        if (final) pending[t.name] = "cannot write it: " + why;
      }
    }
    bool all_final = true;
    for (const auto& [name, why] : pending) all_final = all_final && why.rfind("cannot write it: ", 0) == 0;
    if (pending.empty() || all_final || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const auto& [name, why] : pending) {
    std::fprintf(stderr, "quorumctl: %s: version %llu not in config_dir of %s: %s\n", path.c_str(),
                 static_cast<unsigned long long>(version), name.c_str(), why.c_str());
  }
  return pending.empty();
}

constexpr int kExitNotMaterialised = 2;

// --wait: the leader (that answered the write); --wait=all: every controller the leader sees
// online. A controller it does not see is named and not waited for.
int wait_after_set(const Globals& globals, const SetArgs& set, const HttpReply& reply,
                   std::uint64_t version) {
  std::vector<WaitTarget> targets;
  std::string error;
  std::optional<api::Status> leader = node_status(globals, reply.served_by, &error);
  if (!leader) return fail("written (version " + std::to_string(version) + "), but the leader " +
                           reply.served_by + " no longer answers: " + error);
  if (set.wait == SetArgs::Wait::kLeader) {
    targets.push_back({leader->name(), reply.served_by});
  } else {
    Globals direct = globals;
    direct.client.hosts = {reply.served_by};
    HttpReply table;
    int exit_code = 0;
    if (!call(direct, "GET", "/v1/controllers", "", &table, &exit_code)) return exit_code;
    api::ControllerList list;
    (void)parse_json(table.body, &list);
    std::map<std::uint64_t, std::string> urls;
    for (const api::Peer& peer : leader->peers()) urls[peer.node_id()] = peer.api_url();
    for (const api::Controller& row : list.controllers()) {
      const std::string address = row_address(row, urls);
      if (row.host_status() != "online" || address.empty()) {
        std::fprintf(stderr, "quorumctl: %s: not waiting for %s: %s\n", set.path.c_str(),
                     row.hostname().c_str(), or_dash(row.message()).c_str());
        continue;
      }
      targets.push_back({row.hostname(), row.node_id() == leader->node_id() ? reply.served_by : address});
    }
  }
  std::vector<std::string> done;
  const bool ok = wait_materialised(globals, targets, set.path, version, &done);
  std::string names;
  for (const std::string& name : done) names += (names.empty() ? "" : ", ") + name;
  std::printf("%s: version %llu%s\n", set.path.c_str(), static_cast<unsigned long long>(version),
              names.empty() ? "" : (" (in config_dir on " + names + ")").c_str());
  return ok ? 0 : kExitNotMaterialised;
}

int config_set(const Globals& globals, const std::vector<std::string>& args) {
  SetArgs set;
  if (int code = parse_set(args, &set); code != 0) return code;
  std::string target = "/v1/config/" + url_encode_path(set.path);
  if (set.if_version) target += "?if_version=" + std::to_string(*set.if_version);
  HttpReply reply;
  int exit_code = 0;
  if (!call(globals, "PUT", target, set.content, &reply, &exit_code)) return exit_code;
  api::WriteResult result;
  const bool parsed = parse_json(reply.body, &result);
  if (set.wait != SetArgs::Wait::kNone && parsed) {
    if (globals.json) std::printf("%s", reply.body.c_str());
    return wait_after_set(globals, set, reply, result.version());
  }
  if (globals.json || !parsed) {
    std::printf("%s", reply.body.c_str());
  } else {
    std::printf("%s: version %llu\n", result.path().c_str(),
                static_cast<unsigned long long>(result.version()));
  }
  return 0;
}

// A temporary file holding `content`; "" on failure.
std::string temp_file(const std::string& content, const std::string& suffix) {
  const char* dir = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe)
  std::string pattern = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/quorumctl-edit-XXXXXX" + suffix;
  const int fd = ::mkstemps(pattern.data(), static_cast<int>(suffix.size()));
  if (fd < 0) return "";
  const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  return ok ? pattern : "";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// config edit PATH: read (version V, or a new file), $VISUAL/$EDITOR, diff, PUT ?if_version=V.
// A concurrent change makes the write fail with "version mismatch"; the edit is kept.
int config_edit(const Globals& globals, const std::vector<std::string>& args) {
  if (args.size() != 2) return usage("config edit PATH", kConfigHelp);
  const std::string& path = args[1];
  Result<HttpReply> read = http_request(globals.client, "GET", "/v1/config/" + url_encode_path(path), "");
  if (!read) return fail(read.error().message());
  api::ConfigFile file;
  if (read->status == 200) {
    if (!parse_json(read->body, &file)) return fail("unreadable reply from " + read->served_by);
  } else if (read->status != 404) {
    return fail_reply(*read);
  }
  const std::string suffix = "." + path.substr(path.rfind('/') + 1);
  const std::string original = temp_file(file.content(), suffix);
  const std::string edited = temp_file(file.content(), suffix);
  if (original.empty() || edited.empty()) return fail("cannot create a temporary file");
  const char* visual = std::getenv("VISUAL");  // NOLINT(concurrency-mt-unsafe)
  const char* editor = std::getenv("EDITOR");  // NOLINT(concurrency-mt-unsafe)
  const std::string program = visual != nullptr && *visual != '\0' ? visual
                              : editor != nullptr && *editor != '\0' ? editor
                                                                      : "vi";
  const int rc = std::system((program + " " + shell_quote(edited)).c_str());  // NOLINT(concurrency-mt-unsafe)
  std::remove(original.c_str());
  if (rc != 0) {
    std::remove(edited.c_str());
    return fail("the editor (" + program + ") failed (status " + std::to_string(rc) + "); nothing written");
  }
  const std::string content = slurp(edited);
  if (content == file.content()) {
    std::remove(edited.c_str());
    std::printf("%s: no change\n", path.c_str());
    return 0;
  }
  const std::string before = temp_file(file.content(), suffix);
  std::fflush(stdout);
  (void)std::system(("diff -u --label " + shell_quote(path + " (version " + std::to_string(file.version()) + ")") +  // NOLINT
                     " --label " + shell_quote(path + " (edited)") + " " + shell_quote(before) + " " +
                     shell_quote(edited))
                        .c_str());
  std::remove(before.c_str());
  HttpReply reply;
  int exit_code = 0;
  const std::string target = "/v1/config/" + url_encode_path(path) + "?if_version=" + std::to_string(file.version());
  if (!call(globals, "PUT", target, content, &reply, &exit_code)) {
    std::fprintf(stderr, "quorumctl: %s: nothing written; your edit is kept in %s\n", path.c_str(), edited.c_str());
    return exit_code;
  }
  std::remove(edited.c_str());
  api::WriteResult result;
  if (globals.json || !parse_json(reply.body, &result)) {
    std::printf("%s", reply.body.c_str());
  } else {
    std::printf("%s: version %llu\n", path.c_str(), static_cast<unsigned long long>(result.version()));
  }
  return 0;
}

int run_config(const Globals& globals, const std::vector<std::string>& args) {
  if (args.empty()) return usage("config needs a subcommand", kConfigHelp);
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::printf("%s", kConfigHelp);
      return 0;
    }
  }
  const std::string& sub = args[0];
  HttpReply reply;
  int exit_code = 0;
  if (sub == "set") return config_set(globals, args);
  if (sub == "edit") return config_edit(globals, args);
  if (sub == "get" || sub == "delete") {
    if (args.size() != 2) return usage("config " + sub + " PATH", kConfigHelp);
    // get: the raw bytes (byte-exact; JSON carries them base64 with --output json).
    const std::string target = "/v1/config/" + url_encode_path(args[1]) +
                               (sub == "get" && !globals.json ? "?raw=true" : "");
    if (!call(globals, sub == "get" ? "GET" : "DELETE", target, "", &reply, &exit_code)) {
      return exit_code;
    }
    api::WriteResult result;
    if (globals.json) {
      std::printf("%s", reply.body.c_str());
    } else if (sub == "get") {
      if (std::fwrite(reply.body.data(), 1, reply.body.size(), stdout) != reply.body.size()) {
        return fail("cannot write to stdout");
      }
    } else if (sub == "delete" && parse_json(reply.body, &result)) {
      std::printf("%s: deleted\n", args[1].c_str());
    }
    return 0;
  }
  if (sub == "list") {
    if (args.size() != 1) return usage("config list takes no argument", kConfigHelp);
    if (!call(globals, "GET", "/v1/config", "", &reply, &exit_code)) return exit_code;
    api::ConfigList list;
    if (globals.json || !parse_json(reply.body, &list)) {
      std::printf("%s", reply.body.c_str());
      return 0;
    }
    for (const api::ConfigFile& f : list.files()) {
      std::printf("%8llu  %s\n", static_cast<unsigned long long>(f.version()), f.path().c_str());
    }
    std::printf("Total: %d file(s)\n", list.files_size());
    return 0;
  }
  return usage("unknown config subcommand '" + sub + "'", kConfigHelp);
}

int run_status(const Globals& globals, const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::printf("%s", kStatusHelp);
      return 0;
    }
    return usage("status takes no argument", kStatusHelp);
  }
  HttpReply reply;
  int exit_code = 0;
  if (!call(globals, "GET", "/v1/status", "", &reply, &exit_code)) return exit_code;
  api::Status s;
  if (globals.json || !parse_json(reply.body, &s)) {
    std::printf("%s", reply.body.c_str());
    return 0;
  }
  std::printf("name:          %s (node %llu)\nrole:          %s\nterm:          %llu\n"
              "leader:        %s\ncommit index:  %llu\napplied index: %llu\nconfig files:  %llu\n"
              "version:       %s\ncluster:       %s\n",
              s.name().c_str(), static_cast<unsigned long long>(s.node_id()), s.role().c_str(),
              static_cast<unsigned long long>(s.term()),
              s.leader_id() == 0 ? "(none)" : s.leader_name().c_str(),
              static_cast<unsigned long long>(s.commit_index()),
              static_cast<unsigned long long>(s.applied_index()),
              static_cast<unsigned long long>(s.config_files()),
              s.version().c_str(), s.cluster_id().c_str());
  if (s.last_leader_contact_ms_ago() >= 0) {
    std::printf("leader contact: %lld ms ago\n", static_cast<long long>(s.last_leader_contact_ms_ago()));
  }
  std::printf("config synced: index %llu\n", static_cast<unsigned long long>(s.config_synced_index()));
  for (const api::ConfigDirError& e : s.config_dir_errors()) {
    std::printf("config_dir error: %s%s%s\n", e.path().c_str(), e.path().empty() ? "" : ": ", e.error().c_str());
  }
  for (const std::string& path : s.unmanaged_files()) std::printf("unmanaged file: %s\n", path.c_str());
  // A node that cannot materialise a replicated file is not healthy: say so in the exit code.
  return s.config_dir_errors_size() > 0 ? 1 : 0;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int run(int argc, char** argv) {
  Globals globals;
  const char* env = std::getenv("QUORUM_CONTROLLER");  // NOLINT(concurrency-mt-unsafe)
  std::vector<std::string> rest;
  std::string command;
  ClientTls tls;
  auto from_env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    return v != nullptr ? v : "";
  };
  tls.ca_file = from_env("QUORUM_CACERT");
  tls.cert_file = from_env("QUORUM_CERT");
  tls.key_file = from_env("QUORUM_KEY");
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    // Only called once the check below made sure a value follows (or is given with '=').
    auto value = [&](const std::string& name) -> std::string {
      if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
      return i + 1 < argc ? argv[++i] : "";
    };
    if (command.empty() && a == "--version") {
      std::printf("quorumctl %s\n", kClientVersion);
      return 0;
    }
    const bool takes_value = a == "--host" || a == "--output" || a == "-o" || a == "--timeout" ||
                             a == "--cacert" || a == "--cert" || a == "--key";
    if (takes_value && i + 1 >= argc) return usage(a + " needs a value", kMainHelp);
    if (a == "--host" || a.rfind("--host=", 0) == 0) {
      for (const std::string& h : split_commas(value("--host"))) globals.client.hosts.push_back(h);
    } else if (a == "--output" || a.rfind("--output=", 0) == 0 || a == "-o") {
      const std::string format = a == "-o" ? value("-o") : value("--output");
      if (format != "json" && format != "text") return usage("--output is text or json", kMainHelp);
      globals.json = format == "json";
    } else if (a == "--timeout" || a.rfind("--timeout=", 0) == 0) {
      const std::string seconds = value("--timeout");
      char* end = nullptr;
      const double s = std::strtod(seconds.c_str(), &end);
      if (seconds.empty() || *end != '\0' || s < 0) return usage("--timeout takes seconds", kMainHelp);
      globals.client.wait_for_leader = std::chrono::milliseconds(static_cast<long>(s * 1000));
    } else if (a == "--cacert" || a.rfind("--cacert=", 0) == 0) {
      tls.ca_file = value("--cacert");
    } else if (a == "--cert" || a.rfind("--cert=", 0) == 0) {
      tls.cert_file = value("--cert");
    } else if (a == "--key" || a.rfind("--key=", 0) == 0) {
      tls.key_file = value("--key");
    } else if (command.empty() && (a == "--help" || a == "-h")) {
      std::printf("%s", kMainHelp);
      return 0;
    } else if (command.empty() && a.rfind("-", 0) != 0) {
      command = a;
    } else if (command.empty()) {
      return usage("unknown option '" + a + "'", kMainHelp);
    } else {
      rest.push_back(a);
    }
  }
  if (globals.client.hosts.empty()) {
    globals.client.hosts = split_commas(env != nullptr ? env : "127.0.0.1:9580");
  }
  if (!tls.ca_file.empty()) {
    globals.client.tls = tls;
  } else if (!tls.cert_file.empty() || !tls.key_file.empty()) {
    return usage("--cert/--key need --cacert (the CA that signed the controllers)", kMainHelp);
  }
  if (command == "controller") return run_controller(globals, rest);
  if (command == "config") return run_config(globals, rest);
  if (command == "status") return run_status(globals, rest);
  if (command.empty()) return usage("no command given", kMainHelp);
  return usage("unknown command '" + command + "'", kMainHelp);
}

}  // namespace
}  // namespace quorum::quorumctl

int main(int argc, char** argv) { return quorum::quorumctl::run(argc, argv); }
