#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"

namespace quorum::raft {

enum class Role : std::uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };
std::string_view role_name(Role role);

// Figure 2 "persistent state on all servers", plus commit_index (persisting it lets a restarted
// node apply up to it at once; it is never required for safety).
struct HardState {
  Term current_term = 0;
  NodeId voted_for = kNoNode;
  LogIndex commit_index = 0;
  friend bool operator==(const HardState&, const HardState&) = default;
};

// Volatile state a host or a user wants to observe; reported in Ready when it changes.
struct SoftState {
  Role role = Role::kFollower;
  NodeId leader_id = kNoNode;
  Term term = 0;
  friend bool operator==(const SoftState&, const SoftState&) = default;
};

// What the host hands the core at start: everything the Storage port persisted.
// A fresh node has an empty log, a zero hard state and no snapshot; its membership comes from
// `bootstrap` (the configured peers). Otherwise the membership is the one of the last membership
// entry in `entries`, else the snapshot's.
struct PersistedState {
  HardState hard_state;
  std::optional<SnapshotMeta> snapshot;  // data stays with the host
  std::vector<Entry> entries;            // the log after the snapshot, consecutive
  // The snapshot's data, so that a restarted leader can send it to a lagging follower. Empty if
  // there is no snapshot.
  std::string snapshot_data;
  Membership bootstrap;  // used when neither snapshot nor log names one
};

}  // namespace quorum::raft
