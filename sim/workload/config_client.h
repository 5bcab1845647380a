// Simulated config clients (the workload). Each client runs one operation at a time against the
// replicated config map: put, compare-and-set (against the version it last saw), read or delete
// of a few shared keys. It sends to the controller it believes leads, follows kNotLeader
// redirects (same operation: it provably did not take effect), retries after
// kTransferInProgress, and gives up after timeout_us (outcome unknown). Every operation is
// recorded in the judge's History (sim/history/history.h) for the linearizability check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/base/prng.h"
#include "engine/host/client_reply.h"
#include "sim/history/history.h"

namespace quorum::sim {

struct WorkloadOptions {
  std::size_t clients = 4;
  std::size_t keys = 4;
  std::uint64_t ops_per_second = 50;  // all clients together, roughly
  std::uint64_t timeout_us = 3'000'000;
};

struct ClientOp {
  OpId history_id = 0;
  std::uint32_t client = 0;
  OpKind kind = OpKind::kRead;
  std::string key;
  std::string value;
  LogIndex expected_version = 0;
  std::uint32_t attempt = 0;  // bumped on every (re)send; stale replies carry an older one
  NodeId target = kNoNode;
  bool done = false;
  // Stashed by the host callback, consumed by the reply event.
  host::ClientReply reply;
  bool read_found = false;
  std::string read_value;
  LogIndex read_version = 0;
};

struct ClientState {
  NodeId leader_guess = kNoNode;
  std::vector<LogIndex> known_version;  // per key
  std::uint32_t current_op = 0;         // slot in ops, valid while busy
  bool busy = false;
  std::uint64_t ops_issued = 0;
};

// Picks the next operation for a client (pure given the PRNG).
ClientOp draw_op(Prng& prng, std::uint32_t client, const ClientState& state,
                 const WorkloadOptions& options, std::uint64_t sequence);
std::string key_name(std::size_t key);

}  // namespace quorum::sim
