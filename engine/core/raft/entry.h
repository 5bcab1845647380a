// Log entries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/core/raft/membership.h"

namespace quorum::raft {

enum class EntryKind : std::uint8_t {
  kNoop,        // appended by every new leader (Raft §8): commits the leader's term
  kCommand,     // opaque state-machine command (data), routed by the host's apply router
  kMembership,  // a membership change; takes effect when appended (thesis §4.1)
};

struct EntryId {
  Term term = 0;
  LogIndex index = 0;
  friend bool operator==(const EntryId&, const EntryId&) = default;
};

struct Entry {
  Term term = 0;
  LogIndex index = 0;
  EntryKind kind = EntryKind::kNoop;
  std::string data;       // kCommand only
  Membership membership;  // kMembership only: the full configuration after the change

  EntryId id() const { return {term, index}; }
  friend bool operator==(const Entry&, const Entry&) = default;
};

// Validity of a slice handed across a boundary (messages, Ready, PersistedState):
//  1. indexes are consecutive;  2. terms never decrease;  3. each entry's fields match its kind.
// Returns an empty string if valid, otherwise the first broken rule.
std::string validate_slice(const std::vector<Entry>& entries);

}  // namespace quorum::raft
