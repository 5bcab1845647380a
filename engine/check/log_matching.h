// Invariant 2 (log matching): logs that agree on (index, term) agree on every entry before it.
// Every entry a node's storage accepts is recorded as (index, term) -> chain hash (log_model.h);
// a second entry with the same (index, term) but another chain is a violation. One map lookup
// per written entry.
#pragma once

#include <map>
#include <optional>
#include <utility>

#include "engine/check/findings.h"

namespace quorum::check {

class LogMatching {
 public:
  explicit LogMatching(Findings& findings) : findings_(findings) {}
  void on_written(std::uint64_t time_us, NodeId node, LogIndex index, Term term,
                  std::uint64_t chain);
  std::optional<std::uint64_t> chain_of(LogIndex index, Term term) const;
  std::size_t entries_seen() const { return chain_by_id_.size(); }

 private:
  struct Seen {
    std::uint64_t chain;
    NodeId first_node;
  };
  Findings& findings_;
  std::map<std::pair<LogIndex, Term>, Seen> chain_by_id_;
};

}  // namespace quorum::check
