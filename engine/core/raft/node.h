// raft::Node — one controller's Raft state machine. Pure: no I/O, no clock, no threads.
//
// Inputs:  tick(), step(message), propose(...), read_index(...), transfer_leadership(...),
//          step_down(), compact(...).
// Output:  a Ready batch (ready.h) that the host executes and acknowledges with advance().
//
// Thread safety: none; a Node is used by one task at a time.
// Determinism: the same config, persisted state, PRNG seed and input sequence produce the same
// Ready sequence, always.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/core/base/prng.h"
#include "engine/core/base/status.h"
#include "engine/core/base/types.h"
#include "engine/core/raft/config.h"
#include "engine/core/raft/membership.h"
#include "engine/core/raft/message.h"
#include "engine/core/raft/ready.h"
#include "engine/core/raft/session.h"
#include "engine/core/raft/state.h"

namespace quorum::raft {

// Protocol outcome of a proposal. kAccepted carries the (index, term) the entry got: it is
// committed when the host sees an entry with that index *and* term applied; if the index is
// applied with another term, the proposal was lost.
struct ProposeResult {
  enum class Code : std::uint8_t {
    kAccepted,
    kNotLeader,           // leader_hint names the leader if known (redirect), else kNoNode
    kTransferInProgress,  // proposals pause during a leadership transfer
    kTooLarge,            // above message_bytes_max
    kBusy,                // uncommitted_bytes_max reached, or a membership change is pending
    kInvalid,             // a membership change that cannot apply (reason in `reason`)
    kDegraded,            // this leader's database backend is unfit: read-only (degraded mode,
                          // node_health.cc); reason says so
  };
  Code code = Code::kAccepted;
  LogIndex index = 0;
  Term term = 0;
  NodeId leader_hint = kNoNode;
  std::string reason;
};

struct ReadResult {
  enum class Code : std::uint8_t { kPending, kNotLeader, kNoLeaseYet };
  Code code = Code::kPending;  // kPending: a ReadState with request_id will appear in a Ready
  NodeId leader_hint = kNoNode;
};

enum class RequestResult : std::uint8_t {
  kOk,
  kNotLeader,
  kNoSuchVoter,    // transfer target is not a voter
  kAlreadyLeader,  // transfer target is this node
  kNoCandidate,    // "best node" requested but no other voter exists
  kTransferInProgress,
};

// Node::set_applied_report_cap: no cap, the applied index is reported as it is.
inline constexpr LogIndex kNoAppliedReportCap = ~LogIndex{0};

class Node {
 public:
  // Asserts: config.validate() is empty; state is internally consistent (slice rules,
  // commit <= last index, snapshot precedes entries).
  Node(const RaftConfig& config, const PersistedState& state, Prng prng);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Advances core time by one tick.
  void tick();
  // Handles one message addressed to this node. Messages from the network must have been
  // validated by the codec; a message with to != id() is a programmer error.
  void step(const Message& message);

  ProposeResult propose(std::string data);
  ProposeResult propose_membership(const MembershipChange& change);
  // ReadIndex: the leader records commit_index and confirms leadership with one heartbeat round.
  ReadResult read_index(std::uint64_t request_id);
  // target == kNoNode: the most up-to-date voter (ties: highest priority, then lowest id).
  RequestResult transfer_leadership(NodeId target);
  // Forced step-down: the leader becomes follower and does not campaign for one election timeout.
  RequestResult step_down();
  // The host has applied through `index` and hands the state machines' snapshot; the core
  // reports it in Ready::snapshot (persist, then drop log entries <= index).
  void compact(LogIndex index, std::string snapshot_data);
  // Health of this controller's database backend (Galera), pushed by the host; true until the
  // first call. An unhealthy node does not campaign (no pre-vote, no vote, no TimeoutNow); a
  // leader that turns unhealthy transfers leadership to a healthy voter, or steps down when
  // there is none or the transfer fails (DESIGN invariant 8). See node_health.cc.
  void set_backend_healthy(bool healthy);
  bool backend_healthy() const;
  // The peer's latest AppendResponse to this node said its backend is unfit (leaders only hear
  // them; the ownership driver gives such a controller no cluster and moves its away).
  bool peer_backend_unfit(NodeId peer) const;

  // Sessions on, follower: sends the leader an answer that carries this node's applied index now
  // (the host calls it after applying an ownership entry: a hand-over's Assign waits for the
  // releasing owner to report the Release applied). Nothing otherwise.
  void report_applied();
  // An upper bound on the applied index this node reports to the leader (every AppendResponse
  // carries one; session.h). The host lowers it below a Release of its own while a local guard
  // of that cluster may still be acting under the old epoch, so that the leader does not see the
  // Release applied, and grants nothing to the next owner, before the guard stopped
  // (docs/ownership.md, "The hand-over waits for local guards"). kNoAppliedReportCap (the
  // default) reports the applied index as it is. The true applied index is unaffected.
  void set_applied_report_cap(LogIndex cap);
  LogIndex applied_report_cap() const;

  bool has_ready() const;
  Ready ready();
  void advance(const ReadyAck& ack);

  // Observers.
  NodeId id() const;
  Role role() const;
  Term term() const;
  NodeId leader_id() const;
  LogIndex commit_index() const;
  LogIndex last_index() const;
  LogIndex applied_index() const;
  const Membership& membership() const;
  // Leader lease (item 4): true while this node is leader and a majority acknowledged a
  // heartbeat round sent less than lease_duration_ticks() ago. Side effects need it.
  bool has_lease() const;
  Ticks lease_remaining_ticks() const;
  Ticks lease_duration_ticks() const;
  bool transfer_in_progress() const;
  // Ticks elapsed in the node's own time (test and trace aid).
  Ticks now_ticks() const;
  // Controller session (session.h): this node's own lease.
  const Session& session() const;
  // Leader only: when it took office, and what it knows of a member's session (nullptr when not
  // leading or `peer` is not a member; the leader itself has no PeerSession).
  Ticks leader_since_ticks() const;
  // Leader only: an entry of its own term is committed, so its state machines are current
  // (thesis §6.4; the ownership driver plans only then).
  bool committed_in_current_term() const;
  const PeerSession* peer_session(NodeId peer) const;
  // Ticks since this node last heard from a leader, capped at election_timeout_ticks; while below
  // it, a follower refuses (pre-)votes (leader stickiness, which the lease relies on). Checkers.
  Ticks leader_contact_elapsed_ticks() const;

  struct Impl;
  // Read-only view of the internals for raft/invariants.cc and the raft tests. Impl is defined in
  // engine/core/raft/node_impl.h, which nothing outside engine/core/raft includes.
  const Impl& internals() const;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace quorum::raft
