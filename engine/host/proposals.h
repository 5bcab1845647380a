// Pending client requests waiting for the log: proposals ("tell me when (index, term) is applied
// or lost") and linearizable reads ("tell me once applied >= the confirmed read index").
// Host layer: core only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "engine/core/base/types.h"
#include "engine/host/app_command.h"
#include "engine/host/client_reply.h"

namespace quorum::host {

// Proposals accepted by the core, keyed by the (index, term) the entry got. An entry is
// committed exactly when an entry with that index *and* term is applied (Log Matching: only the
// leader of `term` creates entries of `term`, and it never overwrites its own). If the index is
// applied with another term, the proposal was lost. Each reply is sent exactly once.
class Proposals {
 public:
  // Asserts: index > 0, term > 0, no pending proposal with the same (index, term).
  void add(LogIndex index, Term term, ReplyFn done);
  // The entry (index, term) was applied with `result` (std::monostate for entries that carry no
  // command).
  // Replies kOk to the proposal with this (index, term), kLost to those at `index` with another
  // term. Pending proposals at lower indexes cannot exist (applies are consecutive and a
  // snapshot restore resolves what it covers): asserted.
  void on_applied(LogIndex index, Term term, const AppResult& result);
  // This node truncated its log from `first_index` (a new leader's log conflicts there): every
  // entry at or after it is gone and, by Log Matching, absent from that leader's log too, so it
  // can never commit. Pending proposals at those indexes are answered kLost at once (instead of
  // when the index is next applied, which may never happen without new writes).
  void on_truncated(LogIndex first_index);
  // A snapshot through last_index was installed: the fate of covered proposals is unknown.
  void on_snapshot_restored(LogIndex last_index);
  // Answers every pending proposal with `code` (stop, fail-stop).
  void fail_all(ClientReply::Code code, const std::string& reason);

  std::size_t size() const { return pending_.size(); }
  bool empty() const { return pending_.empty(); }

 private:
  // Key: (index, term). Invariant: every key has index > the applied index of the host.
  std::map<std::pair<LogIndex, Term>, ReplyFn> pending_;
};

// Reads go through two stages: requested (the core is confirming leadership for request_id)
// and confirmed (the core answered with a read index; reply once applied >= that index).
class PendingReads {
 public:
  void add_requested(std::uint64_t request_id, ReplyFn done);
  // The core confirmed request_id at `index`. Unknown ids are ignored (already failed).
  void confirm(std::uint64_t request_id, LogIndex index);
  // Replies kOk to every confirmed read with index <= applied_index.
  void on_applied(LogIndex applied_index);
  // Leadership was lost: unconfirmed reads will never be confirmed; redirect them.
  void fail_requested(NodeId leader_hint);
  void fail_all(ClientReply::Code code, const std::string& reason);

  std::size_t size() const { return requested_.size() + confirmed_.size(); }

 private:
  std::map<std::uint64_t, ReplyFn> requested_;
  std::multimap<LogIndex, ReplyFn> confirmed_;
};

}  // namespace quorum::host
