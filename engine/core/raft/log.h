// RaftLog: the in-memory log suffix after the last snapshot, with the commit, applied and persisted
// indexes of one node. Core: std and fmt only. Owned by Node::Impl; single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"

namespace quorum::raft {

class RaftLog {
 public:
  RaftLog() = default;

  // Restores the log from persisted state: the snapshot boundary, the entries after it (all
  // persisted) and the persisted commit index (clamped up to the snapshot boundary).
  void restore_persisted(LogIndex snapshot_index, Term snapshot_term, std::vector<Entry> entries,
                         LogIndex commit_index);

  LogIndex snapshot_index() const { return snapshot_index_; }
  Term snapshot_term() const { return snapshot_term_; }
  LogIndex first_index() const { return snapshot_index_ + 1; }
  LogIndex last_index() const { return snapshot_index_ + entries_.size(); }
  Term last_term() const;
  EntryId last_id() const { return {last_term(), last_index()}; }

  // The term of the entry at `index`, nullopt when unknown (compacted away or beyond the end).
  // Index 0 has term 0; the snapshot boundary has the snapshot's term.
  std::optional<Term> term_at(LogIndex index) const;
  bool matches(LogIndex index, Term term) const;
  // Requires first_index() <= index <= last_index().
  const Entry& at(LogIndex index) const;
  // Raft §5.4.1: a log is at least as up to date as (last_term, last_index) of another.
  bool is_up_to_date(LogIndex other_last_index, Term other_last_term) const;

  // Appends one entry at last_index() + 1 (leader path). Asserts the index and term order.
  void append(Entry entry);
  // Follower path (Fig. 2, AppendEntries receiver rules 3-4). `entries` follow a matched
  // prev_log_index. Returns the first index that was truncated (0 if none). Asserts that no
  // committed entry is truncated, unless `allow_unsafe` (only the kAcceptMismatchedPrev planted
  // bug sets it, so that the simulator's checkers rather than this assert catch the damage).
  LogIndex append_after_match(const std::vector<Entry>& entries, bool allow_unsafe = false);
  // The largest index <= index whose term is <= term (fast back-off). When the answer lies inside
  // the compacted prefix, returns an index below snapshot_index(): the caller needs a snapshot.
  LogIndex find_conflict_by_term(LogIndex index, Term term) const;
  // Entries [lo, hi], stopping once bytes_max is reached (at least one entry if lo <= hi).
  std::vector<Entry> slice(LogIndex lo, LogIndex hi, std::uint64_t bytes_max) const;

  // Commit, applied and persisted indexes.
  // Invariant: snapshot_index <= applied_index <= applying_index <= commit_index <= last_index.
  // Invariant: persisted_index <= last_index; unstable_index == first index not yet handed out.
  LogIndex commit_index() const { return commit_index_; }
  LogIndex applying_index() const { return applying_index_; }
  LogIndex applied_index() const { return applied_index_; }
  LogIndex persisted_index() const { return persisted_index_; }
  LogIndex unstable_index() const { return unstable_index_; }
  void commit_to(LogIndex index);
  bool has_unstable() const { return unstable_index_ <= last_index(); }
  bool has_committed_to_apply() const { return applying_index_ < commit_index_; }
  // Hands out the entries to persist and the committed entries to apply (ready()).
  std::vector<Entry> take_unstable();
  std::vector<Entry> take_committed();
  // The host persisted everything handed out up to `last` (advance()): raises persisted_index
  // unless a truncation since then replaced it.
  void on_persisted(EntryId last);
  void on_applied(LogIndex index);

  // Drops entries <= index (a snapshot at index was taken). Requires index <= applied_index.
  void compact(LogIndex index);
  // Replaces the whole log with a received snapshot boundary (install).
  void restore_snapshot(const SnapshotMeta& meta);

  std::string check() const;  // invariants; empty string if they hold

 private:
  const Entry& entry(LogIndex index) const { return entries_[index - snapshot_index_ - 1]; }

  // Use: the last entry covered by the snapshot; entries_ holds (snapshot_index_, last].
  LogIndex snapshot_index_ = 0;
  Term snapshot_term_ = 0;
  std::deque<Entry> entries_;
  LogIndex commit_index_ = 0;
  LogIndex applying_index_ = 0;  // handed to the host in a Ready, maybe not yet applied
  LogIndex applied_index_ = 0;   // applied, acknowledged by advance()
  LogIndex persisted_index_ = 0;
  LogIndex unstable_index_ = 1;
};

}  // namespace quorum::raft
