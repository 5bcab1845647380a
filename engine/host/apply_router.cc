// Routing committed entries to the state machines. Host layer: core + wire.
#include "engine/host/apply_router.h"

#include <utility>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"

namespace quorum::host {
namespace {

// The payload bytes are the same on every node, so every node rejects them alike.
config_sync::ApplyResult undecodable(const Status& status) {
  config_sync::ApplyResult rejected;
  rejected.code = config_sync::ApplyResult::Code::kInvalidPath;
  rejected.reason = "undecodable command: " + status.to_string();
  return rejected;
}

}  // namespace

config_sync::ApplyResult ApplyRouter::apply(const raft::Entry& entry) {
  QUORUM_ASSERT(entry.kind == raft::EntryKind::kCommand);
  QUORUM_ASSERT(entry.index > config_.applied_index());
  // One parse on the common path: a config command. Only if it does not decode is the family
  // looked at, to give the same reason as a family-first dispatch would.
  Result<config_sync::Command> command = wire::decode_config_command(entry.data);
  if (!command.has_value()) {
    Result<wire::CommandFamily> family = wire::decode_command_family(entry.data);
    if (!family.has_value()) return undecodable(family.error());
    if (*family != wire::CommandFamily::kConfig) {
      return undecodable(Status::invalid_argument("command family without a state machine"));
    }
    return undecodable(command.error());
  }
  config_sync::ApplyResult result = config_.apply(entry.index, *command);
  QUORUM_ASSERT(config_.applied_index() == entry.index);
  return result;
}

std::string ApplyRouter::snapshot_data(LogIndex applied_index) const {
  QUORUM_ASSERT(applied_index >= config_.applied_index());
  wire::AppSnapshot snapshot;
  // The state machine's own applied index may trail (no-ops do not reach it); restoring puts it
  // at the snapshot's index, so record that.
  snapshot.config_applied_index = applied_index;
  snapshot.config_files = config_.files();
  return wire::encode_app_snapshot(snapshot);
}

Status ApplyRouter::restore(LogIndex last_index, const std::string& data) {
  Result<wire::AppSnapshot> snapshot = wire::decode_app_snapshot(data);
  if (!snapshot.has_value()) return snapshot.error();
  if (snapshot->config_applied_index > last_index) {
    return Status::corruption(fmt::format("app snapshot at index {} labelled as index {}",
                                          snapshot->config_applied_index, last_index));
  }
  Status restored = config_.restore(last_index, std::move(snapshot->config_files));
  if (!restored.is_ok()) return restored;
  QUORUM_ASSERT(config_.applied_index() == last_index);
  return Status::ok();
}

}  // namespace quorum::host
