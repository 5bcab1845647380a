// quorumctl's controller-pool commands (the API of tools/quorumd/api_pool.h):
//   cluster --list [--long] | --add NAME | --remove C | --move C --to N | --pin C --to N | --unpin C
//   controller --register N | --deregister N | --drain N | --undrain N | --weight W N
//   standby --promote N [--force]
// Tools layer.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tools/quorumctl/cli_common.h"

namespace quorum::quorumctl {
namespace {

constexpr const char* kClusterHelp =
    "usage: quorumctl cluster --list [--long] [--no-header] [--batch] [ID|NAME...]\n"
    "       quorumctl cluster --add NAME [--id N] [--tags KEY=VALUE,...] [--no-auto-recovery]\n"
    "       quorumctl cluster --remove ID|NAME\n"
    "       quorumctl cluster --move ID|NAME --to CONTROLLER\n"
    "       quorumctl cluster --pin ID|NAME --to CONTROLLER\n"
    "       quorumctl cluster --unpin ID|NAME\n"
    "\n"
    "The managed database clusters of the controller pool and which controller owns each.\n"
    "--list     ID NAME OWNER; with --long the table ID NAME OWNER EPOCH LEASE-LEFT STATE TAGS:\n"
    "           EPOCH is the fencing epoch (the log index of the grant), LEASE-LEFT how long the\n"
    "           owner's session runs if it is not heard again (the leader's view; the owner's\n"
    "           own end is at or before it), STATE owned, handing-over:NEXT or unowned (plus\n"
    "           ,pinned:CONTROLLER). Served by the leader (linearizable). ID|NAME filter rows.\n"
    "--add      a new cluster; the leader picks the next free id unless --id; site=S in --tags\n"
    "           places it on a controller tagged site=S while one is alive. The leader's\n"
    "           driver grants it to a controller by weight within a plan interval.\n"
    "--remove   the cluster leaves the pool: its owner stops acting on it.\n"
    "--move     hands the cluster over to CONTROLLER: the owner releases it, then CONTROLLER\n"
    "           is granted it (never both allowed to act); waits up to --timeout until\n"
    "           CONTROLLER owns it. The policy may rebalance it later: --pin keeps it there.\n"
    "--pin      the cluster goes to CONTROLLER and stays while CONTROLLER is alive and active.\n"
    "--unpin    the policy places it again.\n"
    "Exit status: 0 done, 1 refused (the reason on stderr) or failed, 64 usage error.\n";

constexpr const char* kStandbyHelp =
    "usage: quorumctl standby --promote NAME [--force]\n"
    "\n"
    "Makes the standby controller NAME an active one (auto-recovery on): it may then own\n"
    "clusters. The leader judges it first and refuses, with the reason (HTTP 409), unless:\n"
    "  the leader holds its lease and has committed an entry of its term (else retry);\n"
    "  NAME is a registered standby, reachable (heard by the leader within the alive window),\n"
    "  healthy (its database backend is not reported unfit) and caught up with the log;\n"
    "  no active controller is reachable and healthy, unless --force.\n"
    "--force    overrides only the last rule (the active side is known to be useless although\n"
    "           the leader still hears it). Safe either way: the promoted controller gets\n"
    "           clusters only by the leader's grants and takeovers, which wait out the old\n"
    "           owners' leases, so the old side's may-act says no before the new side's says yes.\n"
    "Exit status: 0 promoted, 1 refused or failed (the reason on stderr), 64 usage error.\n";

// The pool's share of `controller --help` (cmd_controller.cc prints it after its own).
constexpr const char* kControllerPoolHelp =
    "\n"
    "The pool (the controllers that own managed clusters; quorumctl cluster --help):\n"
    "       quorumctl controller --register NAME [--weight W] [--tags KEY=VALUE,...] [--standby]\n"
    "       quorumctl controller --deregister NAME | --drain NAME | --undrain NAME\n"
    "       quorumctl controller --weight W NAME\n"
    "--register   NAME (a member of peers) joins the pool; a started quorumd registers itself\n"
    "             (pool_register = on) with its controller_* keys, so this is rarely needed.\n"
    "--deregister NAME leaves the pool; refused while it owns a cluster (drain it first).\n"
    "             A running quorumd registers itself again only when restarted.\n"
    "--drain      NAME hands every cluster it owns to the others without a gap and gets no\n"
    "             new one; --undrain makes it a receiver again.\n"
    "--weight     W (1 to 10000): NAME's capacity; clusters are balanced in proportion.\n"
    "With --long, the table gains POOL (role/state in the pool, - if not registered) and OWNED\n"
    "(clusters owned) once any controller is registered.\n";

// One path segment: everything but unreserved characters percent-encoded ('/' included).
std::string segment(const std::string& text) { return percent_encode(text, "._-~"); }

// The option's value: "--to X" or "--to=X"; nullopt (after a usage line) if missing.
std::optional<std::string> option_value(const std::vector<std::string>& args, std::size_t* i,
                                        const std::string& name, const char* help, int* code) {
  const std::string& a = args[*i];
  std::string value;
  if (a == name) {
    if (*i + 1 >= args.size() || args[*i + 1].rfind("--", 0) == 0) {
      *code = usage(name + " needs a value", help);
      return std::nullopt;
    }
    value = args[++*i];
  } else {
    value = a.substr(name.size() + 1);
  }
  if (value.empty()) {
    *code = usage(name + " needs a value", help);
    return std::nullopt;
  }
  return value;
}

bool is_option(const std::string& a, const std::string& name) {
  return a == name || a.rfind(name + "=", 0) == 0;
}

// "site=A,rack=3" -> a JSON object; false if an item is not KEY=VALUE.
bool tags_json(const std::string& text, std::string* out) {
  std::string json = "{";
  for (const std::string& item : split_commas(text)) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) return false;
    if (json.size() > 1) json += ",";
    json += json_quote(item.substr(0, eq)) + ":" + json_quote(item.substr(eq + 1));
  }
  *out = json + "}";
  return true;
}

std::string tags_text(const google::protobuf::Map<std::string, std::string>& tags) {
  std::vector<std::string> items;
  for (const auto& [key, value] : tags) items.push_back(key + "=" + value);
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "-" : out;
}

std::string lease_text(const api::PoolCluster& c) {
  if (!c.has_lease_left_ms()) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), "%.1fs", static_cast<double>(c.lease_left_ms()) / 1000.0);
  return text;
}

std::string state_text(const api::PoolCluster& c) {
  std::string text = c.state();
  if (c.state() == "handing-over") text += ":" + or_dash(c.handover_to_name());
  if (c.pinned_to_id() != 0) text += ",pinned:" + c.pinned_to_name();
  return text;
}

void print_rows(const std::vector<std::vector<std::string>>& rows, bool header) {
  std::vector<std::size_t> widths(rows.empty() ? 0 : rows[0].size());
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (std::size_t r = header ? 0 : 1; r < rows.size(); ++r) {
    std::string line;
    for (std::size_t i = 0; i < rows[r].size(); ++i) {
      line += rows[r][i];
      if (i + 1 < rows[r].size()) line += std::string(widths[i] - rows[r][i].size() + 1, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

int cluster_list(const Globals& globals, bool long_format, bool header, bool footer,
                 const std::vector<std::string>& filter) {
  HttpReply reply;
  int exit_code = 0;
  if (!call(globals, "GET", "/v1/ownership/clusters", "", &reply, &exit_code)) return exit_code;
  if (globals.json) {
    std::printf("%s", reply.body.c_str());
    return 0;
  }
  api::PoolClusterList list;
  if (!parse_json(reply.body, &list)) return fail("unreadable reply from " + reply.served_by);
  std::vector<std::vector<std::string>> rows;
  if (long_format) {
    rows.push_back({"ID", "NAME", "OWNER", "EPOCH", "LEASE-LEFT", "STATE", "TAGS"});
  } else {
    rows.push_back({"ID", "NAME", "OWNER"});
  }
  for (const api::PoolCluster& c : list.clusters()) {
    const std::string id = std::to_string(c.cluster_id());
    if (!filter.empty() && std::find(filter.begin(), filter.end(), id) == filter.end() &&
        std::find(filter.begin(), filter.end(), c.name()) == filter.end()) {
      continue;
    }
    if (long_format) {
      rows.push_back({id, c.name(), or_dash(c.owner_name()), c.epoch() == 0 ? "-" : std::to_string(c.epoch()),
                      lease_text(c), state_text(c), tags_text(c.tags())});
    } else {
      rows.push_back({id, c.name(), or_dash(c.owner_name())});
    }
  }
  if (rows.size() > 1 || header) print_rows(rows, header);
  if (footer) std::printf("Total: %zu cluster(s)\n", rows.size() - 1);
  return 0;
}

// Answers of a mutation: the API's JSON with --output json, else `line`.
int print_write(const Globals& globals, const HttpReply& reply, const std::string& line) {
  if (globals.json) {
    std::printf("%s", reply.body.c_str());
  } else {
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

std::optional<api::PoolCluster> find_row(const Globals& globals, const std::string& cluster) {
  Result<HttpReply> reply = http_request(globals.client, "GET", "/v1/ownership/clusters", "");
  api::PoolClusterList list;
  if (!reply || reply->status != 200 || !parse_json(reply->body, &list)) return std::nullopt;
  for (const api::PoolCluster& c : list.clusters()) {
    if (c.name() == cluster || std::to_string(c.cluster_id()) == cluster) return c;
  }
  return std::nullopt;
}

// After a move: until the target owns the cluster, or --timeout.
int wait_moved(const Globals& globals, const std::string& cluster, const std::string& to) {
  const auto deadline = std::chrono::steady_clock::now() + globals.client.wait_for_leader;
  std::optional<api::PoolCluster> row;
  while (true) {
    row = find_row(globals, cluster);
    if (row && row->state() == "owned" && (row->owner_name() == to || std::to_string(row->owner_id()) == to)) {
      if (!globals.json) {
        std::printf("%s: owned by %s (epoch %llu)\n", row->name().c_str(), row->owner_name().c_str(),
                    static_cast<unsigned long long>(row->epoch()));
      }
      return 0;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fail("the hand-over of " + cluster + " to " + to + " started, but it is not done within " +
              "the timeout (now: " + (row ? state_text(*row) + ", owner " + or_dash(row->owner_name()) : "unknown") +
              "); quorumctl cluster --list --long shows it");
}

struct ClusterArgs {
  std::string action;  // list, add, remove, move, pin, unpin
  bool long_format = false, header = true, footer = true, auto_recovery = true;
  std::optional<std::string> to, tags, id;
  std::vector<std::string> names;
};

// 0 once parsed; otherwise the exit status (help printed: -1).
int parse_cluster(const std::vector<std::string>& args, ClusterArgs* out) {
  int code = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string action;
    if (a == "--help" || a == "-h") {
      std::printf("%s", kClusterHelp);
      return -1;
    }
    if (a == "--list" || a == "--add" || a == "--remove" || a == "--move" || a == "--pin" || a == "--unpin") {
      action = a.substr(2);
    } else if (a == "--long" || a == "-l") {
      out->long_format = true;
    } else if (a == "--no-header") {
      out->header = false;
    } else if (a == "--batch") {
      out->header = out->footer = false;
    } else if (a == "--no-auto-recovery") {
      out->auto_recovery = false;
    } else if (is_option(a, "--to")) {
      if (!(out->to = option_value(args, &i, "--to", kClusterHelp, &code))) return code;
    } else if (is_option(a, "--tags")) {
      if (!(out->tags = option_value(args, &i, "--tags", kClusterHelp, &code))) return code;
    } else if (is_option(a, "--id")) {
      if (!(out->id = option_value(args, &i, "--id", kClusterHelp, &code))) return code;
    } else if (a.rfind("-", 0) == 0) {
      return usage("unknown cluster option '" + a + "'", kClusterHelp);
    } else {
      out->names.push_back(a);
    }
    if (!action.empty()) {
      if (!out->action.empty()) {
        return usage("cluster takes one of --list, --add, --remove, --move, --pin, --unpin", kClusterHelp);
      }
      out->action = action;
    }
  }
  const std::string& act = out->action;
  if (act.empty()) {
    return usage("cluster needs one of --list, --add, --remove, --move, --pin, --unpin", kClusterHelp);
  }
  const bool takes_to = act == "move" || act == "pin";
  if (takes_to && !out->to) return usage("cluster --" + act + " ID|NAME needs --to CONTROLLER", kClusterHelp);
  if (!takes_to && out->to) return usage("--to goes with --move or --pin", kClusterHelp);
  if ((out->tags || out->id || !out->auto_recovery) && act != "add") {
    return usage("--tags, --id and --no-auto-recovery go with --add", kClusterHelp);
  }
  if ((out->long_format || !out->header || !out->footer) && act != "list") {
    return usage("--long, --no-header and --batch go with --list", kClusterHelp);
  }
  std::uint64_t id = 0;
  if (out->id && (!parse_u64(*out->id, &id) || id == 0)) {
    return usage("--id takes a cluster id (1 or more), not '" + *out->id + "'", kClusterHelp);
  }
  if (act != "list" && out->names.size() != 1) {
    return usage(std::string("cluster --") + act + (act == "add" ? " NAME" : " ID|NAME") +
                     (takes_to ? " --to CONTROLLER" : "") + ": exactly one " +
                     (act == "add" ? "NAME" : "cluster"),
                 kClusterHelp);
  }
  return 0;
}

}  // namespace

int run_cluster(const Globals& globals, const std::vector<std::string>& args) {
  ClusterArgs parsed;
  if (int code = parse_cluster(args, &parsed); code != 0) return code < 0 ? 0 : code;
  if (parsed.action == "list") {
    return cluster_list(globals, parsed.long_format, parsed.header, parsed.footer, parsed.names);
  }
  const std::string& name = parsed.names[0];
  const std::string base = "/v1/ownership/clusters/" + segment(name);
  HttpReply reply;
  int exit_code = 0;
  api::PoolWriteResult result;
  if (parsed.action == "add") {
    std::string tags = "{}";
    if (parsed.tags && !tags_json(*parsed.tags, &tags)) {
      return usage("--tags takes KEY=VALUE,... (not '" + *parsed.tags + "')", kClusterHelp);
    }
    const std::string body = "{\"name\":" + json_quote(name) + ",\"tags\":" + tags +
                             (parsed.id ? ",\"clusterId\":\"" + *parsed.id + "\"" : "") +
                             ",\"autoRecovery\":" + (parsed.auto_recovery ? "true" : "false") + "}";
    if (!call(globals, "POST", "/v1/ownership/clusters", body, &reply, &exit_code)) return exit_code;
    (void)parse_json(reply.body, &result);
    return print_write(globals, reply, name + ": added (id " + std::to_string(result.cluster_id()) + ")");
  }
  if (parsed.action == "remove") {
    if (!call(globals, "DELETE", base, "", &reply, &exit_code)) return exit_code;
    return print_write(globals, reply, name + ": removed");
  }
  if (parsed.action == "unpin") {
    if (!call(globals, "POST", base + "/unpin", "", &reply, &exit_code)) return exit_code;
    return print_write(globals, reply, name + ": unpinned");
  }
  const std::string target = base + "/" + parsed.action + "?to=" + segment(*parsed.to);
  if (!call(globals, "POST", target, "", &reply, &exit_code)) return exit_code;
  if (parsed.action == "pin") return print_write(globals, reply, name + ": pinned to " + *parsed.to);
  (void)parse_json(reply.body, &result);
  if (globals.json) std::printf("%s", reply.body.c_str());
  if (result.result() != "applied") {  // "already owned by ..."
    if (!globals.json) std::printf("%s: %s\n", name.c_str(), result.result().c_str());
    return 0;
  }
  if (!globals.json) std::printf("%s: handing over to %s\n", name.c_str(), parsed.to->c_str());
  return wait_moved(globals, name, *parsed.to);
}

const char* controller_pool_help() { return kControllerPoolHelp; }

bool is_controller_pool_action(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--register" || a == "--deregister" || a == "--drain" || a == "--undrain" ||
        is_option(a, "--weight")) {
      return true;
    }
  }
  return false;
}

int run_controller_pool(const Globals& globals, const std::vector<std::string>& args,
                        const char* help) {
  std::string action;
  std::optional<std::string> weight, tags;
  bool standby = false;
  std::vector<std::string> names;
  int code = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--register" || a == "--deregister" || a == "--drain" || a == "--undrain") {
      if (!action.empty()) {
        return usage("controller takes one of --register, --deregister, --drain, --undrain, --weight", help);
      }
      action = a.substr(2);
    } else if (is_option(a, "--weight")) {
      if (!(weight = option_value(args, &i, "--weight", help, &code))) return code;
    } else if (is_option(a, "--tags")) {
      if (!(tags = option_value(args, &i, "--tags", help, &code))) return code;
    } else if (a == "--standby") {
      standby = true;
    } else if (a.rfind("-", 0) == 0) {
      return usage("'" + a + "' does not go with the pool actions of controller", help);
    } else {
      names.push_back(a);
    }
  }
  if (action.empty()) action = "weight";  // --weight W NAME
  if ((tags || standby) && action != "register") return usage("--tags and --standby go with --register", help);
  if (weight && action != "register" && action != "weight") return usage("--weight goes with --register", help);
  std::uint64_t w = 0;
  if (weight && (!parse_u64(*weight, &w) || w == 0 || w > 10'000)) {
    return usage("--weight takes 1 to 10000, not '" + *weight + "'", help);
  }
  if (names.size() != 1) return usage("controller --" + action + ": exactly one controller NAME", help);
  const std::string& name = names[0];
  HttpReply reply;
  int exit_code = 0;
  if (action == "register") {
    std::string tags_object = "{}";
    if (tags && !tags_json(*tags, &tags_object)) {
      return usage("--tags takes KEY=VALUE,... (not '" + *tags + "')", help);
    }
    const std::string body = "{\"name\":" + json_quote(name) + ",\"weight\":\"" + std::to_string(w) +
                             "\",\"tags\":" + tags_object + ",\"role\":\"" +
                             (standby ? "standby" : "active") + "\"}";
    if (!call(globals, "POST", "/v1/ownership/controllers", body, &reply, &exit_code)) return exit_code;
    return print_write(globals, reply, name + ": registered" + (standby ? " as a standby" : ""));
  }
  const std::string base = "/v1/ownership/controllers/" + segment(name);
  if (action == "deregister") {
    if (!call(globals, "DELETE", base, "", &reply, &exit_code)) return exit_code;
    return print_write(globals, reply, name + ": deregistered");
  }
  if (action == "weight") {
    if (!call(globals, "POST", base + "/weight?weight=" + std::to_string(w), "", &reply, &exit_code)) {
      return exit_code;
    }
    return print_write(globals, reply, name + ": weight " + std::to_string(w));
  }
  if (!call(globals, "POST", base + "/" + action, "", &reply, &exit_code)) return exit_code;
  return print_write(globals, reply, name + (action == "drain" ? ": draining" : ": active"));
}

int run_standby(const Globals& globals, const std::vector<std::string>& args) {
  bool promote = false, force = false;
  std::vector<std::string> names;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::printf("%s", kStandbyHelp);
      return 0;
    }
    if (a == "--promote") {
      promote = true;
    } else if (a == "--force") {
      force = true;
    } else if (a.rfind("-", 0) == 0) {
      return usage("unknown standby option '" + a + "'", kStandbyHelp);
    } else {
      names.push_back(a);
    }
  }
  if (!promote) return usage("standby needs --promote NAME", kStandbyHelp);
  if (names.size() != 1) return usage("standby --promote: exactly one controller NAME", kStandbyHelp);
  HttpReply reply;
  int exit_code = 0;
  const std::string target = "/v1/ownership/controllers/" + segment(names[0]) + "/promote" +
                             (force ? "?force=true" : "");
  if (!call(globals, "POST", target, "", &reply, &exit_code)) return exit_code;
  return print_write(globals, reply, names[0] + (force ? ": promoted (forced)" : ": promoted"));
}

// The pool columns of `controller --list --long`: POOL (role/state) and OWNED per node id;
// empty when nothing is registered (or the pool cannot be read).
std::map<std::uint64_t, std::pair<std::string, std::string>> pool_columns(const Globals& globals,
                                                                        const std::string& leader) {
  std::map<std::uint64_t, std::pair<std::string, std::string>> out;
  ClientOptions direct = globals.client;
  direct.hosts = {leader};
  direct.wait_for_leader = std::chrono::milliseconds(0);
  Result<HttpReply> reply = http_request(direct, "GET", "/v1/ownership/controllers", "");
  api::PoolControllerList list;
  if (!reply || reply->status != 200 || !parse_json(reply->body, &list)) return out;
  for (const api::PoolController& c : list.controllers()) {
    out[c.node_id()] = {c.role() + "/" + c.state(), std::to_string(c.owned())};
  }
  return out;
}

}  // namespace quorum::quorumctl
