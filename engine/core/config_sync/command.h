// Commands of the config-sync state machine: a replicated map of config files.
// Value types only; the wire codec (engine/wire) turns them into entry bytes and back.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "engine/core/base/types.h"

namespace quorum::config_sync {

struct Put {
  std::string path;
  std::string content;
  friend bool operator==(const Put&, const Put&) = default;
};

struct Delete {
  std::string path;
  friend bool operator==(const Delete&, const Delete&) = default;
};

// Compare-and-set: writes only if the file's current version equals expected_version
// (0 = the file must not exist).
struct PutIfVersion {
  std::string path;
  std::string content;
  LogIndex expected_version = 0;
  friend bool operator==(const PutIfVersion&, const PutIfVersion&) = default;
};

using Command = std::variant<Put, Delete, PutIfVersion>;

}  // namespace quorum::config_sync
