// The leadership history: a replicated, bounded record of leader changes (term, leader, the
// leader before it, why, and the proposer's wall-clock time), for `quorumctl controller
// --history`. A new leader proposes one Record for its term once it leads; applying is a pure
// function of the log, so every controller shows the same history, and it survives the loss of
// any minority (it is in the log and the snapshot like the config files).
//
// Invariants (validate): terms strictly increase along the history; at most kRecordsMax records
// (the oldest are dropped first); every record names a leader and a term > 0.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "engine/core/base/status.h"
#include "engine/core/base/types.h"

namespace quorum::history {

inline constexpr std::size_t kRecordsMax = 128;

// Why the leader was elected, as it knows it itself.
enum class Reason : std::uint8_t {
  kElection = 1,  // it campaigned after its election timeout elapsed without a leader
  kTransfer = 2,  // the previous leader handed leadership to it (TimeoutNow)
};
std::string_view reason_name(Reason reason);  // "election", "transfer"

// What the new leader proposes. `wall_ms` is its own wall clock (Unix ms) when it proposed:
// data carried in the entry, never read at apply.
struct Record {
  Term term = 0;
  NodeId leader = kNoNode;
  Reason reason = Reason::kElection;
  std::uint64_t wall_ms = 0;
  friend bool operator==(const Record&, const Record&) = default;
};

// One line of the history: the record plus what apply derived from the log.
struct Change {
  Record record;
  LogIndex index = 0;               // the entry that recorded it
  NodeId previous_leader = kNoNode;  // the leader of the record before, kNoNode for the first
  Term previous_term = 0;
  friend bool operator==(const Change&, const Change&) = default;
};

struct ApplyResult {
  enum class Code : std::uint8_t {
    kApplied,
    kStale,    // a term at or below the newest recorded one (a late or repeated proposal)
    kInvalid,  // term 0 or no leader
  };
  Code code = Code::kApplied;
  std::string reason;
  friend bool operator==(const ApplyResult&, const ApplyResult&) = default;
};

// Not thread-safe; owned by the host's apply loop. Copyable.
class StateMachine {
 public:
  // Applies the record committed at `index`. Rejected records change nothing but the applied
  // index. Asserts: index > applied_index().
  ApplyResult apply(LogIndex index, const Record& record);

  const std::deque<Change>& changes() const { return changes_; }  // oldest first
  LogIndex applied_index() const { return applied_index_; }
  // Replaces the state (snapshot install or restart); untrusted: validated, unchanged on error.
  Status restore(LogIndex applied_index, std::deque<Change> changes);

 private:
  std::deque<Change> changes_;
  LogIndex applied_index_ = 0;
};

// Empty if `changes` is a history the state machine could have built by `applied_index`,
// otherwise the reason.
std::string validate_changes(const std::deque<Change>& changes, LogIndex applied_index);

}  // namespace quorum::history
