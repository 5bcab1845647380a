// World: executing the nemesis schedule, and the heal that starts the quiet period.
#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "sim/nemesis/figure8.h"
#include "sim/world.h"
#include "sim/world_internal.h"

namespace quorum::sim {

void World::apply_partition(const FaultAction& a) {
  network_.heal();
  const std::size_t n = config_.node_count;
  switch (a.kind) {
    case FaultKind::kIsolate: network_.isolate(a.node); break;
    case FaultKind::kIsolateLeader: {
      const NodeId leader = current_leader();
      network_.isolate(leader != kNoNode ? leader : a.node);
      break;
    }
    case FaultKind::kHalves: {
      std::vector<bool> side(n + 1, false);
      for (NodeId i = 1; i <= n; ++i) side[i] = ((a.param >> (i - 1)) & 1U) != 0;
      network_.split(side);
      break;
    }
    case FaultKind::kMajorityRing:
      if (n >= 5) {
        network_.majority_ring();
      } else {
        network_.bridge(a.node);
      }
      break;
    case FaultKind::kBridge: network_.bridge(a.node); break;
    case FaultKind::kOneWay: network_.block(a.node, a.peer); break;
    case FaultKind::kFlap: network_.isolate(a.node); break;
    default: QUORUM_UNREACHABLE();
  }
}

void World::fire_fault(std::size_t index) {
  if (healed_) return;
  const FaultAction& a = schedule_[index];
  NodeSlot& s = *nodes_[a.node == kNoNode ? 1 : a.node];
  trace_.event(now_us(), a.node, TraceKind::kNote, static_cast<std::uint64_t>(a.kind), index);
  if (trace_.recording()) {
    trace_.line(now_us(), kNoNode, TraceKind::kNote,
                fmt::format("nemesis #{}: {}", index, describe_action(a)));
  }
  switch (a.kind) {
    case FaultKind::kCrash:
      crash_node(a.node, a.duration_us, "crash");
      return;
    case FaultKind::kPause:
      if (!s.up || s.paused) return;
      s.paused = true;
      galera_fitness_.on_pause(a.node);
      for (WorldObserver* o : observers_) o->on_pause(now_us(), a.node);
      s.pause_end_us = now_us() + a.duration_us;
      ++s.pause_epoch;
      if (timeline_ != nullptr) {
        timeline_->mark(a.node, now_us(), MarkerKind::kPause,
                        fmt::format("paused {} ms", a.duration_us / 1000));
      }
      trace_.event(now_us(), a.node, TraceKind::kPause, a.duration_us);
      trace_.line(now_us(), a.node, TraceKind::kPause,
                  fmt::format("process paused for {} ms", a.duration_us / 1000));
      queue_.push(s.pause_end_us, kUnpause, static_cast<std::uint32_t>(a.node), s.pause_epoch);
      return;
    case FaultKind::kSlowDisk: {
      DiskProfile slow = swarm_.disk;
      slow.sync_latency_us_min = a.param != 0 ? a.param : 5'000;
      slow.sync_latency_us_max = 100'000;
      s.storage->set_profile(slow);
      ++s.slow_disk_epoch;
      trace_.event(now_us(), a.node, TraceKind::kDisk, 1);
      trace_.line(now_us(), a.node, TraceKind::kDisk, "disk slow (syncs 5-100 ms)");
      queue_.push(now_us() + a.duration_us, kFaultEnd, 0, index, s.slow_disk_epoch);
      return;
    }
    case FaultKind::kDiskFailure:
      if (!s.up) return;
      s.storage->fail_next_write();
      probes_.hit(Probe::kDiskWriteFailed);
      trace_.event(now_us(), a.node, TraceKind::kDisk, 2);
      trace_.line(now_us(), a.node, TraceKind::kDisk, "next write fails");
      queue_.push(now_us() + a.duration_us, kFaultEnd, 0, index, s.incarnation);
      return;
    case FaultKind::kTransferLeader:
    case FaultKind::kStepDown: {
      const NodeId leader = current_leader();
      if (leader == kNoNode || nodes_[leader]->paused) return;
      host::NodeHost& h = *nodes_[leader]->host;
      const raft::RequestResult r =
          a.kind == FaultKind::kStepDown ? h.step_down() : h.transfer_leadership(a.peer);
      trace_.event(now_us(), leader, TraceKind::kTransfer, static_cast<std::uint64_t>(a.kind),
                   static_cast<std::uint64_t>(r));
      trace_.line(now_us(), leader, TraceKind::kTransfer,
                  fmt::format("{} -> result {}", fault_kind_name(a.kind), static_cast<int>(r)));
      return;
    }
    case FaultKind::kFigure8: figure8_phase(index, 0); return;
    case FaultKind::kGaleraIsolateLeader: galera_isolate_leader(index); return;
    case FaultKind::kMembership: membership_fault(index); return;
    default: break;
  }
  QUORUM_ASSERT(is_partition(a.kind));
  ++partition_epoch_;
  apply_partition(a);
  trace_.event(now_us(), kNoNode, TraceKind::kPartition, partition_epoch_);
  trace_.line(now_us(), kNoNode, TraceKind::kPartition, network_.describe());
  timeline_partition();
  if (a.duration_us > 0) queue_.push(now_us() + a.duration_us, kFaultEnd, 0, index, partition_epoch_);
  if (a.kind == FaultKind::kFlap) queue_.push(now_us() + a.param, kFlap, 0, index, 1);
}

void World::flap(std::size_t index, std::uint64_t toggle) {
  const FaultAction& a = schedule_[index];
  if (healed_ || now_us() >= a.at_us + a.duration_us) return;
  network_.heal();
  if (toggle % 2 == 0) network_.isolate(a.node);
  trace_.event(now_us(), a.node, TraceKind::kPartition, toggle);
  timeline_partition();
  queue_.push(now_us() + a.param, kFlap, 0, index, toggle + 1);
}

void World::end_fault(std::size_t index, std::uint64_t epoch) {
  if (healed_) return;
  const FaultAction& a = schedule_[index];
  if (a.kind == FaultKind::kFigure8) {
    figure8_phase(index, epoch);  // the epoch is the next phase
    return;
  }
  if (a.kind == FaultKind::kMembership) {
    membership_fault_end(index, epoch);
    return;
  }
  NodeSlot& s = *nodes_[a.node == kNoNode ? 1 : a.node];
  if (a.kind == FaultKind::kSlowDisk) {
    if (s.slow_disk_epoch == epoch) s.storage->set_profile(swarm_.disk);
    return;
  }
  if (a.kind == FaultKind::kDiskFailure) {
    if (!s.up) start_node(a.node);
    return;
  }
  if (a.kind == FaultKind::kGaleraIsolateLeader) {
    if (galera_ != nullptr) galera_->heal_galera();
    return;
  }
  if (epoch != partition_epoch_) return;  // a later partition replaced this one
  network_.heal();
  probes_.hit(Probe::kPartitionHealed);
  trace_.event(now_us(), kNoNode, TraceKind::kHeal, epoch);
  trace_.line(now_us(), kNoNode, TraceKind::kHeal, "network healed");
  timeline_partition();
}

// One phase of a Figure 8 episode: the plan (sim/nemesis/figure8.cc) decides, the World acts.
void World::figure8_phase(std::size_t index, std::uint64_t phase) {
  const Figure8Plan plan =
      figure8_plan(schedule_[index], index, phase, current_leader(), config_.node_count,
                   swarm_.election_timeout_ticks * swarm_.tick_interval_ms * 1000);
  trace_.event(now_us(), kNoNode, TraceKind::kNote, static_cast<std::uint64_t>(FaultKind::kFigure8),
               index, phase);
  trace_.line(now_us(), kNoNode, TraceKind::kNote, plan.note);
  for (const NodeId n : plan.crash) crash_node(n, 0, "figure8");
  if (!network_.rules().empty()) remove_message_rules(plan.rules_label);
  for (const MessageRule& rule : plan.rules) add_message_rule(rule);
  for (const NodeId n : plan.restart) {
    if (!nodes_[n]->up) start_node(n);
  }
  if (plan.next_phase_in_us != 0) {
    queue_.push(now_us() + plan.next_phase_in_us, kFaultEnd, 0, index, phase + 1);
  }
}

void World::heal_all() {
  healed_ = true;
  network_.heal();
  if (galera_ != nullptr) {
    galera_->heal_galera();
    for (NodeId n = 1; n <= config_.node_count; ++n) galera_->set_galera_down(n, false);
  }
  if (!network_.rules().empty()) remove_message_rules("");
  network_.set_faults(LinkFaults{});
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    NodeSlot& s = *nodes_[n];
    s.storage->set_profile(swarm_.disk);
    // A write failure armed before the heal would otherwise fail-stop the node in the quiet
    // period, and nothing restarts it then (seed 8182, 3 nodes, WAN: two nodes lost, no leader).
    if (s.storage->cancel_failed_write()) {
      trace_.event(now_us(), n, TraceKind::kDisk, 3);
      trace_.line(now_us(), n, TraceKind::kDisk, "quiet period: pending write failure cancelled");
    }
    if (s.paused) {
      s.paused = false;
      for (WorldObserver* o : observers_) o->on_resume(now_us(), n);
    }
    if (!s.up) start_node(n);
    // Every node returns to its bootstrap role (the voters, and the learners of
    // RunConfig::voter_count): liveness (10) then holds for the whole group.
    member_goal_[n] = n <= voter_count_ ? MemberGoal::kVoter : MemberGoal::kLearner;
    ++member_epoch_[n];
  }
  schedule_membership_drive(0);
  timeline_partition();
  trace_.event(now_us(), kNoNode, TraceKind::kHeal, 1);
  trace_.line(now_us(), kNoNode, TraceKind::kHeal,
              fmt::format("quiet period: everything healed; liveness bound {} ms",
                          liveness_bound_us_ / 1000));
  // The Raft checkers (the first observer) start the liveness probe here, as before.
  for (WorldObserver* o : observers_) o->on_heal(now_us());
}

}  // namespace quorum::sim

namespace quorum::sim {

void World::crash(NodeId node) { crash_node(node, 0, "crash (scripted)"); }

void World::restart(NodeId node) {
  if (!nodes_[node]->up) start_node(node);
}

void World::isolate(NodeId node) {
  network_.isolate(node);
  ++partition_epoch_;
  trace_.event(now_us(), kNoNode, TraceKind::kPartition, partition_epoch_);
  trace_.line(now_us(), kNoNode, TraceKind::kPartition, network_.describe());
  timeline_partition();
}

void World::split(const std::vector<NodeId>& side_nodes) {
  std::vector<bool> side(config_.node_count + 1, false);
  for (const NodeId n : side_nodes) side[n] = true;
  network_.split(side);
  ++partition_epoch_;
  trace_.event(now_us(), kNoNode, TraceKind::kPartition, partition_epoch_);
  trace_.line(now_us(), kNoNode, TraceKind::kPartition, network_.describe());
  timeline_partition();
}

void World::one_way(NodeId from, NodeId to) {
  network_.block(from, to);
  ++partition_epoch_;
  trace_.event(now_us(), kNoNode, TraceKind::kPartition, partition_epoch_);
  trace_.line(now_us(), kNoNode, TraceKind::kPartition, network_.describe());
  timeline_partition();
}

void World::isolate_site(std::uint32_t site) {
  std::vector<NodeId> side;
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    if (network_.site_of(n) == site) side.push_back(n);
  }
  split(side);
}

void World::heal_network() {
  network_.heal();
  ++partition_epoch_;
  probes_.hit(Probe::kPartitionHealed);
  trace_.event(now_us(), kNoNode, TraceKind::kHeal, partition_epoch_);
  trace_.line(now_us(), kNoNode, TraceKind::kHeal, "network healed");
  timeline_partition();
}

void World::pause(NodeId node, std::uint64_t duration_us) {
  NodeSlot& s = *nodes_[node];
  if (!s.up || s.paused) return;
  s.paused = true;
  galera_fitness_.on_pause(node);
  for (WorldObserver* o : observers_) o->on_pause(now_us(), node);
  s.pause_end_us = now_us() + duration_us;
  ++s.pause_epoch;
  trace_.event(now_us(), node, TraceKind::kPause, duration_us);
  trace_.line(now_us(), node, TraceKind::kPause,
              fmt::format("process paused for {} ms", duration_us / 1000));
  queue_.push(s.pause_end_us, kUnpause, static_cast<std::uint32_t>(node), s.pause_epoch);
}

void World::slow_disk(NodeId node, std::uint64_t duration_us) {
  FaultAction a;
  a.at_us = now_us();
  a.kind = FaultKind::kSlowDisk;
  a.node = node;
  a.duration_us = duration_us;
  a.param = 50'000;  // syncs take 50-100 ms
  schedule_.push_back(a);
  fire_fault(schedule_.size() - 1);
}

raft::RequestResult World::transfer_leader(NodeId target) {
  const NodeId leader = current_leader();
  if (leader == kNoNode) return raft::RequestResult::kNotLeader;
  const raft::RequestResult r = nodes_[leader]->host->transfer_leadership(target);
  trace_.event(now_us(), leader, TraceKind::kTransfer, target, static_cast<std::uint64_t>(r));
  trace_.line(now_us(), leader, TraceKind::kTransfer,
              fmt::format("transfer to {} -> result {}", target, static_cast<int>(r)));
  return r;
}

std::uint32_t World::add_message_rule(MessageRule rule) {
  const std::uint32_t id = network_.rules().add(std::move(rule));
  const MessageRule& added = network_.rules().rules().back();
  trace_.event(now_us(), kNoNode, TraceKind::kLinkFaults, id, 1);
  trace_.line(now_us(), kNoNode, TraceKind::kLinkFaults, "add " + describe_rule(added));
  return id;
}

std::size_t World::remove_message_rules(std::string_view label) {
  const std::size_t before = network_.rules().retired().size();
  const std::size_t removed = network_.rules().remove(label);
  const auto& retired = network_.rules().retired();
  for (std::size_t k = before; k < retired.size(); ++k) {
    trace_.event(now_us(), kNoNode, TraceKind::kLinkFaults, retired[k].id, 0);
    trace_.line(now_us(), kNoNode, TraceKind::kLinkFaults,
                fmt::format("remove {} (it touched {} messages)", describe_rule(retired[k]),
                            retired[k].matched));
  }
  return removed;
}

bool World::converged() const {
  const NodeId leader = current_leader();
  if (leader == kNoNode) return false;
  const auto& files = nodes_[leader]->host->state().config.files();
  for (NodeId n = 1; n <= config_.node_count; ++n) {
    const NodeSlot& s = *nodes_[n];
    if (!s.up || s.host == nullptr || n == leader) continue;
    if (s.host->state().config.files() != files) return false;
  }
  return true;
}

}  // namespace quorum::sim
