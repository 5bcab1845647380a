// quorumctl run --cluster ID|NAME [OPTIONS] -- COMMAND [ARGS...]: runs COMMAND only while the
// controller on this host may act on the cluster (docs/operations.md, "Guarding a recovery
// script"; the rule in lease_guard.h). Tools layer.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "tools/quorumctl/cli_common.h"
#include "tools/quorumctl/guard_process.h"
#include "tools/quorumctl/lease_guard.h"
#include "tools/quorumctl/may_act_client.h"

extern char** environ;  // NOLINT

namespace quorum::quorumctl {

namespace {

constexpr const char* kRunHelp =
    "usage: quorumctl [--host HOST:PORT] run --cluster ID|NAME [--grace-ms MS] [--margin-ms MS]\n"
    "                 [--poll-ms MS] [--hold-ms MS] -- COMMAND [ARGS...]\n"
    "\n"
    "Runs COMMAND only while the controller at --host (the one on this host; exactly one\n"
    "address) may act on the cluster. It asks GET /v1/ownership/may-act first and refuses\n"
    "with the reason if the answer is no; while COMMAND runs it asks again every --poll-ms and\n"
    "extends the lease deadline only from answers with the same epoch (a new Raft term with\n"
    "the same epoch is the same permission). Each question also renews this guard's hold on\n"
    "the cluster at the controller: a hand-over (drain, move, rebalance) is not acknowledged\n"
    "to the leader, so the next owner is not granted the cluster, until COMMAND's group is\n"
    "gone and the guard dropped its hold (or the hold ended). COMMAND runs in a process group\n"
    "of its own and the whole group gets SIGTERM, then SIGKILL after --grace-ms, the moment\n"
    "the lease can no longer be trusted; each step is one line on stderr. The timing rule, on\n"
    "this host's monotonic clock, with D = (time the question was sent) + min(leaseLeftMs,\n"
    "hold) of the newest matching answer:\n"
    "  SIGTERM at D - grace - margin at the latest, at once on a no or a new epoch;\n"
    "  SIGKILL at D - margin (at most grace after SIGTERM): the group is dead by D.\n"
    "\n"
    "--cluster    the managed cluster, by id or name\n"
    "--grace-ms   SIGTERM -> SIGKILL (default 1000)\n"
    "--margin-ms  SIGKILL goes out this long before D (default 100)\n"
    "--poll-ms    how often the controller is asked while COMMAND runs (default 100)\n"
    "--hold-ms    the hold each question renews (default poll + grace + margin + 1000): the\n"
    "             longest a hand-over waits for a guard that neither answers nor drops its hold;\n"
    "             must exceed poll + grace + margin\n"
    "\n"
    "COMMAND's environment: QUORUM_CLUSTER_ID, QUORUM_CLUSTER_NAME, QUORUM_EPOCH (the fencing\n"
    "token: pass it with every write), QUORUM_TERM (the controller's term at start, for logs),\n"
    "QUORUM_CONTROLLER_NAME (the controller acting), QUORUM_CONTROLLER (the API address asked,\n"
    "so quorumctl inside COMMAND reaches the same node), QUORUM_LEASE_LEFT_MS and\n"
    "QUORUM_LEASE_DEADLINE_MS (Unix ms, approximate) at start; the guard extends the deadline\n"
    "as renewals come.\n"
    "\n"
    "Exit status: COMMAND's own when it exits by itself (128+N if killed by signal N);\n"
    "124 COMMAND was stopped because the lease ended, was withdrawn or changed; 125 refused:\n"
    "this controller may not act on the cluster (reason on stderr), COMMAND not started;\n"
    "122 no usable answer from the controller, COMMAND not started; 126 COMMAND cannot be\n"
    "executed; 127 COMMAND not found; 64 usage error. A SIGTERM, SIGINT or SIGHUP to quorumctl\n"
    "is passed on to COMMAND's group (SIGTERM, then SIGKILL after the grace period).\n";

struct RunArgs {
  std::string cluster;
  GuardTiming timing;
  std::int64_t poll_ms = 100;
  std::int64_t hold_ms = -1;  // -1: the default, poll + grace + margin + kHoldSlackMs
  std::vector<std::string> command;
};

// How late an answer may be, past the next poll, before the hold makes the guard stop COMMAND
// on its own (the default --hold-ms is poll + grace + margin + this).
constexpr std::int64_t kHoldSlackMs = 1000;

int run_usage(const std::string& message) { return usage(message, kRunHelp); }

bool parse_ms(const std::string& text, std::int64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 0;
}

// 0 when parsed, the exit status (help: 0 with *help set) otherwise.
int parse_run(const std::vector<std::string>& args, RunArgs* run, bool* help) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      run->command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a == "--help" || a == "-h") {
      *help = true;
      return 0;
    }
    const std::size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const bool known = name == "--cluster" || name == "--grace-ms" || name == "--margin-ms" || name == "--poll-ms" ||
                       name == "--hold-ms";
    if (!known) {
      if (a.rfind("-", 0) == 0) return run_usage("run: unknown option '" + a + "'");
      run->command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    if (eq == std::string::npos && i + 1 >= args.size()) return run_usage("run: " + a + " needs a value");
    const std::string value = eq != std::string::npos ? a.substr(eq + 1) : args[++i];
    if (name == "--cluster") {
      run->cluster = value;
      continue;
    }
    std::int64_t ms = 0;
    if (!parse_ms(value, &ms)) return run_usage("run: " + name + " takes milliseconds");
    if (name == "--grace-ms") run->timing.grace_ms = ms;
    if (name == "--margin-ms") run->timing.margin_ms = ms;
    if (name == "--poll-ms") run->poll_ms = std::max<std::int64_t>(ms, 1);
    if (name == "--hold-ms") run->hold_ms = ms;
  }
  if (run->cluster.empty()) return run_usage("run needs --cluster ID|NAME");
  if (run->command.empty()) return run_usage("run needs a COMMAND after --");
  const std::int64_t floor_ms = run->poll_ms + run->timing.grace_ms + run->timing.margin_ms;
  if (run->hold_ms < 0) run->hold_ms = floor_ms + kHoldSlackMs;
  if (run->hold_ms <= floor_ms) {
    return run_usage("run: --hold-ms must exceed --poll-ms + --grace-ms + --margin-ms (" + std::to_string(floor_ms) +
                     "): COMMAND would be stopped before the next answer could renew it");
  }
  if (run->hold_ms > 600'000) return run_usage("run: --hold-ms is at most 600000");
  run->timing.hold_ms = run->hold_ms;
  return 0;
}

// The caller's environment without the variables the guard sets, then the guard's.
std::vector<std::string> child_environment(const LeaseGuard& guard, const std::string& address) {
  const MayActAnswer& permit = guard.permit();
  const std::int64_t left_ms = guard.deadline_ms() - monotonic_ms();
  const std::vector<std::pair<std::string, std::string>> ours = {
      {"QUORUM_CLUSTER_ID", permit.cluster_id},
      {"QUORUM_CLUSTER_NAME", permit.cluster_name},
      {"QUORUM_EPOCH", std::to_string(permit.epoch)},
      {"QUORUM_TERM", std::to_string(permit.term)},
      {"QUORUM_CONTROLLER_NAME", permit.controller},
      {"QUORUM_CONTROLLER", address},
      {"QUORUM_LEASE_LEFT_MS", std::to_string(left_ms)},
      {"QUORUM_LEASE_DEADLINE_MS", std::to_string(unix_ms() + left_ms)},
  };
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [key, value] : ours) replaced = replaced || key == name;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [key, value] : ours) env.push_back(key + "=" + value);
  return env;
}

void say(const std::string& line) { std::fprintf(stderr, "quorumctl run: %s\n", line.c_str()); }

}  // namespace

int run_run(const Globals& globals, const std::vector<std::string>& args) {
  const ClientOptions& client = globals.client;
  RunArgs run;
  bool help = false;
  if (const int code = parse_run(args, &run, &help); code != 0 || help) {
    if (help) std::printf("%s", kRunHelp);
    return code;
  }
  if (client.hosts.size() != 1) {
    return run_usage("run asks exactly one controller, the one whose permission COMMAND uses: give one --host (got " +
                     std::to_string(client.hosts.size()) + " addresses)");
  }
  // Before any thread exists (the asker's): SIGCHLD and the stop signals go to the signalfd.
  GuardSignals signals;
  if (!signals.ok()) {
    say("cannot set up signal handling: " + std::string(std::strerror(errno)));
    return kExitNotStarted;
  }
  ClientOptions ask_options = client;
  ask_options.io_timeout = std::min(client.io_timeout, std::chrono::milliseconds(1000));
  // This guard's hold at the controller (docs/ownership.md, "The hand-over waits for local
  // guards"): every question renews it on a yes; it is dropped once COMMAND's group is gone.
  const std::string holder = make_holder_token();
  const auto ask = [&] { return ask_may_act(ask_options, run.cluster, holder, run.hold_ms); };
  const auto drop_hold = [&](const MayActPoll& first) {
    if (!first.answer || !first.answer->may_act || !first.answer->hold_left_ms) return;
    if (const std::string error = drop_may_act_hold(ask_options, first.answer->cluster_id, holder); !error.empty()) {
      say("could not drop this guard's hold (" + error + "): a hand-over of the cluster waits until it ends, within " +
          std::to_string(run.hold_ms) + " ms");
    }
  };
  MayActPoll first;
  first.sent_ms = monotonic_ms();
  const std::int64_t sent_ms = first.sent_ms;
  first = ask();
  first.sent_ms = sent_ms;
  const StartDecision decision = decide_start(first, run.timing, monotonic_ms());
  if (decision.kind != StartDecision::Kind::kRun) {
    say(decision.message);
    drop_hold(first);
    return decision.kind == StartDecision::Kind::kRefused ? kExitRefused : kExitNotStarted;
  }
  if (!first.answer->hold_left_ms) {
    say("warning: the controller kept no hold for this guard (a quorumd without guard holds): a hand-over "
        "of the cluster will not wait for COMMAND to stop; only fencing by epoch separates it from the next owner");
  }
  LeaseGuard guard(first, run.timing);
  int spawn_errno = 0;
  Result<GuardedChild> child = GuardedChild::spawn(run.command, child_environment(guard, client.hosts[0]), &spawn_errno);
  if (!child) {
    say(child.error().message());
    drop_hold(first);
    return spawn_errno == ENOENT ? kExitNotFound : kExitCannotExecute;
  }
  GuardLoopOptions options;
  options.timing = run.timing;
  options.poll_interval_ms = run.poll_ms;
  options.ask = ask;
  options.say = say;
  const GuardOutcome outcome = run_guarded(guard, *child, signals, options);
  // COMMAND's whole group is gone and no question is in flight (run_guarded joined its asker):
  // nothing acts under this permission any more, the hand-over may go on.
  drop_hold(first);
  return outcome.exit_code;
}

}  // namespace quorum::quorumctl
