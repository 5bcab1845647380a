#include "engine/host/snapshot_check.h"

#include "engine/host/apply_router.h"

namespace quorum::host {

Status check_received_snapshot(const raft::Snapshot& snapshot) {
  // The same code path as the real install: whatever ApplyRouter::restore validates (every
  // state machine section) is validated here, on a router that is thrown away.
  ApplyRouter scratch;
  return scratch.restore(snapshot.meta.last_index, snapshot.data);
}

}  // namespace quorum::host
