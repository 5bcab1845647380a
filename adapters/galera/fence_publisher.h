// FencePublisher: quorumd's writer of the fencing mirror (fence.h). The host thread hands it
// what the leader's replicated state says (term, leader, and per cluster owner, epoch, lease);
// a worker thread of its own, with its own connection to the local Galera node, writes it with
// GaleraFence::publish_as_leader. The host's fiber never waits for the database.
//
// Who publishes (docs/operations.md section 7): only the Raft leader, once an entry of its term
// has committed (its state then holds every committed grant), and every publication is
// conditioned on its term in the same transaction. Why that is safe:
//  * the mirror is monotonic (an older epoch or term never overwrites a newer one), so a late
//    or repeated publication cannot roll it back;
//  * a deposed leader's publication is refused by the database once its successor published
//    (fence_leader on the older term fails; 1644 "stale term"), and one racing with it on
//    another Galera node is aborted by certification (both write the leader row);
//  * what a deposed leader can still publish before its successor does is what was committed
//    in its term: committed grants are never undone, so it is true, only not the newest.
// Owners do not publish their own rows: an owner learns of a grant after the leader, and a
// stale owner (the case fencing is for) must not be the one that keeps the mirror.
//
// Latest wins: a submission replaces one the worker has not taken yet. A failed publication
// (Galera not Primary, 1213) is retried after retry_interval_ms with the newest submission; a
// refused one (stale term) is dropped: a newer leader owns the mirror. Logs (component
// "galera"): the first success, every change of outcome.
//
// Thread safety: submit() and the counters from any thread; construct and destroy on one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/galera/fence.h"
#include "adapters/galera/probe.h"

namespace quorum::adapters::galera {

struct FenceSnapshot {
  Term term = 0;
  NodeId leader = kNoNode;
  std::vector<OwnerRow> rows;  // ascending cluster id
};

struct FencePublisherConfig {
  ProbeConfig connection;  // its own connection (the probe's user needs write rights here)
  std::string database = "quorum_fence";
  std::uint64_t retry_interval_ms = 500;
};

class FencePublisher {
 public:
  explicit FencePublisher(FencePublisherConfig config);
  ~FencePublisher();  // stops and joins the worker (at most one statement's timeout)
  FencePublisher(const FencePublisher&) = delete;
  FencePublisher& operator=(const FencePublisher&) = delete;

  void submit(FenceSnapshot snapshot);

  std::uint64_t publications_count() const { return publications_.load(); }
  std::uint64_t failures_count() const { return failures_.load(); }
  std::uint64_t refusals_count() const { return refusals_.load(); }
  // The outcome of the latest attempt in one line ("" before the first). Any thread.
  std::string last_outcome() const;

 private:
  void run_worker();
  // One attempt; true when done with this snapshot (published or refused).
  bool attempt(GaleraFence& fence, bool* schema_ready, const FenceSnapshot& snapshot);
  void set_outcome(std::string outcome, bool good);

  FencePublisherConfig config_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                 // guarded by mutex_
  std::optional<FenceSnapshot> pending_;  // guarded by mutex_
  mutable std::mutex outcome_mutex_;
  std::string last_outcome_;  // guarded by outcome_mutex_
  std::atomic<std::uint64_t> publications_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> refusals_{0};
  std::thread worker_;
};

}  // namespace quorum::adapters::galera
