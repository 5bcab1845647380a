// PoolWorkload (pool_workload.h).
#include "sim/workload/pool_workload.h"

#include <fmt/format.h>

#include <variant>
#include <vector>

#include "engine/core/base/assert.h"
#include "sim/coverage/probes.h"
#include "sim/network/network.h"
#include "sim/ownership_access.h"
#include "sim/trace/trace.h"

namespace quorum::sim {

namespace own = ownership;

std::string PoolOptions::describe() const {
  return fmt::format("clusters={} standbys={} pool-events={}s{}", clusters, standbys,
                     event_mean_gap_us / 1'000'000, site_tags ? " site-tags" : "");
}

PoolOptions draw_pool(Prng prng, std::size_t node_count, bool wan) {
  PoolOptions o;
  o.clusters = prng.uniform(3, 25);
  // A standby in half the 5-node seeds and a quarter of the 3-node ones.
  o.standbys = prng.chance(1, node_count >= 5 ? 2 : 4) ? 1 : 0;
  o.event_mean_gap_us = prng.uniform(1'000'000, 8'000'001);
  o.site_tags = wan && prng.chance(1, 2);
  return o;
}

void PoolWorkload::on_begin(std::uint64_t /*time_us*/) { at(options_.start_us, kSetup, kNoNode); }

void PoolWorkload::on_timer(std::uint64_t /*time_us*/, std::uint32_t tag, NodeId node,
                            std::uint64_t arg0, std::uint64_t /*arg1*/) {
  switch (static_cast<Tag>(tag)) {
    case kSetup: setup(); return;
    case kEvent: event(); return;
    case kArrive: arrive(node, arg0); return;
    case kReply: reply(arg0); return;
    case kTimeout:
      if (in_flight_ && attempt_ == arg0) {
        ++stats_.retries;
        leader_guess_ = kNoNode;
        send_to(prng_.uniform(1, world_.node_count() + 1));
      }
      return;
  }
  QUORUM_UNREACHABLE();
}

void PoolWorkload::setup() {
  const std::size_t n = options_.controllers != 0 ? options_.controllers : world_.node_count();
  for (NodeId id = 1; id <= n; ++id) {
    own::RegisterController r;
    r.id = id;
    r.name = fmt::format("ctl{}", id);
    r.address = fmt::format("n{}", id);
    if (options_.site_tags) r.tags[std::string(own::kSiteTag)] = fmt::format("{}", world_.network().site_of(id));
    if (id + options_.standbys > n) {
      r.role = own::ControllerRole::kStandby;
      r.auto_recovery = false;
    }
    pending_.push_back(std::move(r));
  }
  for (std::size_t k = 0; k < options_.clusters; ++k) {
    own::AddCluster a;
    a.id = next_cluster_++;
    a.name = fmt::format("db{}", a.id);
    if (options_.site_tags && prng_.chance(1, 2)) {
      a.tags[std::string(own::kSiteTag)] = fmt::format("{}", prng_.uniform(0, 3));
    }
    pending_.push_back(std::move(a));
  }
  pump();
  if (options_.event_mean_gap_us != 0) {
    at(world_.now_us() + prng_.uniform(0, 2 * options_.event_mean_gap_us + 1), kEvent, kNoNode);
  }
}

void PoolWorkload::on_heal(std::uint64_t /*time_us*/) {
  // Undrain everyone (an Activate of a controller that is not draining is refused, harmlessly),
  // so that after the heal every cluster has a receiver.
  for (NodeId id = 1; id <= world_.node_count(); ++id) pending_.push_back(own::Activate{id});
  pump();
}

void PoolWorkload::submit(own::Command command) {
  pending_.push_back(std::move(command));
  pump();
}

const own::StateMachine* PoolWorkload::leader_state() {
  const NodeId leader = world_.current_leader();
  const host::NodeHost* h = leader == kNoNode ? nullptr : world_.live_host(leader);
  return h == nullptr ? nullptr : &pool_state(*h);
}

void PoolWorkload::event() {
  if (world_.healed()) return;
  at(world_.now_us() + prng_.uniform(options_.event_mean_gap_us / 2,
                                     options_.event_mean_gap_us * 3 / 2 + 1),
     kEvent, kNoNode);
  const own::StateMachine* state = leader_state();
  own::Command command;
  if (state == nullptr || !pending_.empty() || !draw_command(*state, command)) return;
  ++stats_.events;
  submit(std::move(command));
}

// One pool event drawn against the leader's state (an operator looking at the table).
bool PoolWorkload::draw_command(const own::StateMachine& state, own::Command& out) {
  std::vector<NodeId> active;    // active role, state kActive
  std::vector<NodeId> draining;
  std::vector<NodeId> standby;
  std::vector<NodeId> any;
  for (const auto& [id, c] : state.controllers()) {
    any.push_back(id);
    if (c.role == own::ControllerRole::kStandby) {
      standby.push_back(id);
    } else if (c.state == own::ControllerState::kActive) {
      active.push_back(id);
    } else if (c.state == own::ControllerState::kDraining) {
      draining.push_back(id);
    }
  }
  std::vector<own::ClusterId> clusters;
  std::vector<own::ClusterId> pinned;
  for (const auto& [id, c] : state.clusters()) {
    clusters.push_back(id);
    if (c.pinned_owner != kNoNode) pinned.push_back(id);
  }
  const auto pick = [this](const auto& v) { return v[prng_.uniform(0, v.size())]; };
  const std::uint64_t roll = prng_.uniform(0, 100);
  if (roll < 22) {
    if (active.size() <= 2) return false;  // keep two active controllers
    out = own::Drain{pick(active)};
  } else if (roll < 40) {
    if (draining.empty()) return false;
    out = own::Activate{pick(draining)};
  } else if (roll < 55) {
    if (any.empty()) return false;
    out = own::SetWeight{pick(any), static_cast<std::uint32_t>(prng_.uniform(1, 5))};
  } else if (roll < 65) {
    if (clusters.empty() || active.empty()) return false;
    out = own::Pin{pick(clusters), pick(active)};
  } else if (roll < 70) {
    if (pinned.empty()) return false;
    out = own::Unpin{pick(pinned)};
  } else if (roll < 78) {
    if (standby.empty()) return false;
    out = own::Promote{pick(standby), /*force=*/prng_.chance(1, 2)};
  } else if (roll < 90) {
    own::AddCluster a;
    a.id = next_cluster_++;
    a.name = fmt::format("db{}", a.id);
    out = std::move(a);
  } else {
    if (clusters.size() <= 3) return false;
    out = own::RemoveCluster{pick(clusters)};
  }
  return true;
}

void PoolWorkload::pump() {
  if (in_flight_ || pending_.empty()) return;
  in_flight_ = true;
  send_to(leader_guess_ != kNoNode ? leader_guess_ : prng_.uniform(1, world_.node_count() + 1));
}

void PoolWorkload::send_to(NodeId node) {
  ++attempt_;
  target_ = node;
  at(world_.now_us() + world_.network().client_delay_us(node, prng_), kArrive, node, attempt_);
  at(world_.now_us() + options_.timeout_us, kTimeout, kNoNode, attempt_);
}

void PoolWorkload::arrive(NodeId node, std::uint64_t attempt) {
  if (!in_flight_ || attempt != attempt_) return;
  host::NodeHost* h = world_.live_host(node);
  if (h == nullptr) return;  // refused: the timeout retries
  pool_propose(*h, pending_.front(), [this, node, attempt](const host::ClientReply& r) {
    if (!in_flight_ || attempt != attempt_) return;
    reply_ = r;
    at(world_.now_us() + world_.network().client_delay_us(node, prng_), kReply, node, attempt);
  });
}

void PoolWorkload::reply(std::uint64_t attempt) {
  if (!in_flight_ || attempt != attempt_) return;
  using Code = host::ClientReply::Code;
  const std::uint64_t now = world_.now_us();
  switch (reply_.code) {
    case Code::kOk: {
      const own::ApplyResult* result = pool_result(reply_);
      leader_guess_ = target_;
      ++stats_.commands;
      if (result != nullptr && result->code == own::ApplyResult::Code::kApplied) {
        ++stats_.applied;
        if (const auto* p = std::get_if<own::Promote>(&pending_.front())) {
          ++stats_.promotions_applied;
          world_.probes().hit(Probe::kPromotionApplied);
          if (p->force) ++stats_.promotions_forced;
        }
      } else {
        ++stats_.refused;
      }
      if (world_.trace().recording()) {
        world_.trace().line(now, target_, TraceKind::kNote,
                            fmt::format("pool command #{} at index {}: {}", stats_.commands,
                                        reply_.index,
                                        result == nullptr ? std::string("no result")
                                        : result->reason.empty() ? std::string("applied")
                                                                 : result->reason));
      }
      pending_.pop_front();
      in_flight_ = false;
      pump();
      return;
    }
    case Code::kRefused:
      // The leader judged the command (the standby rule) and proposed nothing: an operator reads
      // the reason and does not retry the same command blindly.
      leader_guess_ = target_;
      ++stats_.promotions_refused;
      world_.probes().hit(Probe::kPromotionRefused);
      last_refusal_ = reply_.reason;
      if (world_.trace().recording()) {
        world_.trace().line(now, target_, TraceKind::kNote,
                            fmt::format("pool command refused by the leader: {}", reply_.reason));
      }
      pending_.pop_front();
      in_flight_ = false;
      pump();
      return;
    case Code::kNotLeader:
      if (reply_.leader_hint != kNoNode && reply_.leader_hint != target_) {
        leader_guess_ = reply_.leader_hint;
        send_to(reply_.leader_hint);
        return;
      }
      break;
    default:
      break;
  }
  // Not applied (or unknown): try the next node a little later. A command that did apply is
  // refused the second time (duplicate register/add, not draining, ...), which is harmless.
  ++stats_.retries;
  leader_guess_ = kNoNode;
  ++attempt_;
  const NodeId next = target_ % world_.node_count() + 1;
  target_ = next;
  at(now + 100'000, kArrive, next, attempt_);
  at(now + 100'000 + options_.timeout_us, kTimeout, kNoNode, attempt_);
}

}  // namespace quorum::sim
