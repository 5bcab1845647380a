// The process side of `quorumctl run`: COMMAND in a process group of its own, a thread that
// keeps asking the local controller, and the loop that applies lease_guard.h's rule with real
// signals: SIGTERM, then SIGKILL, to the whole group, so grandchildren die too. Tools layer.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/base/result.h"
#include "tools/quorumctl/lease_guard.h"

namespace quorum::quorumctl {

// This host's monotonic clock (CLOCK_MONOTONIC), in ms.
std::int64_t monotonic_ms();
// CLOCK_REALTIME in ms since the Unix epoch.
std::int64_t unix_ms();

// Blocks SIGCHLD, SIGTERM, SIGINT and SIGHUP in the calling thread and reads them from a
// signalfd instead. Create it before any other thread exists (threads inherit the mask, and a
// signal must not reach a thread that does not block it); restores the mask when destroyed.
class GuardSignals {
 public:
  GuardSignals();
  ~GuardSignals();
  GuardSignals(const GuardSignals&) = delete;
  GuardSignals& operator=(const GuardSignals&) = delete;
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  sigset_t old_mask_{};
};

// COMMAND in a new process group, `env` as its whole environment, PATH lookup, every signal
// unblocked and at its default disposition. The group's leader is a small shim forked from
// this process (pid() and the pgid are its pid): it ends the way COMMAND ends, ignores the stop
// signals sent to the group, and SIGKILLs the whole group if this process dies (even by
// SIGKILL), so that nothing COMMAND started outlives its guard. spawn() first makes this
// process a child subreaper, so that COMMAND's orphaned descendants are reaped here. Call it
// while this process has a single thread (it forks).
class GuardedChild {
 public:
  // Error message "cannot run 'x': No such file or directory"; *errno_out gets the errno.
  static Result<GuardedChild> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                    int* errno_out);
  pid_t pid() const { return pid_; }
  // To the whole group: COMMAND and every descendant that stayed in its process group.
  void signal_group(int signal_number) const;
  // Whether any process of the group still exists (call after reaping the zombies).
  bool group_alive() const;

 private:
  explicit GuardedChild(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// What the loop did, on the monotonic clock (ms; 0 when it did not happen).
struct GuardOutcome {
  int exit_code = 0;          // what `quorumctl run` exits with
  int wait_status = 0;        // COMMAND's status as waitpid reports it
  bool lease_lost = false;    // SIGTERM went out because the lease could not be trusted
  std::int64_t term_sent_ms = 0;
  std::int64_t kill_sent_ms = 0;
  std::int64_t child_exited_ms = 0;  // COMMAND itself reaped
  std::int64_t group_empty_ms = 0;   // no process of its group left
  std::int64_t deadline_ms = 0;      // the lease deadline D in force at the end
};

inline constexpr int kExitLeaseLost = 124;  // COMMAND was stopped because the lease ended
inline constexpr int kExitNotStarted = 122;  // no usable answer from the controller
inline constexpr int kExitRefused = 125;     // the controller said no (or too little lease left)
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitNotFound = 127;

struct GuardLoopOptions {
  GuardTiming timing;
  std::int64_t poll_interval_ms = 100;
  // One question to the controller; the loop stamps sent_ms itself, just before calling it.
  std::function<MayActPoll()> ask;
  // Lines for stderr (without the "quorumctl run: " prefix).
  std::function<void(const std::string&)> say;
};

// Runs until COMMAND and every process of its group are gone. `guard` holds the first answer's
// permission; `signals` must be the GuardSignals created before `child` was spawned.
GuardOutcome run_guarded(LeaseGuard& guard, const GuardedChild& child, const GuardSignals& signals,
                         const GuardLoopOptions& options);

// The shell's convention: the exit status, or 128 + the signal that killed it.
int exit_code_of(int wait_status);

}  // namespace quorum::quorumctl
