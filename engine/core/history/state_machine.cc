// The leadership history (state_machine.h). Core: pure.
#include "engine/core/history/state_machine.h"

#include <fmt/format.h>

#include <utility>

#include "engine/core/base/assert.h"

namespace quorum::history {

std::string_view reason_name(Reason reason) {
  switch (reason) {
    case Reason::kElection:
      return "election";
    case Reason::kTransfer:
      return "transfer";
  }
  return "unknown";
}

ApplyResult StateMachine::apply(LogIndex index, const Record& record) {
  QUORUM_ASSERT(index > applied_index_);
  applied_index_ = index;
  if (record.term == 0 || record.leader == kNoNode) {
    return {ApplyResult::Code::kInvalid, "a leader record names no term or no leader"};
  }
  const Change* last = changes_.empty() ? nullptr : &changes_.back();
  if (last != nullptr && record.term <= last->record.term) {
    return {ApplyResult::Code::kStale,
            fmt::format("term {} is not above the newest recorded term {}", record.term,
                        last->record.term)};
  }
  Change change{record, index, last ? last->record.leader : kNoNode,
                last ? last->record.term : 0};
  changes_.push_back(change);
  if (changes_.size() > kRecordsMax) changes_.pop_front();
  return {};
}

std::string validate_changes(const std::deque<Change>& changes, LogIndex applied_index) {
  if (changes.size() > kRecordsMax) {
    return fmt::format("{} leader records, above the limit {}", changes.size(), kRecordsMax);
  }
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    if (c.record.term == 0 || c.record.leader == kNoNode) {
      return fmt::format("leader record {} names no term or no leader", i);
    }
    if (c.record.reason != Reason::kElection && c.record.reason != Reason::kTransfer) {
      return fmt::format("leader record {} has an unknown reason", i);
    }
    if (c.index == 0 || c.index > applied_index) {
      return fmt::format("leader record {} at index {} outside 1..{}", i, c.index, applied_index);
    }
    if (i == 0) continue;
    const Change& before = changes[i - 1];
    if (c.record.term <= before.record.term || c.index <= before.index) {
      return fmt::format("leader record {} (term {}, index {}) does not follow term {} index {}", i,
                         c.record.term, c.index, before.record.term, before.index);
    }
    if (c.previous_leader != before.record.leader || c.previous_term != before.record.term) {
      return fmt::format("leader record {} names a previous leader other than record {}", i, i - 1);
    }
  }
  return {};
}

Status StateMachine::restore(LogIndex applied_index, std::deque<Change> changes) {
  if (std::string reason = validate_changes(changes, applied_index); !reason.empty()) {
    return Status::corruption("leader history: " + reason);
  }
  changes_ = std::move(changes);
  applied_index_ = applied_index;
  return Status::ok();
}

}  // namespace quorum::history
