// GaleraFence: fencing at the database. The ownership table (cluster, owner, epoch, lease) and
// the leader record (term, leader) are mirrored into the cmon database, and a write made on
// behalf of a managed cluster runs in a transaction that first fences itself on its epoch, so a
// stale owner (or a stale leader) is refused by the database itself, whatever it believes.
//
// Schema (database `quorum_fence` by default; DDL replicates through Galera's TOI):
//   ownership(cluster_id PK, owner, epoch, lease_until_ms, fenced_writes)
//   leader(id = 1 PK, term, leader, fenced_writes)
//   PROCEDURE fence(cluster, epoch): UPDATE ownership SET fenced_writes = fenced_writes + 1
//     WHERE cluster_id = cluster AND epoch = epoch; no row -> SIGNAL 45000 (error 1644,
//     "quorum fence: stale epoch ..."). PROCEDURE fence_leader(term): the same on the leader row.
// Why an UPDATE and not a SELECT: Galera certifies write sets, not reads. The fenced transaction
// writes the ownership row, so it conflicts with a concurrent epoch bump on any node (one of the
// two gets 1213 and is rolled back); a SELECT ... FOR UPDATE locks only on the local node.
// Publishing is monotonic: an older epoch (term) never overwrites a newer one, so a delayed or
// stale publisher cannot roll the mirror back. Every fenced transaction sets wsrep_sync_wait = 1
// so that its reads see every write committed anywhere in the cluster before it.
//
// Adapter layer; blocking (a worker thread, like the probe). Uses one GaleraProbe connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/galera/probe.h"
#include "engine/core/base/types.h"
#include "engine/core/ownership/types.h"

namespace quorum::adapters::galera {

// MariaDB's error for an unhandled SIGNAL: what a refused fence returns.
constexpr std::uint32_t kFenceRefusedError = 1644;

using ownership::ClusterId;
using ownership::Epoch;

// One mirrored ownership row. lease_until_ms: Unix ms by the publishing leader's wall clock
// before which that leader grants the cluster to nobody else (informational: the database
// fences on the epoch, never on a clock).
struct OwnerRow {
  ClusterId cluster = 0;
  NodeId owner = kNoNode;
  Epoch epoch = 0;
  std::uint64_t lease_until_ms = 0;
  friend bool operator==(const OwnerRow&, const OwnerRow&) = default;
};

class GaleraFence {
 public:
  GaleraFence(GaleraProbe& connection, std::string database = "quorum_fence");

  // Creates the database, tables and procedures if missing. 0 or the error code (*error).
  std::uint32_t ensure_schema(std::string* error);
  // Mirrors one ownership row (monotonic in epoch).
  std::uint32_t publish_owner(ClusterId cluster, NodeId owner, Epoch epoch,
                              std::uint64_t lease_until_ms, std::string* error);
  // Mirrors the leader record (monotonic in term).
  std::uint32_t publish_leader(Term term, NodeId leader, std::string* error);
  // The leader's publication (docs/operations.md section 7, "Who publishes"), one transaction:
  // the leader record (monotonic), then fence_leader(term), then every row (monotonic in
  // epoch, statements of at most kRowsPerStatement rows), then COMMIT. A leader of an older
  // term than the published one is refused (kFenceRefusedError, "stale term"): nothing of a
  // deposed leader's publication lands. Galera certifies the leader row the transaction wrote,
  // so a publication racing with a newer leader's on another node is aborted (1213) too.
  std::uint32_t publish_as_leader(Term term, NodeId leader, const std::vector<OwnerRow>& rows,
                                  std::string* error);
  static constexpr std::size_t kRowsPerStatement = 500;

  // One transaction: fence(cluster, epoch), fence_leader(term) when term != 0, then each
  // statement, then COMMIT. Any error rolls it back and is returned (kFenceRefusedError when
  // the epoch or term is stale: the statements did not run).
  std::uint32_t fenced_write(ClusterId cluster, Epoch epoch, Term term,
                             const std::vector<std::string>& statements, std::string* error);

  // The SQL a script runs for the same fence (docs/operations.md): "CALL db.fence(c, e)".
  std::string fence_call(ClusterId cluster, Epoch epoch) const;

 private:
  // Runs `steps` (a transaction ending in COMMIT) in order; on the first error, ROLLBACK and its
  // code (0: all ran).
  std::uint32_t execute_or_roll_back(const std::vector<std::string>& steps, std::string* error);

  GaleraProbe& connection_;
  std::string database_;
};

}  // namespace quorum::adapters::galera
