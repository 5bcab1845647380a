// Invariant 8 checker: an unfit controller does not lead (beyond the hand-over bound).
#include "sim/checkers/galera_fitness.h"

#include <fmt/format.h>

#include <algorithm>

namespace quorum::sim {

GaleraFitness::GaleraFitness(check::Findings& findings, std::uint64_t leave_bound_us)
    : findings_(findings), leave_bound_us_(leave_bound_us) {}

void GaleraFitness::resize(std::size_t node_count) { nodes_.resize(node_count + 1); }

void GaleraFitness::on_backend(NodeId node, bool healthy, std::uint64_t now_us) {
  NodeFitness& n = nodes_.at(node);
  if (n.healthy == healthy) return;
  n.healthy = healthy;
  n.since_us = now_us;
  n.reported = false;
}

void GaleraFitness::on_leader(NodeId node, bool leader, std::uint64_t now_us) {
  NodeFitness& n = nodes_.at(node);
  if (n.leader == leader) return;
  n.leader = leader;
  // The role reaches the checker with the Ready that reports it, which may be handled after a
  // backend change the core had not yet seen: the window starts here rather than failing at once.
  if (leader) n.since_us = std::max(n.since_us, now_us);
}

void GaleraFitness::on_pause(NodeId node) { nodes_.at(node).paused = true; }

void GaleraFitness::on_resume(NodeId node, std::uint64_t now_us) {
  nodes_.at(node).paused = false;
  nodes_.at(node).since_us = now_us;
}

void GaleraFitness::on_down(NodeId node) {
  nodes_.at(node).leader = false;
  nodes_.at(node).paused = false;
}

void GaleraFitness::check(std::uint64_t now_us, const LinkedVoterFn& linked_voter) {
  for (NodeId id = 1; id < nodes_.size(); ++id) {
    NodeFitness& n = nodes_[id];
    if (!n.leader || n.healthy || n.paused) {
      n.fit_voter_at_hand = false;
      continue;
    }
    NodeId fit_voter = kNoNode;
    for (NodeId p = 1; p < nodes_.size() && fit_voter == kNoNode; ++p) {
      const NodeFitness& peer = nodes_[p];
      if (p != id && peer.healthy && !peer.paused && linked_voter(id, p)) fit_voter = p;
    }
    // Degraded mode (no fit voter at hand) is allowed; the window starts when one appears.
    if (fit_voter != kNoNode && !n.fit_voter_at_hand) n.since_us = std::max(n.since_us, now_us);
    n.fit_voter_at_hand = fit_voter != kNoNode;
    if (!n.fit_voter_at_hand || n.reported) continue;
    if (now_us - n.since_us <= leave_bound_us_) continue;
    n.reported = true;
    findings_.report({check::ViolationClass::kSafety, "galera-fitness",
                      fmt::format("node {} still leads {} us after its Galera node stopped being "
                                  "Primary+Synced while fit voter {} is at hand (bound {} us)", id,
                                  now_us - n.since_us, fit_voter, leave_bound_us_),
                      now_us, id});
  }
}

}  // namespace quorum::sim
