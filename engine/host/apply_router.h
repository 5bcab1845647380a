// ApplyRouter: committed command entries -> the state machine of their family, plus the
// combined snapshot (one section per state machine). Owns the state machines (AppState).
// Host layer: core + wire (the codec decodes payloads and snapshots).
#pragma once

#include <string>

#include "engine/core/base/mutation.h"
#include "engine/core/base/status.h"
#include "engine/core/raft/entry.h"
#include "engine/host/app_command.h"

namespace quorum::host {

class ApplyRouter {
 public:
  // Applies a committed kCommand entry to the state machine of its family (one handler per
  // case). An undecodable payload gives UndecodableCommand on every node alike (the bytes are the
  // same everywhere) and changes no state machine.
  // Asserts: entry.index is above every state machine's applied index.
  AppResult apply(const raft::Entry& entry);
  // The encoded state of every state machine, taken at `applied_index`.
  std::string snapshot_data(LogIndex applied_index) const;
  // Replaces every state machine's state. The data is untrusted (disk or network): validated
  // section by section, and nothing changes unless every section restores.
  // Returns corruption if it does not decode or does not validate.
  Status restore(LogIndex last_index, const std::string& data);
  // Planted bug (l) (base/mutation.h): passed to the ownership state machine at every apply, so it
  // survives restore(). kNone in production.
  void set_mutation(Mutation mutation) { mutation_ = mutation; }

  const AppState& state() const { return state_; }

 private:
  AppResult apply_command(LogIndex index, const config_sync::Command& command);
  AppResult apply_command(LogIndex index, const ownership::Command& command);
  AppResult apply_command(LogIndex index, const history::Record& record);

  AppState state_;
  Mutation mutation_ = Mutation::kNone;
};

}  // namespace quorum::host
