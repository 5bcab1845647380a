// The process side of `quorumctl run` with real child processes (sh, sleep) and a scripted
// controller: COMMAND in its own process group, SIGTERM then SIGKILL to the whole group, the
// child's own exit status passed through. Each test lasts about a second and bounds every
// timing assertion by what the rule promises (the group is dead by the lease deadline), not by
// machine speed: the margin (200 ms) is what covers scheduling.
#include "tools/quorumctl/guard_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

namespace quorum::quorumctl {
namespace {

constexpr GuardTiming kTiming{/*grace_ms=*/300, /*margin_ms=*/200};

MayActAnswer yes(std::int64_t left_ms, std::uint64_t epoch = 7) {
  MayActAnswer a;
  a.may_act = true;
  a.cluster_id = "1";
  a.controller = "ctl1";
  a.epoch = epoch;
  a.term = 2;
  a.lease_left_ms = left_ms;
  return a;
}

MayActPoll first_answer(std::int64_t left_ms) {
  MayActPoll p;
  p.sent_ms = monotonic_ms();
  p.answer = yes(left_ms);
  return p;
}

MayActPoll unreachable() {
  MayActPoll p;
  p.error = "127.0.0.1:1: Connection refused";
  return p;
}

std::string scratch_file(const std::string& name) {
  return ::testing::TempDir() + "/guard_process_test." + std::to_string(::getpid()) + "." + name;
}

std::vector<std::string> environment() { return {"PATH=/usr/bin:/bin"}; }

struct GuardRun {
  GuardOutcome outcome;
  std::vector<std::string> lines;
};

GuardRun run_command(const std::string& script, MayActPoll first, std::function<MayActPoll()> ask,
                GuardTiming timing = kTiming) {
  GuardSignals signals;
  EXPECT_TRUE(signals.ok());
  LeaseGuard guard(first, timing);
  int spawn_errno = 0;
  Result<GuardedChild> child = GuardedChild::spawn({"sh", "-c", script}, environment(), &spawn_errno);
  EXPECT_TRUE(child.has_value());
  GuardRun run;
  if (!child) return run;
  GuardLoopOptions options;
  options.timing = timing;
  options.poll_interval_ms = 50;
  options.ask = std::move(ask);
  options.say = [&run](const std::string& line) { run.lines.push_back(line); };
  run.outcome = run_guarded(guard, *child, signals, options);
  return run;
}

// Alive and not a zombie (an orphan may have been reparented to this test process, which an
// earlier test made a subreaper).
bool process_exists(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  if (!(stat >> pid_field >> name >> state)) return false;
  return state != "Z";
}

pid_t read_pid(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = -1;
  in >> pid;
  return pid;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  return text;
}

TEST(GuardProcess, ACommandThatExitsByItselfPassesItsStatusThrough) {
  const GuardRun run = run_command("exit 3", first_answer(5000), [] { return MayActPoll{0, yes(5000), ""}; });
  EXPECT_EQ(run.outcome.exit_code, 3);
  EXPECT_EQ(run.outcome.term_sent_ms, 0);
  EXPECT_TRUE(run.lines.empty()) << joined(run.lines);
}

TEST(GuardProcess, RenewalsKeepACommandRunningPastItsFirstDeadline) {
  // Without the renewals SIGTERM would be due 1000 - 300 - 200 = 500 ms after the start; the
  // command runs 1200 ms and ends by itself.
  const GuardRun run = run_command("sleep 1.2; exit 0", first_answer(1000), [] { return MayActPoll{0, yes(1000), ""}; });
  EXPECT_EQ(run.outcome.exit_code, 0) << joined(run.lines);
  EXPECT_EQ(run.outcome.term_sent_ms, 0) << joined(run.lines);
}

// An election elsewhere in the group: the answers carry a new term with the same epoch. The
// permission is the same (fencing is by epoch): COMMAND runs on and ends by itself; the guard
// says so once per new term.
TEST(GuardProcess, ANewTermWithTheSameEpochKeepsTheCommandRunning) {
  std::atomic<int> asked{0};
  const GuardRun run = run_command("sleep 0.6; exit 0", first_answer(1000), [&asked] {
    MayActAnswer a = yes(1000);
    a.term = asked++ < 3 ? 2 : 3;
    return MayActPoll{0, a, ""};
  });
  EXPECT_EQ(run.outcome.exit_code, 0) << joined(run.lines);
  EXPECT_EQ(run.outcome.term_sent_ms, 0) << joined(run.lines);
  ASSERT_EQ(run.lines.size(), 1u) << joined(run.lines);
  EXPECT_NE(run.lines[0].find("term 2 -> 3 with epoch 7 unchanged"), std::string::npos) << run.lines[0];
}

TEST(GuardProcess, ACommandIgnoringSigtermIsKilledWithItsGrandchildrenBeforeTheDeadline) {
  const std::string pid_file = scratch_file("grandchild");
  // The shell ignores SIGTERM and waits on a grandchild that ignores it too.
  const std::string script = "trap '' TERM; sh -c 'trap \"\" TERM; while :; do sleep 0.05; done' & echo $! > " +
                             pid_file + "; wait; wait; wait";
  const GuardRun run = run_command(script, first_answer(1200), unreachable);
  const pid_t grandchild = read_pid(pid_file);
  std::remove(pid_file.c_str());
  EXPECT_EQ(run.outcome.exit_code, kExitLeaseLost) << joined(run.lines);
  EXPECT_TRUE(run.outcome.lease_lost);
  ASSERT_TRUE(WIFSIGNALED(run.outcome.wait_status)) << run.outcome.wait_status;
  EXPECT_EQ(WTERMSIG(run.outcome.wait_status), SIGKILL);
  ASSERT_GT(run.outcome.term_sent_ms, 0);
  ASSERT_GT(run.outcome.kill_sent_ms, 0);
  // Never early: SIGTERM at D - grace - margin, SIGKILL at D - margin.
  EXPECT_GE(run.outcome.term_sent_ms, run.outcome.deadline_ms - kTiming.grace_ms - kTiming.margin_ms);
  EXPECT_GE(run.outcome.kill_sent_ms, run.outcome.deadline_ms - kTiming.margin_ms);
  // The whole group (the grandchild included) is dead by the deadline.
  EXPECT_LE(run.outcome.group_empty_ms, run.outcome.deadline_ms) << joined(run.lines);
  ASSERT_GT(grandchild, 0);
  EXPECT_FALSE(process_exists(grandchild));
  const std::string text = joined(run.lines);
  EXPECT_NE(text.find("SIGTERM to COMMAND"), std::string::npos) << text;
  EXPECT_NE(text.find("no fresh answer"), std::string::npos) << text;
  EXPECT_NE(text.find("SIGKILL to process group"), std::string::npos) << text;
}

TEST(GuardProcess, ANoFromTheControllerSendsSigtermAtOnce) {
  std::atomic<int> asked{0};
  std::atomic<std::int64_t> no_sent_ms{0};
  const GuardRun run = run_command("sleep 30", first_answer(10'000), [&] {
    if (++asked < 3) return MayActPoll{0, yes(10'000), ""};
    MayActAnswer a;
    a.cluster_id = "1";
    a.reason = "handing_over";
    no_sent_ms = monotonic_ms();
    return MayActPoll{0, a, ""};
  });
  EXPECT_EQ(run.outcome.exit_code, kExitLeaseLost);
  ASSERT_TRUE(WIFSIGNALED(run.outcome.wait_status));
  EXPECT_EQ(WTERMSIG(run.outcome.wait_status), SIGTERM);
  EXPECT_EQ(run.outcome.kill_sent_ms, 0);
  // Long before the 10 s deadline: the no itself triggered it.
  EXPECT_GE(run.outcome.term_sent_ms, no_sent_ms.load());
  EXPECT_LT(run.outcome.term_sent_ms, run.outcome.deadline_ms - 5000);
  EXPECT_NE(joined(run.lines).find("handing_over"), std::string::npos) << joined(run.lines);
}

TEST(GuardProcess, ANewEpochStopsTheCommand) {
  std::atomic<int> asked{0};
  const GuardRun run = run_command("sleep 30", first_answer(10'000),
                              [&] { return MayActPoll{0, yes(10'000, ++asked < 3 ? 7 : 8), ""}; });
  EXPECT_EQ(run.outcome.exit_code, kExitLeaseLost);
  EXPECT_NE(joined(run.lines).find("epoch 7 -> 8"), std::string::npos) << joined(run.lines);
}

TEST(GuardProcess, WhatACommandLeavesInItsGroupIsStoppedWhenItExits) {
  const std::string pid_file = scratch_file("leftover");
  const GuardRun run = run_command("sleep 30 & echo $! > " + pid_file + "; exit 5", first_answer(10'000),
                              [] { return MayActPoll{0, yes(10'000), ""}; });
  const pid_t leftover = read_pid(pid_file);
  std::remove(pid_file.c_str());
  EXPECT_EQ(run.outcome.exit_code, 5) << "the command's own status, not the leftover's";
  ASSERT_GT(leftover, 0);
  EXPECT_FALSE(process_exists(leftover));
  EXPECT_NE(joined(run.lines).find("leaving processes in its group"), std::string::npos) << joined(run.lines);
}

TEST(GuardProcess, ASigtermToTheGuardIsPassedOnAndTheCommandsStatusReturned) {
  std::atomic<int> asked{0};
  const GuardRun run = run_command("sleep 30", first_answer(10'000), [&] {
    // Process-directed: pending until the guard's signalfd reads it (every thread blocks it).
    if (++asked == 2) ::kill(::getpid(), SIGTERM);
    return MayActPoll{0, yes(10'000), ""};
  });
  EXPECT_FALSE(run.outcome.lease_lost);
  EXPECT_EQ(run.outcome.exit_code, 128 + SIGTERM);
  EXPECT_NE(joined(run.lines).find("received SIGTERM"), std::string::npos) << joined(run.lines);
}

TEST(GuardProcess, WhenTheGuardIsSigkilledTheWholeGroupDiesWithIt) {
  // A SIGKILLed guard can forward nothing: the shim leading the group hears of its death
  // (PR_SET_PDEATHSIG) and SIGKILLs the group, the grandchild included.
  const std::string pid_file = scratch_file("orphan");
  std::remove(pid_file.c_str());
  const pid_t guard = ::fork();
  ASSERT_GE(guard, 0);
  if (guard == 0) {
    const GuardRun run = run_command("sleep 30 & echo $! > " + pid_file + "; wait", first_answer(60'000),
                                     [] { return MayActPoll{0, yes(60'000), ""}; });
    ::_exit(run.outcome.exit_code);
  }
  pid_t grandchild = -1;
  for (int i = 0; i < 500 && grandchild <= 0; ++i) {
    ::usleep(10'000);
    grandchild = read_pid(pid_file);
  }
  ASSERT_GT(grandchild, 0) << "the guarded command never started";
  EXPECT_TRUE(process_exists(grandchild));
  ::kill(guard, SIGKILL);
  ::waitpid(guard, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    gone = !process_exists(grandchild);
    if (!gone) ::usleep(10'000);
  }
  std::remove(pid_file.c_str());
  EXPECT_TRUE(gone) << "pid " << grandchild << " outlived its guard";
}

TEST(GuardProcess, AMissingCommandIsReportedWithItsErrno) {
  int spawn_errno = 0;
  Result<GuardedChild> child = GuardedChild::spawn({"/nonexistent/quorum-guard-test"}, environment(), &spawn_errno);
  EXPECT_FALSE(child.has_value());
  EXPECT_EQ(spawn_errno, ENOENT);
}

}  // namespace
}  // namespace quorum::quorumctl
