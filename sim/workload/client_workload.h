// ClientWorkload: the simulated config clients (config_client.h) as a WorldObserver: it draws
// their operations, sends them over the client network legs to the controller each client
// believes leads, follows redirects and timeouts, and records everything in the History that
// the linearizability check judges at the end. Acknowledged writes go to the durability checker.
// Moved out of World unchanged: same PRNG stream ("workload"), same events in the same order,
// so trace hashes did not change.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/base/prng.h"
#include "engine/check/durability.h"
#include "sim/history/history.h"
#include "sim/observer/observer.h"
#include "sim/workload/config_client.h"

namespace quorum::sim {

class ClientWorkload final : public WorldObserver {
 public:
  ClientWorkload(WorldContext& world, Prng prng, WorkloadOptions options,
                 check::Durability& durability)
      : world_(world), prng_(prng), options_(options), durability_(durability) {}

  void on_begin(std::uint64_t time_us) override;
  void on_timer(std::uint64_t time_us, std::uint32_t tag, NodeId node, std::uint64_t arg0,
                std::uint64_t arg1) override;

  const History& history() const { return history_; }
  std::uint64_t acked_writes() const { return ops_ok_; }

 private:
  enum Tag : std::uint32_t { kNext, kArrive, kReply, kTimeout };
  void next(std::uint32_t client);
  void send(std::uint32_t op_slot, NodeId node);
  void arrive(NodeId node, std::uint32_t op_slot, std::uint32_t attempt);
  void reply(std::uint32_t op_slot, std::uint32_t attempt);
  void timeout(std::uint32_t op_slot);
  void complete(ClientOp& op);
  void stash_reply(NodeId node, std::uint32_t op_slot, std::uint32_t attempt,
                   const host::ClientReply& reply);
  void at(std::uint64_t at_us, Tag tag, NodeId node, std::uint64_t arg0, std::uint64_t arg1 = 0) {
    world_.schedule(at_us, *this, tag, node, arg0, arg1);
  }

  WorldContext& world_;
  Prng prng_;
  WorkloadOptions options_;
  check::Durability& durability_;
  History history_;
  std::vector<ClientState> clients_;
  std::vector<ClientOp> ops_;
  std::uint64_t ops_ok_ = 0;
};

}  // namespace quorum::sim
