// Invariant checkers of the config-sync state machine. Core: std and fmt only.
#include "engine/core/config_sync/invariants.h"

#include <fmt/format.h>

namespace quorum::config_sync {

std::string check_state(const StateMachine& machine) {
  if (machine.files().size() > kFilesMax) {
    return fmt::format("{} files, above the limit of {}", machine.files().size(), kFilesMax);
  }
  for (const auto& [path, file] : machine.files()) {
    std::string reason = validate_file_entry(path, file, machine.applied_index());
    if (!reason.empty()) return fmt::format("file '{}': {}", path, reason);
  }
  return conflicting_paths_reason(machine.files());
}

std::string check_transition(const StateMachine& before, const StateMachine& after) {
  if (after.applied_index() < before.applied_index()) {
    return fmt::format("applied index went back from {} to {}", before.applied_index(),
                       after.applied_index());
  }
  for (const auto& [path, file] : after.files()) {
    if (file.version > before.applied_index()) {
      if (file.version > after.applied_index()) {
        return fmt::format("file '{}': version {} is above the applied index {}", path,
                           file.version, after.applied_index());
      }
      continue;
    }
    const FileEntry* old = before.find(path);
    if (old == nullptr) {
      return fmt::format("file '{}' appeared with an old version {} (applied index was {})", path,
                         file.version, before.applied_index());
    }
    if (!(*old == file)) {
      return fmt::format("file '{}' changed without a new version (version {})", path,
                         file.version);
    }
  }
  return {};
}

}  // namespace quorum::config_sync
