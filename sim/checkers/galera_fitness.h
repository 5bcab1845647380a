// Invariant 8 (DESIGN.md): no controller whose Galera node is not Primary+Synced leads. (Owning
// is checked once ownership lands.) A leader learns of its backend's failure only as an input, so
// it may keep leading while it hands over: at most leave_bound_us after its backend turned unfit
// (or after it resumed from a pause, or after the unfit node got the role) — the core's bound is
// one transfer timeout plus a tick.
#pragma once

#include <cstdint>
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
  // Reports a leader that stayed unfit for longer than the bound. Call after every event.
  void check(std::uint64_t now_us);

 private:
  struct NodeFitness {
    bool healthy = true;
    bool leader = false;
    bool reported = false;
    bool paused = false;
    std::uint64_t since_us = 0;  // start of the current unfit-and-leading window
  };
  check::Findings& findings_;
  std::uint64_t leave_bound_us_;
  std::vector<NodeFitness> nodes_;  // by id; [0] unused
};

}  // namespace quorum::sim
