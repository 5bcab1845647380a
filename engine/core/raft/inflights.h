// Inflights: the bounded window of appends sent to one follower and not yet acknowledged
// (flow control, etcd's idea). Core: std and fmt only.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/base/types.h"

namespace quorum::raft {

// A ring of the last index carried by each in-flight append, oldest first.
// Invariant: count() <= capacity(); indexes strictly increase from oldest to newest.
class Inflights {
 public:
  explicit Inflights(std::uint32_t capacity);

  bool full() const { return count_ == capacity(); }
  std::uint32_t count() const { return count_; }
  std::uint32_t capacity() const { return static_cast<std::uint32_t>(ring_.size()); }
  // Records an append whose last entry is `last_index`. Requires !full().
  void add(LogIndex last_index);
  // The follower acknowledged everything up to `index`: frees every append ending at or before it.
  void free_up_to(LogIndex index);
  // Frees the oldest append (a heartbeat got through while the window was full).
  void free_first();
  void reset();

 private:
  std::vector<LogIndex> ring_;
  std::uint32_t start_ = 0;
  std::uint32_t count_ = 0;
};

}  // namespace quorum::raft
