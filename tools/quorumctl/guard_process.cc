#include "tools/quorumctl/guard_process.h"

#include <poll.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace quorum::quorumctl {

namespace {

std::int64_t clock_ms(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

sigset_t guard_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  return set;
}

// Asks the controller every poll interval on its own thread (a hung controller must not delay
// a signal), and hands the outcomes to the loop through a queue and an eventfd.
class Asker {
 public:
  Asker(const GuardLoopOptions& options) : options_(options) {
    event_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    thread_ = std::thread([this] { loop(); });
  }
  ~Asker() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();  // at most one question in flight: bounded by the client's io timeout
    if (event_fd_ >= 0) ::close(event_fd_);
  }
  Asker(const Asker&) = delete;
  Asker& operator=(const Asker&) = delete;

  int fd() const { return event_fd_; }
  std::deque<MayActPoll> take() {
    std::uint64_t count = 0;
    (void)::read(event_fd_, &count, sizeof(count));
    std::lock_guard lock(mutex_);
    return std::exchange(outcomes_, {});
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      // The deadline counts from BEFORE the request goes out (lease_guard.h).
      const std::int64_t sent_ms = monotonic_ms();
      MayActPoll poll = options_.ask();
      poll.sent_ms = sent_ms;
      lock.lock();
      outcomes_.push_back(std::move(poll));
      const std::uint64_t one = 1;
      (void)::write(event_fd_, &one, sizeof(one));
      const std::int64_t next_ms = sent_ms + options_.poll_interval_ms;
      wake_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(0, next_ms - monotonic_ms())),
                     [this] { return stopping_; });
    }
  }

  const GuardLoopOptions& options_;
  int event_fd_ = -1;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<MayActPoll> outcomes_;
  std::thread thread_;
};

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
  }
}

std::string describe_status(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return "killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "status " + std::to_string(wait_status);
}

// The loop's state between wake-ups.
struct LoopState {
  bool child_exited = false;
  bool leftovers_stopped = false;
  GuardOutcome outcome;
};

// Reaps every exited child (COMMAND, or descendants reparented to us as subreaper).
void reap(const GuardedChild& child, LoopState* state) {
  while (true) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    if (pid == child.pid()) {
      state->child_exited = true;
      state->outcome.wait_status = status;
      state->outcome.child_exited_ms = monotonic_ms();
    }
  }
}

// Reads the signalfd: a SIGTERM/SIGINT/SIGHUP to us stops COMMAND (SIGCHLD only wakes us).
void read_signals(const GuardSignals& signals, LeaseGuard& guard, const GuardLoopOptions& options) {
  signalfd_siginfo info{};
  while (::read(signals.fd(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
    const int number = static_cast<int>(info.ssi_signo);
    if (number == SIGCHLD) continue;
    if (!guard.terminated()) {
      options.say(std::string("received ") + signal_name(number) + ": stopping COMMAND");
    }
    guard.stop(std::string("quorumctl run received ") + signal_name(number), monotonic_ms());
  }
}

void act(LeaseGuard& guard, const GuardedChild& child, const GuardLoopOptions& options, LoopState* state) {
  while (true) {
    const std::int64_t now_ms = monotonic_ms();
    const GuardAction action = guard.due(now_ms);
    if (action == GuardAction::kNone) return;
    if (action == GuardAction::kTerminate) {
      child.signal_group(SIGTERM);
      state->outcome.term_sent_ms = now_ms;
      state->outcome.lease_lost = guard.lease_lost();
      options.say("SIGTERM to COMMAND (process group " + std::to_string(child.pid()) + "; SIGKILL in " +
                  std::to_string(std::max<std::int64_t>(0, guard.kill_at_ms() - now_ms)) +
                  " ms unless it exits): " + guard.why());
    } else {
      child.signal_group(SIGKILL);
      state->outcome.kill_sent_ms = now_ms;
      options.say("SIGKILL to process group " + std::to_string(child.pid()) + ": still running " +
                  std::to_string(now_ms - state->outcome.term_sent_ms) + " ms after SIGTERM, " +
                  std::to_string(guard.deadline_ms() - now_ms) + " ms before the lease deadline");
    }
  }
}

// The shim: a forked copy of quorumctl that leads COMMAND's process group, so that the group
// dies with the guard even when the guard is SIGKILLed (the OOM killer, kill -9): the kernel
// sends the shim SIGUSR1 when the guard dies (PR_SET_PDEATHSIG), and the shim SIGKILLs its
// whole group. Otherwise it waits for COMMAND and ends the way COMMAND ended. It ignores the
// stop signals the guard sends to the group (COMMAND gets them) so that it outlives COMMAND.
pid_t g_shim_guard_pid = 0;

void shim_on_guard_death(int /*signal_number*/) {
  if (::getppid() != g_shim_guard_pid) ::kill(0, SIGKILL);
}

[[noreturn]] void run_shim(pid_t guard_pid, char** argv, char** envp, int error_fd) {
  (void)::setpgid(0, 0);
  g_shim_guard_pid = guard_pid;
  struct sigaction on_death {};
  on_death.sa_handler = shim_on_guard_death;
  ::sigaction(SIGUSR1, &on_death, nullptr);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) ::signal(s, SIG_IGN);
  ::prctl(PR_SET_PDEATHSIG, SIGUSR1);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::getppid() != guard_pid) ::kill(0, SIGKILL);  // the guard died before prctl
  const pid_t command = ::fork();
  if (command == 0) {
    for (int s = 1; s < NSIG; ++s) {
      if (s != SIGKILL && s != SIGSTOP) ::signal(s, SIG_DFL);
    }
    ::execvpe(argv[0], argv, envp);
    const int e = errno;
    (void)!::write(error_fd, &e, sizeof(e));
    ::_exit(e == ENOENT ? kExitNotFound : kExitCannotExecute);
  }
  ::close(error_fd);
  int status = 0;
  while (command > 0 && ::waitpid(command, &status, 0) < 0 && errno == EINTR) {
  }
  if (command > 0 && WIFSIGNALED(status)) {
    // End by the same signal, without a core file of our own.
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(WTERMSIG(status), SIG_DFL);
    ::raise(WTERMSIG(status));
  }
  ::_exit(command > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

}  // namespace

std::int64_t monotonic_ms() { return clock_ms(CLOCK_MONOTONIC); }
std::int64_t unix_ms() { return clock_ms(CLOCK_REALTIME); }

GuardSignals::GuardSignals() {
  const sigset_t set = guard_signal_set();
  if (::pthread_sigmask(SIG_BLOCK, &set, &old_mask_) != 0) return;
  fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

GuardSignals::~GuardSignals() {
  if (fd_ >= 0) ::close(fd_);
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

Result<GuardedChild> GuardedChild::spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                         int* errno_out) {
  *errno_out = 0;
  if (argv.empty()) return Status::invalid_argument("no COMMAND given");
  // Descendants orphaned by COMMAND are reparented to us, so we can reap them and know when
  // the whole group is gone.
  (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // Everything the children need is built before fork: after it they only make system calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
    *errno_out = errno;
    return Status::io_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  const pid_t guard_pid = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    *errno_out = errno;
    ::close(error_pipe[0]);
    ::close(error_pipe[1]);
    return Status::io_error(std::string("cannot fork: ") + std::strerror(*errno_out));
  }
  if (pid == 0) {
    ::close(error_pipe[0]);
    run_shim(guard_pid, args.data(), envp.data(), error_pipe[1]);
  }
  (void)::setpgid(pid, pid);  // also done by the shim: whoever runs first, the group exists
  ::close(error_pipe[1]);
  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(error_pipe[0], &exec_errno, sizeof(exec_errno));
  } while (got < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof(exec_errno))) {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    *errno_out = exec_errno;
    return Status::invalid_argument("cannot run '" + argv[0] + "': " + std::strerror(exec_errno));
  }
  return GuardedChild(pid);
}

void GuardedChild::signal_group(int signal_number) const { (void)::kill(-pid_, signal_number); }

bool GuardedChild::group_alive() const { return ::kill(-pid_, 0) == 0 || errno == EPERM; }

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

GuardOutcome run_guarded(LeaseGuard& guard, const GuardedChild& child, const GuardSignals& signals,
                         const GuardLoopOptions& options) {
  LoopState state;
  Asker asker(options);
  while (true) {
    reap(child, &state);
    if (state.child_exited && !child.group_alive()) break;
    for (MayActPoll& poll : asker.take()) {
      const std::uint64_t term_before = guard.term_seen();
      guard.observe(poll, monotonic_ms());
      if (guard.term_seen() != term_before && !guard.revoked()) {
        options.say("term " + std::to_string(term_before) + " -> " + std::to_string(guard.term_seen()) + " with epoch " +
                    std::to_string(guard.permit().epoch) + " unchanged: the same permission, COMMAND keeps running");
      }
    }
    read_signals(signals, guard, options);
    if (state.child_exited && !state.leftovers_stopped && !guard.terminated()) {
      // COMMAND is done but left processes in its group: nothing may act without the guard.
      state.leftovers_stopped = true;
      options.say("COMMAND exited (" + describe_status(state.outcome.wait_status) +
                  ") leaving processes in its group: stopping them");
      guard.stop("COMMAND exited, stopping what it left behind", monotonic_ms());
    }
    act(guard, child, options, &state);
    // Sleep until the next action, a signal (SIGCHLD included) or an answer. After COMMAND
    // exited, members of its group that are not our children do not wake us: look again often.
    std::int64_t timeout_ms = std::clamp<std::int64_t>(guard.wake_at_ms() - monotonic_ms(), 0, 1000);
    if (state.child_exited) timeout_ms = std::min<std::int64_t>(timeout_ms, 20);
    pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {asker.fd(), POLLIN, 0}};
    (void)::poll(fds, 2, static_cast<int>(timeout_ms));
  }
  state.outcome.group_empty_ms = monotonic_ms();
  state.outcome.deadline_ms = guard.deadline_ms();
  state.outcome.lease_lost = guard.lease_lost() && guard.terminated();
  state.outcome.exit_code = state.outcome.lease_lost ? kExitLeaseLost : exit_code_of(state.outcome.wait_status);
  if (guard.terminated()) {
    options.say("COMMAND stopped (" + describe_status(state.outcome.wait_status) + "), its process group gone " +
                std::to_string(guard.deadline_ms() - state.outcome.group_empty_ms) +
                " ms before the lease deadline");
  }
  return state.outcome;
}

}  // namespace quorum::quorumctl
