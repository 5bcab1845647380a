// quorumctl status: the addressed controller's own view. Tools layer.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/quorumctl/cli_common.h"

namespace quorum::quorumctl {
namespace {

constexpr const char* kStatusHelp =
    "usage: quorumctl status\n"
    "\n"
    "Prints the addressed controller's own view: role, term, leader, commit and applied index.\n"
    "Never redirected.\n";

}  // namespace

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

}  // namespace quorum::quorumctl
