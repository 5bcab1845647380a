// RaftLog. Core: std and fmt only.
#include "engine/core/raft/log.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::raft {

void RaftLog::restore_persisted(LogIndex snapshot_index, Term snapshot_term,
                                std::vector<Entry> entries, LogIndex commit_index) {
  QUORUM_ASSERT(entries_.empty());
  QUORUM_ASSERT(validate_slice(entries).empty(), "{}", validate_slice(entries));
  if (!entries.empty()) {
    QUORUM_ASSERT(entries.front().index == snapshot_index + 1, "log starts at {}, snapshot at {}",
                  entries.front().index, snapshot_index);
    QUORUM_ASSERT(entries.front().term >= snapshot_term);
  }
  snapshot_index_ = snapshot_index;
  snapshot_term_ = snapshot_term;
  entries_.assign(std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  // A persisted commit index older than the snapshot is fine (commit need not be persisted
  // eagerly); one beyond the log is corruption the host must have caught.
  QUORUM_ASSERT(commit_index <= last_index(), "commit {} beyond last {}", commit_index,
                last_index());
  commit_index_ = std::max(commit_index, snapshot_index);
  applying_index_ = snapshot_index;
  applied_index_ = snapshot_index;
  persisted_index_ = last_index();
  unstable_index_ = last_index() + 1;
  QUORUM_ASSERT_EXPENSIVE(check().empty(), "{}", check());
}

Term RaftLog::last_term() const {
  return entries_.empty() ? snapshot_term_ : entries_.back().term;
}

std::optional<Term> RaftLog::term_at(LogIndex index) const {
  if (index == snapshot_index_) return snapshot_term_;
  if (index < snapshot_index_ || index > last_index()) return std::nullopt;
  return entry(index).term;
}

bool RaftLog::matches(LogIndex index, Term term) const {
  std::optional<Term> t = term_at(index);
  return t.has_value() && *t == term;
}

const Entry& RaftLog::at(LogIndex index) const {
  QUORUM_ASSERT(index > snapshot_index_, "index {} compacted (snapshot {})", index,
                snapshot_index_);
  QUORUM_ASSERT(index <= last_index(), "index {} beyond last {}", index, last_index());
  const Entry& e = entry(index);
  QUORUM_ASSERT(e.index == index);
  return e;
}

bool RaftLog::is_up_to_date(LogIndex other_last_index, Term other_last_term) const {
  // Raft §5.4.1: compare the terms of the last entries first, then the lengths.
  const Term mine = last_term();
  if (other_last_term != mine) return other_last_term > mine;
  return other_last_index >= last_index();
}

void RaftLog::append(Entry e) {
  QUORUM_ASSERT(e.index == last_index() + 1, "append {} after {}", e.index, last_index());
  QUORUM_ASSERT(e.term >= last_term(), "append term {} after {}", e.term, last_term());
  QUORUM_ASSERT(e.term > 0);
  entries_.push_back(std::move(e));
}

LogIndex RaftLog::append_after_match(const std::vector<Entry>& entries, bool allow_unsafe) {
  LogIndex truncated_from = 0;
  for (const Entry& e : entries) {
    if (e.index <= snapshot_index_) continue;  // covered by the snapshot: identical by §5.4
    if (e.index <= last_index()) {
      if (entry(e.index).term == e.term) continue;  // Fig. 2 rule 4: already present
      // Fig. 2 rule 3: an existing entry conflicts with a new one: delete it and all that follow.
      QUORUM_ASSERT(allow_unsafe || e.index > commit_index_,
                    "truncating committed entry {} (commit {})", e.index, commit_index_);
      truncated_from = e.index;
      commit_index_ = std::min(commit_index_, e.index - 1);  // only under a planted bug
      applying_index_ = std::min(applying_index_, commit_index_);
      applied_index_ = std::min(applied_index_, commit_index_);
      entries_.resize(e.index - snapshot_index_ - 1);
      persisted_index_ = std::min(persisted_index_, e.index - 1);
      unstable_index_ = std::min(unstable_index_, e.index);
    }
    append(e);
  }
  return truncated_from;
}

LogIndex RaftLog::find_conflict_by_term(LogIndex index, Term term) const {
  index = std::min(index, last_index());
  if (index < snapshot_index_) return index;  // terms unknown: the caller needs a snapshot
  while (index > snapshot_index_) {
    if (entry(index).term <= term) return index;
    --index;
  }
  QUORUM_ASSERT(index == snapshot_index_);
  if (snapshot_term_ <= term || index == 0) return index;
  return index - 1;
}

std::vector<Entry> RaftLog::slice(LogIndex lo, LogIndex hi, std::uint64_t bytes_max) const {
  QUORUM_ASSERT(lo > snapshot_index_, "slice from {} compacted (snapshot {})", lo, snapshot_index_);
  QUORUM_ASSERT(hi <= last_index());
  std::vector<Entry> out;
  std::uint64_t bytes = 0;
  for (LogIndex i = lo; i <= hi; ++i) {
    const Entry& e = entry(i);
    bytes += e.data.size();
    if (!out.empty() && bytes > bytes_max) break;
    out.push_back(e);
  }
  QUORUM_ASSERT(lo > hi || !out.empty());
  return out;
}

void RaftLog::commit_to(LogIndex index) {
  QUORUM_ASSERT(index <= last_index(), "commit {} beyond last {}", index, last_index());
  if (index <= commit_index_) return;  // commit never decreases (Fig. 2)
  commit_index_ = index;
}

std::vector<Entry> RaftLog::take_unstable() {
  std::vector<Entry> out;
  if (!has_unstable()) return out;
  QUORUM_ASSERT(unstable_index_ > snapshot_index_);
  out.reserve(last_index() - unstable_index_ + 1);
  for (LogIndex i = unstable_index_; i <= last_index(); ++i) out.push_back(entry(i));
  unstable_index_ = last_index() + 1;
  return out;
}

std::vector<Entry> RaftLog::take_committed() {
  std::vector<Entry> out;
  if (!has_committed_to_apply()) return out;
  QUORUM_ASSERT(applying_index_ >= snapshot_index_);
  out.reserve(commit_index_ - applying_index_);
  for (LogIndex i = applying_index_ + 1; i <= commit_index_; ++i) out.push_back(entry(i));
  applying_index_ = commit_index_;
  return out;
}

void RaftLog::on_persisted(EntryId last) {
  // Only raise persisted_index if the entry handed out is still in the log with the same term
  // (log matching then vouches for everything before it) and has not been replaced since.
  if (last.index == 0) return;
  // Entries compacted since were applied, hence committed: they cannot have been replaced.
  if (last.index >= snapshot_index_ && !matches(last.index, last.term)) return;
  const LogIndex durable = std::min(last.index, unstable_index_ - 1);
  persisted_index_ = std::max(persisted_index_, durable);
  QUORUM_ASSERT(persisted_index_ <= last_index());
}

void RaftLog::on_applied(LogIndex index) {
  QUORUM_ASSERT(index <= applying_index_, "applied {} beyond handed out {}", index,
                applying_index_);
  applied_index_ = std::max(applied_index_, index);
}

void RaftLog::compact(LogIndex index) {
  QUORUM_ASSERT(index > snapshot_index_, "compact {} not after snapshot {}", index,
                snapshot_index_);
  QUORUM_ASSERT(index <= applying_index_, "compact {} beyond applied {}", index, applying_index_);
  // NB: index may exceed persisted_index: a follower applies entries of the batch it is persisting,
  // and the host may compact before advance(). They are durable by then (persist before apply).
  const Term term = entry(index).term;
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_index_));
  snapshot_index_ = index;
  snapshot_term_ = term;
  QUORUM_ASSERT(first_index() == index + 1);
}

void RaftLog::restore_snapshot(const SnapshotMeta& meta) {
  QUORUM_ASSERT(meta.last_index > commit_index_, "snapshot {} not beyond commit {}",
                meta.last_index, commit_index_);
  entries_.clear();
  snapshot_index_ = meta.last_index;
  snapshot_term_ = meta.last_term;
  commit_index_ = meta.last_index;
  applying_index_ = meta.last_index;
  persisted_index_ = meta.last_index;  // persisted with the snapshot in the same Ready batch
  unstable_index_ = meta.last_index + 1;
  QUORUM_ASSERT(last_index() == meta.last_index);
}

std::string RaftLog::check() const {
  if (applying_index_ < snapshot_index_) {
    return fmt::format("applying {} below snapshot {}", applying_index_, snapshot_index_);
  }
  if (applied_index_ > applying_index_) {
    return fmt::format("applied {} beyond applying {}", applied_index_, applying_index_);
  }
  if (applying_index_ > commit_index_) {
    return fmt::format("applying {} beyond commit {}", applying_index_, commit_index_);
  }
  if (commit_index_ > last_index()) {
    return fmt::format("commit {} beyond last {}", commit_index_, last_index());
  }
  if (persisted_index_ > last_index()) {
    return fmt::format("persisted {} beyond last {}", persisted_index_, last_index());
  }
  if (unstable_index_ > last_index() + 1) {
    return fmt::format("unstable {} beyond last {} + 1", unstable_index_, last_index());
  }
  // The order of the whole log is asserted entry by entry on append; here only the boundary and
  // the newest entries are re-checked, so that checking after every event stays O(1).
  const std::size_t checked = std::min<std::size_t>(entries_.size(), 4);
  for (std::size_t k = entries_.size() - checked; k < entries_.size(); ++k) {
    const LogIndex expected = snapshot_index_ + k + 1;
    if (entries_[k].index != expected) {
      return fmt::format("entry {} has index {}", expected, entries_[k].index);
    }
    const Term before = k == 0 ? snapshot_term_ : entries_[k - 1].term;
    if (entries_[k].term < before) return fmt::format("term decreases at {}", expected);
  }
  return {};
}

}  // namespace quorum::raft
