// Network: sites, directed links and their faults. Pure decisions, no event scheduling: the
// World asks plan_send() how many copies of a packet arrive and when, and can_deliver() when a
// packet arrives (a partition that appeared while it was in flight kills it, as on a real wire).
//
// Latency: each directed site pair has [latency_us_min, latency_us_max] drawn from the profile;
// a packet's delay is uniform in that range plus jitter. LAN: one site, 0.1-1 ms. WAN: three sites
// (the seed's "three public addresses"), 0.1-1 ms inside a site, 20-150 ms between sites.
//
// Faults: loss, duplication and reordering rates in parts per million (the nemesis sets them per
// seed); a blocked[from][to] matrix for partitions, one-way links and flapping; and message rules
// (scenario scripts) that drop, delay or strip individual messages by kind and content.
//
// Invariant: node ids are 1..node_count (node_count <= kNodesMax); blocked_ is (node_count+1)^2.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/base/prng.h"
#include "engine/core/base/types.h"
#include "sim/network/message_rules.h"

namespace quorum::sim {

enum class Profile : std::uint8_t { kLan, kWan };
std::string_view profile_name(Profile profile);

struct LinkFaults {
  std::uint32_t loss_ppm = 0;
  std::uint32_t duplicate_ppm = 0;
  std::uint32_t reorder_ppm = 0;     // a packet gets an extra delay of up to reorder_delay_us_max
  std::uint64_t reorder_delay_us_max = 0;
};

class Network {
 public:
  // At most 15 nodes: the World packs a Raft trace event's peer into 4 bits of its trace hash
  // (index * 16 + peer, world_nodes.cc), message rules keep node sets in 32-bit masks (bit n:
  // node n) and a halves fault's side in a 64-bit mask. 15 leaves every existing run's trace
  // hash as it was (no field of a run with <= 9 nodes changes) and fits the pool rows of 10
  // controllers (docs/benchmarks.md).
  static constexpr std::size_t kNodesMax = 15;
  static constexpr std::size_t kCopiesMax = 2;

  Network(std::size_t node_count, Profile profile, Prng topology);

  std::size_t node_count() const { return node_count_; }
  std::uint32_t site_of(NodeId node) const;
  std::size_t site_count() const { return site_count_; }
  // Round-trip upper bound between any two nodes (for timing choices).
  std::uint64_t latency_us_max() const;

  // How many copies of a packet from -> to arrive (0: lost) and their delays. Blocked links lose.
  std::size_t plan_send(NodeId from, NodeId to, Prng& prng, std::uint64_t delays_us[kCopiesMax]);
  bool can_deliver(NodeId from, NodeId to) const { return !blocked_[slot(from, to)]; }
  // A client -> node (or back) delay; clients sit in site 0 and are never partitioned.
  std::uint64_t client_delay_us(NodeId node, Prng& prng) const;

  void set_faults(const LinkFaults& faults) { faults_ = faults; }
  const LinkFaults& faults() const { return faults_; }

  // Partitions. Each replaces the current cut; heal() removes it.
  void heal();
  void block(NodeId from, NodeId to);        // one way
  void block_both(NodeId a, NodeId b);
  void isolate(NodeId node);
  // Nodes with side[n] == true cannot talk to the others.
  void split(const std::vector<bool>& side);
  // Majorities ring: node i sees i-1, i, i+1 (mod n) only; every node sees a different majority.
  void majority_ring();
  // Bridge: two halves connected only through `bridge`.
  void bridge(NodeId bridge_node);
  bool is_healed() const;
  // "1-2 1>3" style description of the blocked links (trace).
  std::string describe() const;

  // Scripted per-message rules (message_rules.h). Not touched by heal(): partitions and rules
  // are separate controls; the World clears both when the quiet period starts.
  MessageRules& rules() { return rules_; }
  const MessageRules& rules() const { return rules_; }

 private:
  std::size_t slot(NodeId from, NodeId to) const { return from * (node_count_ + 1) + to; }
  std::uint64_t link_delay_us(NodeId from, NodeId to, Prng& prng) const;

  std::size_t node_count_;
  std::size_t site_count_;
  std::vector<std::uint32_t> site_;               // per node id
  std::vector<std::uint64_t> latency_us_min_;     // per (site, site)
  std::vector<std::uint64_t> latency_us_max_;
  std::vector<bool> blocked_;
  LinkFaults faults_;
  MessageRules rules_;
};
static_assert(Network::kNodesMax < 32, "MessageRule masks hold node n in bit n of 32");

}  // namespace quorum::sim
