// quorumctl config: get, set [--wait[=all]] [--if-version N], edit, delete, list. Tools layer.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tools/quorumctl/cli_common.h"

namespace quorum::quorumctl {
namespace {

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

struct SetArgs {
  std::string path;
  std::string content;
  enum class Wait : std::uint8_t { kNone, kLeader, kAll } wait = Wait::kNone;
  std::optional<std::uint64_t> if_version;
};

// config set PATH (VALUE | --file FILE) [--wait[=all|leader]] [--if-version N] [--]. Returns
// 0, or the usage exit code after printing the reason. Not inlined: GCC 12 at -O2 then reports a
// false -Wfree-nonheap-object on the local vector's destructor inside config_set.
[[gnu::noinline]] int parse_set(const std::vector<std::string>& args, SetArgs* out) {
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

}  // namespace

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

}  // namespace quorum::quorumctl
