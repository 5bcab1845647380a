// quorumctl controller --history: the replicated leadership history (GET /v1/controllers/history),
// newest first. Tools layer.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/quorumctl/cli_common.h"

namespace quorum::quorumctl {
namespace {

void print_history(const api::LeaderHistory& history, bool header, bool footer) {
  const std::vector<std::string> titles = {"TIME", "TERM", "LEADER", "PREVIOUS", "REASON", "INDEX"};
  std::vector<std::vector<std::string>> rows;
  for (const api::LeaderChange& c : history.changes()) {
    rows.push_back({c.time(), std::to_string(c.term()), or_dash(c.leader()),
                    c.previous_leader().empty()
                        ? "-"
                        : c.previous_leader() + " (term " + std::to_string(c.previous_term()) + ")",
                    c.reason(), std::to_string(c.index())});
  }
  print_columns(titles, rows, header);
  if (footer) std::printf("Total: %zu leader change(s) recorded\n", rows.size());
}

}  // namespace

int controller_history(const Globals& globals, bool local, bool header, bool footer) {
  HttpReply reply;
  int exit_code = 0;
  const std::string target = std::string("/v1/controllers/history") + (local ? "?local=true" : "");
  if (!call(globals, "GET", target, "", &reply, &exit_code)) return exit_code;
  if (globals.json) {
    std::printf("%s", reply.body.c_str());
    return 0;
  }
  api::LeaderHistory history;
  if (!parse_json(reply.body, &history)) return fail("unreadable reply from " + reply.served_by);
  print_history(history, header, footer);
  return 0;
}

}  // namespace quorum::quorumctl
