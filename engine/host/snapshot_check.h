// Checks a snapshot received from a peer BEFORE the core sees it (issue 9 item 4). Host layer.
//
// Why here: once the core steps a SnapshotRequest it replaces its log with the snapshot, and
// the Ready that follows persists it and acknowledges it to the leader; a restore that fails
// after that leaves a stored snapshot the node cannot start from, on every restart. So the
// host decodes and validates the data exactly as a restore would (every state machine's own
// checks, through a scratch ApplyRouter) and drops a snapshot that fails: nothing is stored,
// nothing is acknowledged, the refusal is reported through HostHooks::snapshot_refused.
#pragma once

#include "engine/core/base/status.h"
#include "engine/core/raft/snapshot.h"

namespace quorum::host {

// Status::ok() if restoring `snapshot` would succeed; else the restore's error. Never asserts
// on the data (it is untrusted).
Status check_received_snapshot(const raft::Snapshot& snapshot);

}  // namespace quorum::host
