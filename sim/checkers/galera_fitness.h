// Invariant 8 (DESIGN.md), in its corrected form with degraded mode (engine/core/raft/
// node_health.cc): no controller whose Galera node is not Primary+Synced leads while a fit voter
// could take over. An unfit leader is a finding only when some voter of its membership is up,
// not paused, fit, and linked with it both ways, and has been for longer than leave_bound_us
// (counted from the latest of: its backend turned unfit, it took the role, it resumed from a
// pause, such a fit voter appeared) — the core's bound is a heartbeat answer plus one transfer
// timeout plus a tick. When no such voter exists (Galera down everywhere, or every fit voter cut
// off) an unfit leader is degraded mode, not a violation; that it refuses every mutation is the
// core's rule (ProposeResult::kDegraded), checked by the scenarios' acked-writes expectations.
// Owning: an unfit owner's may_act says no (docs/ownership.md rule 8; scenario galera_unfit_owner).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/check/findings.h"

namespace quorum::sim {

class GaleraFitness {
 public:
  GaleraFitness(check::Findings& findings, std::uint64_t leave_bound_us);
  void resize(std::size_t node_count);
  void on_backend(NodeId node, bool healthy, std::uint64_t now_us);
  void on_leader(NodeId node, bool leader, std::uint64_t now_us);
  // A paused process cannot act on its input: it is not judged while paused, and the bound
  // restarts when it runs again.
  void on_pause(NodeId node);
  void on_resume(NodeId node, std::uint64_t now_us);
  void on_down(NodeId node);
  // Whether `peer` is an up voter of `leader`'s membership linked with it both ways (the World
  // answers; fitness and pauses are the checker's own).
  using LinkedVoterFn = std::function<bool(NodeId leader, NodeId peer)>;
  // Reports a leader that stayed unfit, with a fit voter at hand, for longer than the bound.
  // Call after every event.
  void check(std::uint64_t now_us, const LinkedVoterFn& linked_voter);

 private:
  struct NodeFitness {
    bool healthy = true;
    bool leader = false;
    bool reported = false;
    bool paused = false;
    bool fit_voter_at_hand = false;  // as of the last check, while leading unfit
    std::uint64_t since_us = 0;  // start of the current unfit-and-leading window
  };
  check::Findings& findings_;
  std::uint64_t leave_bound_us_;
  std::vector<NodeFitness> nodes_;  // by id; [0] unused
};

}  // namespace quorum::sim
