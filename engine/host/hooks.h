// HostHooks: the subscribers a NodeHost calls synchronously when a fact becomes true. The
// simulator's checkers and quorumd's logs and metrics observe the host only through these.
// Host layer: core only.
#pragma once

#include <functional>
#include <vector>

#include "engine/core/base/status.h"
#include "engine/core/base/types.h"
#include "engine/core/raft/entry.h"
#include "engine/core/raft/state.h"
#include "engine/core/raft/trace.h"
#include "engine/host/ports/storage.h"

namespace quorum::host {

struct HostHooks {
  std::vector<std::function<void(const raft::SoftState&)>> role_change;
  std::vector<std::function<void(const raft::TraceEvent&)>> trace;
  std::vector<std::function<void(const raft::Entry&)>> apply;
  std::vector<std::function<void(const PersistBatch&)>> persist;
  // A snapshot from `from` failed validation and was dropped before the core saw it.
  std::vector<std::function<void(NodeId from, const Status& why)>> snapshot_refused;

  void role_changed(const raft::SoftState& state) const {
    for (const auto& fn : role_change) fn(state);
  }
  void traced(const raft::TraceEvent& event) const {
    for (const auto& fn : trace) fn(event);
  }
  void applied(const raft::Entry& entry) const {
    for (const auto& fn : apply) fn(entry);
  }
  void persisted(const PersistBatch& batch) const {
    for (const auto& fn : persist) fn(batch);
  }
  void refused_snapshot(NodeId from, const Status& why) const {
    for (const auto& fn : snapshot_refused) fn(from, why);
  }
};

}  // namespace quorum::host
