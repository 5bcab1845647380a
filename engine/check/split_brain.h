// Split-brain step-down (the product promise behind CheckQuorum, DESIGN.md "split-brain
// step-down"): once a leader of a newer term exists, a leader of an older term must stop
// believing it leads within a bound, counted in simulated time during which it could run.
//
// Why a bound and not "never": Raft alone allows an old leader to linger in office while a newer
// one is elected (it is safe: it cannot commit), but controllers act on "I am the leader" (they
// recover databases), so the overlap must be short and bounded. With CheckQuorum a cut-off leader
// steps down within one election timeout T of its last majority contact, and followers elect a
// new one no earlier than T after that contact, so a legitimate overlap is a few ticks plus a
// blocked disk sync; `overlap_us_max` (2T + slack, set by the World) leaves margin for that.
// Time the old leader spent paused (a GC-like stall) or down does not count: it could not act.
//
// Incremental: O(nodes) per leader election, O(1) per other observation.
#pragma once

#include <cstdint>
#include <map>

#include "engine/core/raft/state.h"
#include "engine/check/findings.h"

namespace quorum::check {

class SplitBrainBound {
 public:
  SplitBrainBound(Findings& findings, std::uint64_t overlap_us_max)
      : findings_(findings), overlap_us_max_(overlap_us_max) {}

  void on_role(std::uint64_t time_us, NodeId node, const raft::SoftState& state);
  // The node crashed or fail-stopped: it no longer acts, so its overlap ends here.
  void on_down(std::uint64_t time_us, NodeId node);
  void on_pause(std::uint64_t time_us, NodeId node);
  void on_resume(std::uint64_t time_us, NodeId node);
  // End of run: a superseded leader still in office is judged as if it stepped down now.
  void finish(std::uint64_t time_us);

  std::uint64_t overlap_us_max() const { return overlap_us_max_; }
  // The longest overlap seen (for reports and tests).
  std::uint64_t overlap_us_longest() const { return overlap_us_longest_; }

 private:
  struct NodeState {
    Term leader_term = 0;             // 0: not leader
    bool superseded = false;          // a leader of a newer term appeared while this one led
    std::uint64_t superseded_at_us = 0;
    NodeId superseded_by = kNoNode;
    Term superseded_by_term = 0;
    bool paused = false;
    std::uint64_t pause_start_us = 0;
    std::uint64_t paused_us = 0;      // paused time since superseded_at_us
  };

  // Ends `node`'s term in office at time_us and judges its overlap.
  void leave_office(std::uint64_t time_us, NodeId node, NodeState& s);
  std::uint64_t paused_since_superseded(std::uint64_t time_us, const NodeState& s) const;

  Findings& findings_;
  std::uint64_t overlap_us_max_;
  std::uint64_t overlap_us_longest_ = 0;
  std::map<NodeId, NodeState> nodes_;
};

}  // namespace quorum::check
