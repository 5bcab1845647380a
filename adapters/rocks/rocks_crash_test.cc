// Crash test: a child process persists synced batches and reports each acknowledged index on a
// pipe; the parent kills it with SIGKILL at a random moment, reopens the database and checks
// that every acknowledged entry is there and that load() accepts what the crash left.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "adapters/rocks/rocks_storage.h"

namespace quorum::adapters::rocks {
namespace {

namespace fs = std::filesystem;

const wire::StoreIdentity kIdentity{"crash", 1, wire::kStoreFormatVersion};

// Child: appends entries (with a conflicting suffix rewrite now and then) until killed.
[[noreturn]] void run_child(const std::string& dir, int ack_fd) {
  auto storage = RocksStorage::open(dir, kIdentity);
  if (!storage) _exit(2);
  Result<host::LoadedState> loaded = (*storage)->load();
  if (!loaded) _exit(3);
  LogIndex next =
      loaded->persisted.entries.empty() ? 1 : loaded->persisted.entries.back().index + 1;
  Term term = loaded->persisted.hard_state.current_term + 1;
  for (std::uint64_t round = 0;; ++round) {
    host::PersistBatch batch;
    // Every 7th batch rewrites the last two entries in a new term (a new leader's overwrite).
    if (round % 7 == 6 && next > 3) {
      next -= 2;
      ++term;
    }
    batch.hard_state = raft::HardState{term, 1, 0};
    for (int i = 0; i < 3; ++i) {
      raft::Entry e;
      e.index = next++;
      e.term = term;
      e.kind = raft::EntryKind::kCommand;
      e.data = std::string(100, static_cast<char>('a' + e.index % 26));
      batch.entries.push_back(std::move(e));
    }
    batch.sync = true;
    if (!(*storage)->persist(batch).is_ok()) _exit(4);
    const LogIndex acked = next - 1;
    if (::write(ack_fd, &acked, sizeof acked) != sizeof acked) _exit(5);
  }
}

TEST(RocksCrash, SigkillLosesNothingThatWasAcknowledged) {
  std::string templ = (fs::temp_directory_path() / "quorum-crash-XXXXXX").string();
  const std::string dir = ::mkdtemp(templ.data());
  std::mt19937_64 rng(42);
  LogIndex acked_max = 0;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      run_child(dir, fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 150));  // crash point
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    LogIndex acked = 0;
    for (LogIndex v; ::read(fds[0], &v, sizeof v) == sizeof v;) acked = v;
    ::close(fds[0]);

    auto storage = RocksStorage::open(dir, kIdentity);
    ASSERT_TRUE(storage.has_value()) << storage.error().to_string();
    Result<host::LoadedState> loaded = (*storage)->load();
    ASSERT_TRUE(loaded.has_value()) << loaded.error().to_string();
    const LogIndex last =
        loaded->persisted.entries.empty() ? 0 : loaded->persisted.entries.back().index;
    // Every acknowledged index survives (a later, unacknowledged rewrite may have replaced the
    // tail with entries of a higher term, but never shortened it below an ack).
    EXPECT_GE(last, acked) << "round " << round;
    acked_max = std::max(acked_max, acked);
  }
  EXPECT_GT(acked_max, 0u);  // the child got far enough to promise something
  fs::remove_all(dir);
}

}  // namespace
}  // namespace quorum::adapters::rocks
