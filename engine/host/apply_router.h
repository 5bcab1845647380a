// ApplyRouter: committed command entries -> the state machines, plus their combined snapshot.
// Owns the state machines. Host layer: core + wire (the codec decodes payloads and snapshots).
#pragma once

#include <string>

#include "engine/core/base/status.h"
#include "engine/core/config_sync/state_machine.h"
#include "engine/core/raft/entry.h"

namespace quorum::host {

class ApplyRouter {
 public:
  // Applies a committed kCommand entry. An undecodable payload is rejected (kInvalidPath with a
  // reason) on every node alike: the bytes are the same everywhere, so the outcome is too.
  config_sync::ApplyResult apply(const raft::Entry& entry);
  // The encoded state of every state machine, taken at `applied_index`.
  std::string snapshot_data(LogIndex applied_index) const;
  // Replaces every state machine's state. The data is untrusted (disk or network): validated.
  // Asserts nothing about it; returns corruption if it does not decode or does not validate.
  Status restore(LogIndex last_index, const std::string& data);

  const config_sync::StateMachine& config() const { return config_; }

 private:
  config_sync::StateMachine config_;
};

}  // namespace quorum::host
