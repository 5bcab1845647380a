// quorumctl: command-line client of quorumd (HTTP/JSON API, tools/quorumd/api.proto).
// Accepts any controller's address and follows redirects to the leader. Tools layer.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
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

constexpr const char* kMainHelp =
    "usage: quorumctl [--host HOST:PORT[,HOST:PORT...]] [--output text|json] [--timeout SEC]\n"
    "                 [--cacert FILE [--cert FILE --key FILE]] COMMAND [ARGS] [--help]\n"
    "\n"
    "commands:\n"
    "  controller --list [--long]             the controllers and their roles\n"
    "  controller --transfer-leader [--to NAME]  hand leadership to NAME (or the best node)\n"
    "  controller --step-down                 make the leader step down\n"
    "  config get PATH | set PATH VALUE | set PATH --file FILE | delete PATH | list\n"
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
    "Exit status: 0 success, 1 failure (one line on stderr), 64 usage error.\n";

constexpr const char* kControllerHelp =
    "usage: quorumctl controller --list [--long] [--no-header] [--batch] [NAME...]\n"
    "       quorumctl controller --transfer-leader [--to NAME]\n"
    "       quorumctl controller --step-down\n"
    "\n"
    "--list     controller names; with --long the table S VERSION OWNER GROUP NAME IP PORT\n"
    "           COMMENT, where S is l (leader), f (follower) or - (no acknowledgement of\n"
    "           the leader's heartbeats within an election timeout: COMMENT says for how long\n"
    "           and how many entries it is behind). NAME arguments filter rows. --no-header\n"
    "           drops the header, --batch the header and the Total line. Served by the leader.\n"
    "--transfer-leader  asks the leader to hand over to NAME (default: the most up-to-date\n"
    "           voter) and waits until a new leader is known.\n"
    "--step-down  the leader steps down and does not campaign for one election timeout.\n";

constexpr const char* kConfigHelp =
    "usage: quorumctl config get PATH       print the replicated content of PATH\n"
    "       quorumctl config set PATH VALUE  replicate VALUE as PATH (answered once committed)\n"
    "       quorumctl config set PATH --file FILE   (FILE '-' reads stdin)\n"
    "       quorumctl config delete PATH\n"
    "       quorumctl config list           every replicated file with its version\n"
    "\n"
    "PATH is relative (segments of [A-Za-z0-9._-] separated by '/'). Reads are linearizable:\n"
    "they are served by the leader after it confirmed its leadership.\n";

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

char state_letter(const api::Controller& row) {
  if (row.host_status() != "online") return '-';
  if (row.role() == "leader") return 'l';
  if (row.role() == "follower") return 'f';
  return '?';
}

void print_table(const api::ControllerList& list, const std::vector<std::string>& filter,
                 bool header, bool footer) {
  std::vector<std::vector<std::string>> rows;
  for (const api::Controller& c : list.controllers()) {
    if (!filter.empty() && std::find(filter.begin(), filter.end(), c.hostname()) == filter.end()) continue;
    rows.push_back({std::string(1, state_letter(c)), c.version().empty() ? "-" : c.version(),
                    c.owner_user_name(), c.owner_group_name(), c.hostname(),
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

int controller_list(const Globals& globals, bool long_format, bool header, bool footer,
                    const std::vector<std::string>& filter) {
  HttpReply reply;
  int exit_code = 0;
  if (!call(globals, "GET", "/v1/controllers", "", &reply, &exit_code)) return exit_code;
  if (globals.json) {
    std::printf("%s", reply.body.c_str());
    return 0;
  }
  api::ControllerList list;
  if (!parse_json(reply.body, &list)) return fail("unreadable reply from " + reply.served_by);
  if (long_format) {
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
  if (parse_json(before.body, &list)) {
    for (const api::Controller& c : list.controllers()) {
      if (c.role() == "leader") old_leader = c.hostname();
    }
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

int run_controller(const Globals& globals, const std::vector<std::string>& args) {
  bool list = false, long_format = false, transfer = false, step_down = false;
  bool header = true, footer = true;
  std::string to;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s", kControllerHelp);
      return 0;
    }
    if (a == "--list") list = true;
    else if (a == "--long" || a == "-l") long_format = true;
    else if (a == "--no-header") header = false;
    else if (a == "--batch") header = footer = false;
    else if (a == "--transfer-leader") transfer = true;
    else if (a == "--step-down") step_down = true;
    else if (a == "--to" && i + 1 < args.size()) to = args[++i];
    else if (a.rfind("--to=", 0) == 0) to = a.substr(5);
    else if (a.rfind("--", 0) == 0) return usage("unknown controller option '" + a + "'", kControllerHelp);
    else names.push_back(a);
  }
  if (int(list) + int(transfer) + int(step_down) != 1) {
    return usage("controller needs exactly one of --list, --transfer-leader, --step-down", kControllerHelp);
  }
  if (!to.empty() && !transfer) return usage("--to goes with --transfer-leader", kControllerHelp);
  if (list) return controller_list(globals, long_format, header, footer, names);
  return controller_action(globals, transfer, to);
}

int config_set(const Globals& globals, const std::vector<std::string>& args) {
  std::string content;
  if (args.size() == 4 && args[2] == "--file") {
    if (args[3] == "-") {
      content.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(args[3], std::ios::binary);
      if (!in) return fail("cannot read " + args[3]);
      content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  } else if (args.size() == 3) {
    content = args[2];
  } else {
    return usage("config set PATH VALUE | config set PATH --file FILE", kConfigHelp);
  }
  HttpReply reply;
  int exit_code = 0;
  if (!call(globals, "PUT", "/v1/config/" + url_encode_path(args[1]), content, &reply, &exit_code)) {
    return exit_code;
  }
  api::WriteResult result;
  if (globals.json || !parse_json(reply.body, &result)) {
    std::printf("%s", reply.body.c_str());
  } else {
    std::printf("%s: version %llu\n", result.path().c_str(),
                static_cast<unsigned long long>(result.version()));
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
  if (sub == "get" || sub == "delete") {
    if (args.size() != 2) return usage("config " + sub + " PATH", kConfigHelp);
    if (!call(globals, sub == "get" ? "GET" : "DELETE", "/v1/config/" + url_encode_path(args[1]), "",
              &reply, &exit_code)) {
      return exit_code;
    }
    api::ConfigFile file;
    api::WriteResult result;
    if (globals.json) {
      std::printf("%s", reply.body.c_str());
    } else if (sub == "get" && parse_json(reply.body, &file)) {
      std::printf("%s", file.content().c_str());
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
              "leader:        %s\ncommit index:  %llu\napplied index: %llu\nconfig files:  %u\n"
              "version:       %s\ncluster:       %s\n",
              s.name().c_str(), static_cast<unsigned long long>(s.node_id()), s.role().c_str(),
              static_cast<unsigned long long>(s.term()),
              s.leader_id() == 0 ? "(none)" : s.leader_name().c_str(),
              static_cast<unsigned long long>(s.commit_index()),
              static_cast<unsigned long long>(s.applied_index()), s.config_files(),
              s.version().c_str(), s.cluster_id().c_str());
  return 0;
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
    auto value = [&](const std::string& name) -> std::string {
      if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
      return i + 1 < argc ? argv[++i] : "";
    };
    if (a == "--host" || a.rfind("--host=", 0) == 0) {
      for (const std::string& h : split_commas(value("--host"))) globals.client.hosts.push_back(h);
    } else if (a == "--output" || a.rfind("--output=", 0) == 0) {
      const std::string format = value("--output");
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
