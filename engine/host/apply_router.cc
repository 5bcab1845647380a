// Routing committed entries to the state machines. Host layer: core + wire.
#include "engine/host/apply_router.h"

#include <fmt/format.h>

#include <utility>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"

namespace quorum::host {

AppResult ApplyRouter::apply(const raft::Entry& entry) {
  QUORUM_ASSERT(entry.kind == raft::EntryKind::kCommand);
  QUORUM_ASSERT(entry.index > state_.config.applied_index());
  QUORUM_ASSERT(entry.index > state_.ownership.applied_index());
  QUORUM_ASSERT(entry.index > state_.history.applied_index());
  Result<AppCommand> command = decode_app_command(entry.data);
  if (!command.has_value()) {
    return UndecodableCommand{"undecodable command: " + command.error().to_string()};
  }
  return std::visit([this, &entry](const auto& c) { return apply_command(entry.index, c); },
                    *command);
}

AppResult ApplyRouter::apply_command(LogIndex index, const config_sync::Command& command) {
  config_sync::ApplyResult result = state_.config.apply(index, command);
  QUORUM_ASSERT(state_.config.applied_index() == index);
  return result;
}

AppResult ApplyRouter::apply_command(LogIndex index, const ownership::Command& command) {
  state_.ownership.set_mutation(mutation_);
  ownership::ApplyResult result = state_.ownership.apply(index, command);
  QUORUM_ASSERT(state_.ownership.applied_index() == index);
  return result;
}

AppResult ApplyRouter::apply_command(LogIndex index, const history::Record& record) {
  history::ApplyResult result = state_.history.apply(index, record);
  QUORUM_ASSERT(state_.history.applied_index() == index);
  return result;
}

std::string ApplyRouter::snapshot_data(LogIndex applied_index) const {
  QUORUM_ASSERT(applied_index >= state_.config.applied_index());
  QUORUM_ASSERT(applied_index >= state_.ownership.applied_index());
  QUORUM_ASSERT(applied_index >= state_.history.applied_index());
  wire::AppSnapshot snapshot;
  // A state machine's own applied index trails when the last entries were not its own (no-ops,
  // membership, the other family); restoring puts it at the snapshot's index, so record that.
  snapshot.config_applied_index = applied_index;
  snapshot.config_files = state_.config.files();
  snapshot.ownership = wire::OwnershipSnapshot{applied_index, state_.ownership.snapshot()};
  snapshot.history = wire::HistorySnapshot{applied_index, state_.history.changes()};
  return wire::encode_app_snapshot(snapshot);
}

Status ApplyRouter::restore(LogIndex last_index, const std::string& data) {
  Result<wire::AppSnapshot> snapshot = wire::decode_app_snapshot(data);
  if (!snapshot.has_value()) return snapshot.error();
  if (snapshot->config_applied_index > last_index) {
    return Status::corruption(fmt::format("app snapshot at index {} labelled as index {}",
                                          snapshot->config_applied_index, last_index));
  }
  // Every section into a fresh state machine first: a bad section leaves the state unchanged.
  AppState restored;
  Status status = restored.config.restore(last_index, std::move(snapshot->config_files));
  if (!status.is_ok()) return status;
  // A snapshot from before the pool has no ownership section: the state was empty then.
  if (snapshot->ownership.has_value() && snapshot->ownership->applied_index > last_index) {
    return Status::corruption(fmt::format("ownership section at index {} labelled as index {}",
                                          snapshot->ownership->applied_index, last_index));
  }
  status = restored.ownership.restore(
      last_index, snapshot->ownership.has_value() ? std::move(snapshot->ownership->state)
                                                  : ownership::Snapshot{});
  if (!status.is_ok()) return status;
  // A snapshot from before the leadership history has no history section: it was empty then.
  if (snapshot->history.has_value() && snapshot->history->applied_index > last_index) {
    return Status::corruption(fmt::format("history section at index {} labelled as index {}",
                                          snapshot->history->applied_index, last_index));
  }
  status = restored.history.restore(
      last_index, snapshot->history.has_value() ? std::move(snapshot->history->changes)
                                                : std::deque<history::Change>{});
  if (!status.is_ok()) return status;
  QUORUM_ASSERT(restored.config.applied_index() == last_index);
  QUORUM_ASSERT(restored.ownership.applied_index() == last_index);
  QUORUM_ASSERT(restored.history.applied_index() == last_index);
  state_ = std::move(restored);
  return Status::ok();
}

}  // namespace quorum::host
