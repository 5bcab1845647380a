// Log slice validity rules (entry.h). Core: std and fmt only.
#include "engine/core/raft/entry.h"

#include <fmt/format.h>

namespace quorum::raft {

std::string validate_slice(const std::vector<Entry>& entries) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.index == 0) return fmt::format("entry {} has index 0", i);
    if (e.term == 0) return fmt::format("entry at index {} has term 0", e.index);
    if (i > 0) {
      if (e.index != entries[i - 1].index + 1) {
        return fmt::format("indexes not consecutive: {} after {}", e.index, entries[i - 1].index);
      }
      if (e.term < entries[i - 1].term) {
        return fmt::format("term decreases at index {}: {} after {}", e.index, e.term,
                           entries[i - 1].term);
      }
    }
    switch (e.kind) {
      case EntryKind::kNoop:
        if (!e.data.empty() || !e.membership.members.empty()) {
          return fmt::format("no-op entry at index {} carries a payload", e.index);
        }
        break;
      case EntryKind::kCommand:
        if (!e.membership.members.empty()) {
          return fmt::format("command entry at index {} carries a membership", e.index);
        }
        break;
      case EntryKind::kMembership: {
        if (!e.data.empty()) {
          return fmt::format("membership entry at index {} carries data", e.index);
        }
        std::string why = e.membership.validate();
        if (!why.empty()) return fmt::format("membership entry at index {}: {}", e.index, why);
        break;
      }
    }
  }
  return {};
}

}  // namespace quorum::raft
