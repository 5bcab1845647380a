#pragma once

#include <string>

#include "engine/core/base/types.h"
#include "engine/core/raft/membership.h"

namespace quorum::raft {

struct SnapshotMeta {
  LogIndex last_index = 0;  // last entry the snapshot covers
  Term last_term = 0;       // its term
  Membership membership;    // the configuration as of last_index
  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

// A snapshot of every state machine at meta.last_index. `data` is opaque to the core: the host's
// apply router produces and restores it.
struct Snapshot {
  SnapshotMeta meta;
  std::string data;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

}  // namespace quorum::raft
