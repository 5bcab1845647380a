// Ready::check (the host's pair assertion) and Ready::empty. Core: std and fmt only.
#include "engine/core/raft/ready.h"

#include <fmt/format.h>

namespace quorum::raft {
namespace {

std::string check_messages(const std::vector<Message>& messages, std::string_view list) {
  for (const Message& m : messages) {
    if (m.from == kNoNode) return fmt::format("{}: message without sender", list);
    if (m.to == kNoNode) return fmt::format("{}: message without recipient", list);
    if (m.to == m.from) return fmt::format("{}: message to self ({})", list, m.to);
    if (m.term == 0) return fmt::format("{}: message at term 0", list);
  }
  return {};
}

}  // namespace

std::string Ready::check() const {
  if (std::string why = validate_slice(entries); !why.empty()) return "entries: " + why;
  if (std::string why = validate_slice(committed_entries); !why.empty()) {
    return "committed_entries: " + why;
  }
  if (snapshot && snapshot->meta.last_index == 0) return "snapshot at index 0";
  if (snapshot_received && !snapshot) return "snapshot_received without a snapshot";
  if (snapshot && !entries.empty() && entries.front().index <= snapshot->meta.last_index) {
    return fmt::format("entries start at {}, inside the snapshot ending at {}",
                       entries.front().index, snapshot->meta.last_index);
  }
  if (hard_state && !committed_entries.empty() &&
      committed_entries.back().index > hard_state->commit_index) {
    return fmt::format("committed entry {} beyond commit_index {}", committed_entries.back().index,
                       hard_state->commit_index);
  }
  if (!entries.empty() && !must_sync) return "entries without must_sync";
  if (snapshot && !must_sync) return "snapshot without must_sync";
  if (std::string why = check_messages(messages, "messages"); !why.empty()) return why;
  if (std::string why = check_messages(messages_after_persist, "messages_after_persist");
      !why.empty()) {
    return why;
  }
  return {};
}

bool Ready::empty() const {
  return !soft_state && !hard_state && entries.empty() && !snapshot && committed_entries.empty() &&
         messages.empty() && messages_after_persist.empty() && read_states.empty() &&
         trace_events.empty();
}

}  // namespace quorum::raft
