#include "sim/network/network.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::sim {

std::string_view profile_name(Profile profile) {
  switch (profile) {
    case Profile::kLan: return "lan";
    case Profile::kWan: return "wan";
  }
  QUORUM_UNREACHABLE();
}

Network::Network(std::size_t node_count, Profile profile, Prng topology)
    : node_count_(node_count),
      site_count_(profile == Profile::kWan ? 3 : 1),
      site_(node_count + 1, 0),
      latency_us_min_(site_count_ * site_count_),
      latency_us_max_(site_count_ * site_count_),
      blocked_((node_count + 1) * (node_count + 1), false) {
  QUORUM_ASSERT(node_count >= 1 && node_count <= kNodesMax, "node_count {}", node_count);
  // Nodes round-robin over sites so every WAN site holds at least one node when n >= 3.
  for (NodeId n = 1; n <= node_count; ++n) site_[n] = static_cast<std::uint32_t>((n - 1) % site_count_);
  for (std::size_t a = 0; a < site_count_; ++a) {
    for (std::size_t b = 0; b < site_count_; ++b) {
      std::uint64_t lo = 100;
      std::uint64_t hi = 1000;
      if (a != b) {
        // Symmetric per pair: draw once for (min(a,b), max(a,b)).
        if (a > b) {
          latency_us_min_[a * site_count_ + b] = latency_us_min_[b * site_count_ + a];
          latency_us_max_[a * site_count_ + b] = latency_us_max_[b * site_count_ + a];
          continue;
        }
        lo = topology.uniform(20'000, 100'000);
        hi = lo + topology.uniform(5'000, 50'001);
      }
      latency_us_min_[a * site_count_ + b] = lo;
      latency_us_max_[a * site_count_ + b] = hi;
    }
  }
}

std::uint32_t Network::site_of(NodeId node) const {
  QUORUM_ASSERT(node >= 1 && node <= node_count_);
  return site_[node];
}

std::uint64_t Network::latency_us_max() const {
  std::uint64_t m = 0;
  for (const std::uint64_t v : latency_us_max_) m = std::max(m, v);
  return m + faults_.reorder_delay_us_max;
}

std::uint64_t Network::link_delay_us(NodeId from, NodeId to, Prng& prng) const {
  const std::size_t pair = site_[from] * site_count_ + site_[to];
  const std::uint64_t lo = latency_us_min_[pair];
  const std::uint64_t hi = latency_us_max_[pair];
  std::uint64_t d = prng.uniform(lo, hi + 1);
  if (faults_.reorder_ppm > 0 && faults_.reorder_delay_us_max > 0 &&
      prng.chance(faults_.reorder_ppm, 1'000'000)) {
    d += prng.uniform(0, faults_.reorder_delay_us_max + 1);
  }
  return d;
}

std::size_t Network::plan_send(NodeId from, NodeId to, Prng& prng,
                               std::uint64_t delays_us[kCopiesMax]) {
  QUORUM_ASSERT(from >= 1 && from <= node_count_ && to >= 1 && to <= node_count_);
  QUORUM_ASSERT(from != to, "self-send {}", from);
  if (blocked_[slot(from, to)]) return 0;
  if (faults_.loss_ppm > 0 && prng.chance(faults_.loss_ppm, 1'000'000)) return 0;
  std::size_t copies = 1;
  delays_us[0] = link_delay_us(from, to, prng);
  if (faults_.duplicate_ppm > 0 && prng.chance(faults_.duplicate_ppm, 1'000'000)) {
    delays_us[1] = link_delay_us(from, to, prng);
    copies = 2;
  }
  return copies;
}

std::uint64_t Network::client_delay_us(NodeId node, Prng& prng) const {
  const std::size_t pair = site_[node] * site_count_;  // site 0 -> node's site
  return prng.uniform(latency_us_min_[pair], latency_us_max_[pair] + 1);
}

void Network::heal() { std::fill(blocked_.begin(), blocked_.end(), false); }

void Network::block(NodeId from, NodeId to) {
  QUORUM_ASSERT(from != to);
  blocked_[slot(from, to)] = true;
}

void Network::block_both(NodeId a, NodeId b) {
  block(a, b);
  block(b, a);
}

void Network::isolate(NodeId node) {
  for (NodeId n = 1; n <= node_count_; ++n) {
    if (n != node) block_both(node, n);
  }
}

void Network::split(const std::vector<bool>& side) {
  QUORUM_ASSERT(side.size() == node_count_ + 1);
  for (NodeId a = 1; a <= node_count_; ++a) {
    for (NodeId b = 1; b <= node_count_; ++b) {
      if (side[a] != side[b]) block(a, b);
    }
  }
}

void Network::majority_ring() {
  const std::size_t n = node_count_;
  for (NodeId a = 1; a <= n; ++a) {
    for (NodeId b = 1; b <= n; ++b) {
      const std::size_t d = (a + n - b) % n;
      const bool neighbour = d == 0 || d == 1 || d == n - 1;
      if (!neighbour) block(a, b);
    }
  }
}

void Network::bridge(NodeId bridge_node) {
  std::vector<bool> side(node_count_ + 1, false);
  // Nodes after the bridge (cyclically) for half the others form one side.
  const std::size_t others = node_count_ - 1;
  NodeId n = bridge_node;
  for (std::size_t k = 0; k < others / 2; ++k) {
    n = n % node_count_ + 1;
    side[n] = true;
  }
  for (NodeId a = 1; a <= node_count_; ++a) {
    for (NodeId b = 1; b <= node_count_; ++b) {
      if (a == bridge_node || b == bridge_node) continue;
      if (side[a] != side[b]) block(a, b);
    }
  }
}

bool Network::is_healed() const {
  for (const bool b : blocked_) {
    if (b) return false;
  }
  return true;
}

std::string Network::describe() const {
  std::string out;
  for (NodeId a = 1; a <= node_count_; ++a) {
    for (NodeId b = 1; b <= node_count_; ++b) {
      if (!blocked_[slot(a, b)]) continue;
      if (a < b && blocked_[slot(b, a)]) {
        out += fmt::format("{}{}-{}", out.empty() ? "" : " ", a, b);
      } else if (!blocked_[slot(b, a)]) {
        out += fmt::format("{}{}>{}", out.empty() ? "" : " ", a, b);
      }
    }
  }
  return out.empty() ? "healed" : out;
}

}  // namespace quorum::sim
