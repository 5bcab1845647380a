// PoolWorkload: the controller pool's operator, as a WorldObserver (sim/observer/observer.h).
// At the start it registers every Raft member as a controller (some as standby), tagged with its
// network site, and adds the managed clusters; then, mixed with the nemesis' faults, it drains
// and undrains controllers, changes weights, pins and unpins clusters, promotes standbys and adds
// and removes clusters. Each command goes to the controller it believes leads (kNotLeader
// redirects followed, timeouts retried: commands are idempotent or refused with a reason), one at
// a time, like an operator's CLI. Promotions go through the leader's standby rule like the
// CLI's (NodeHost judges them, ownership/promote.h): refused ones (kRefused) are counted and not
// retried; half the drawn ones ask for force, so runs see refused, accepted and forced
// promotions among the faults. In the quiet period it issues nothing new except an undrain of
// every draining controller, so that after the heal every cluster can be owned (liveness 11).
// Never drains, or leaves standby, more than allows two active controllers.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "engine/core/base/prng.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/host/client_reply.h"
#include "sim/observer/observer.h"

namespace quorum::sim {

struct PoolOptions {
  std::size_t clusters = 12;     // managed clusters added at the start
  std::size_t controllers = 0;   // nodes registered at the start (0: all; scenarios join later)
  std::size_t standbys = 0;      // of those, registered as standby (the highest ids)
  std::uint64_t start_us = 600'000;
  std::uint64_t event_mean_gap_us = 4'000'000;  // 0: no pool events after the setup
  std::uint64_t timeout_us = 3'000'000;
  bool site_tags = false;        // WAN: controllers and half the clusters carry site=S
  std::string describe() const;
};

// Swarm draw: 3..24 clusters, a standby in some seeds, events every 1-8 s on average.
PoolOptions draw_pool(Prng prng, std::size_t node_count, bool wan);

struct PoolStats {
  std::uint64_t commands = 0;  // answered kOk (applied or refused by the state machine)
  std::uint64_t applied = 0;
  std::uint64_t refused = 0;
  std::uint64_t retries = 0;
  std::uint64_t events = 0;
  // Standby promotions (the leader's rule, ownership/promote.h): refused by it (kRefused), and
  // applied, of which forced. Half the drawn promotions ask for force.
  std::uint64_t promotions_refused = 0;
  std::uint64_t promotions_applied = 0;
  std::uint64_t promotions_forced = 0;
};

class PoolWorkload final : public WorldObserver {
 public:
  PoolWorkload(WorldContext& world, Prng prng, PoolOptions options)
      : world_(world), prng_(prng), options_(options) {}

  void on_begin(std::uint64_t time_us) override;
  void on_timer(std::uint64_t time_us, std::uint32_t tag, NodeId node, std::uint64_t arg0,
                std::uint64_t arg1) override;
  void on_heal(std::uint64_t time_us) override;

  // Scenarios: queue one command now (sent after those already queued).
  void submit(ownership::Command command);
  bool idle() const { return pending_.empty(); }
  const PoolStats& stats() const { return stats_; }
  // The reason of the newest refusal by a leader's rule (empty: none yet). Scenarios check it.
  const std::string& last_refusal() const { return last_refusal_; }
  const PoolOptions& options() const { return options_; }

 private:
  enum Tag : std::uint32_t { kSetup, kEvent, kArrive, kReply, kTimeout };
  void setup();
  void event();
  // The replicated state as the current leader has applied it (nullptr without a live leader).
  const ownership::StateMachine* leader_state();
  bool draw_command(const ownership::StateMachine& state, ownership::Command& out);
  void pump();
  void send_to(NodeId node);
  void arrive(NodeId node, std::uint64_t attempt);
  void reply(std::uint64_t attempt);
  void at(std::uint64_t at_us, Tag tag, NodeId node, std::uint64_t arg0 = 0) {
    world_.schedule(at_us, *this, tag, node, arg0, 0);
  }

  WorldContext& world_;
  Prng prng_;
  PoolOptions options_;
  PoolStats stats_;
  std::deque<ownership::Command> pending_;
  bool in_flight_ = false;
  std::uint64_t attempt_ = 0;
  NodeId target_ = kNoNode;
  NodeId leader_guess_ = kNoNode;
  host::ClientReply reply_;
  ownership::ClusterId next_cluster_ = 1;
  std::string last_refusal_;
};

}  // namespace quorum::sim
