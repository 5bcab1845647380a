// LogModel: the checkers' picture of every node's log, fed by what the node's storage accepted
// (the snapshot and entries of each persist batch: NodeHost::on_persist in the simulator, the
// core harness's Ready executor elsewhere) and reset from the durable state when the node
// restarts.
//
// Each entry is summarised by a hash chain (TigerBeetle's StateChecker idea):
//   chain(i) = H(chain(i-1), term(i), index(i), kind(i), data(i))
// so two logs agree on everything up to i iff their chains at i are equal. This turns "logs that
// agree on (index, term) agree on every earlier entry" into one comparison per written entry.
// A snapshot's base chain is the chain the checkers recorded for (last_index, last_term).
//
// Why this is not a StoredState (engine/host/stored_state.h, the reference store that
// MemoryStorage and the simulator's disk apply batches with): the rules are the same (a snapshot
// drops what it covers and keeps the suffix that continues it; entries replace the suffix from
// their first index), but
//  * it keeps a term and a chain per entry, not the entry: the simulator feeds it every batch of
//    every node, and a second copy of every command per node is the cost the chains avoid;
//  * engine/check depends on the core only (lint.layering), so it cannot take a host PersistBatch
//    and its snapshot_replaces_log flag; it decides by the log instead (keep the suffix iff the
//    log holds (last_index, last_term)), which gives the flag's result for every batch the core
//    makes: the core sets the flag exactly when a received snapshot does not match its log, and
//    StoredState asserts that a snapshot without the flag matches it;
//  * it is fed what a node wrote (durable or not) and reset from what survived a restart.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "engine/core/raft/entry.h"
#include "engine/core/raft/snapshot.h"
#include "engine/core/raft/state.h"

namespace quorum::check {

std::uint64_t entry_digest(const raft::Entry& entry);
std::uint64_t chain_next(std::uint64_t previous_chain, std::uint64_t digest);

class LogModel {
 public:
  // (index, term, chain) of each entry written, for the log-matching checker.
  using WrittenFn = std::function<void(NodeId, LogIndex, Term, std::uint64_t)>;
  // The chain recorded for (index, term), if any (snapshot bases).
  using ChainLookupFn = std::function<std::optional<std::uint64_t>(LogIndex, Term)>;

  LogModel(std::size_t node_count, ChainLookupFn lookup);

  // One persist batch's log part: the snapshot it installs (nullptr if none), then its entries.
  void on_persist(NodeId node, const raft::SnapshotMeta* snapshot,
                  const std::vector<raft::Entry>& entries, const WrittenFn& written);
  void reset(NodeId node, const raft::PersistedState& state, const WrittenFn& written);

  LogIndex last_index(NodeId node) const;
  LogIndex snapshot_index(NodeId node) const { return logs_[node].base_index; }
  // Term and chain at index, if the node's log holds it (0 if not: compacted or beyond the end).
  Term term_at(NodeId node, LogIndex index) const;
  std::uint64_t chain_at(NodeId node, LogIndex index) const;

 private:
  struct NodeLog {
    LogIndex base_index = 0;  // snapshot last index (0: none)
    Term base_term = 0;
    std::uint64_t base_chain = 0;
    std::vector<Term> terms;             // terms[k] is index base_index + 1 + k
    std::vector<std::uint64_t> chains;
  };
  void install_snapshot(NodeLog& log, const raft::SnapshotMeta& meta);
  void append(NodeId node, NodeLog& log, const raft::Entry& e, const WrittenFn& written);

  std::vector<NodeLog> logs_;  // by node id
  ChainLookupFn lookup_;
};

}  // namespace quorum::check
