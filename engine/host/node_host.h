// NodeHost: owns one raft::Node and drives it through the ports. The same code runs in quorumd
// (Asio coroutine, RocksDB, TCP) and in the simulator (fiber, simulated disk and network).
//
// The loop (run()): wait for input or the next tick deadline -> feed the core -> for each Ready:
// send, persist, send what needed persistence, apply, advance. Persist-before-promise is the
// Ready contract (engine/core/raft/ready.h) executed by ready_handler.cc.
//
// Thread safety: every method is called on the host's executor (see ports/executor.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/core/base/mutation.h"
#include "engine/core/base/prng.h"
#include "engine/core/base/status.h"
#include "engine/core/config_sync/command.h"
#include "engine/core/config_sync/state_machine.h"
#include "engine/core/raft/config.h"
#include "engine/core/raft/node.h"
#include "engine/host/ports/backend.h"
#include "engine/host/ports/clock.h"
#include "engine/host/ports/executor.h"
#include "engine/host/ports/storage.h"
#include "engine/host/ports/transport.h"

namespace quorum::host {

struct HostConfig {
  raft::RaftConfig raft;
  // Wall (or simulated) time per core tick.
  std::uint64_t tick_interval_ms = 10;
  // Configured peers: used only when storage holds no membership yet.
  raft::Membership bootstrap;
  // Take a snapshot and compact the log after this many applied entries.
  std::uint64_t snapshot_interval_entries = 1000;
  // Planted host bugs (ack-before-persist, apply-before-commit); see base/mutation.h.
  Mutation mutation = Mutation::kNone;
};

struct Ports {
  Transport& transport;
  Clock& clock;
  Storage& storage;
  Executor& executor;
  Backend* backend = nullptr;  // optional until the Galera issue
};

// Outcome of a client request (config change or read) as the host can tell it.
struct ClientReply {
  enum class Code : std::uint8_t {
    kOk,                  // committed and applied (apply result in `apply`), or read served
    kNotLeader,           // leader_hint names the leader if known: redirect there
    kTransferInProgress,  // retry shortly
    kLost,                // the entry was overwritten by a new leader: not applied
    kRejected,            // refused before replication (too large, busy); reason says why
    kStopped,             // the host stopped or fail-stopped before an answer was known
  };
  Code code = Code::kOk;
  NodeId leader_hint = kNoNode;
  LogIndex index = 0;
  config_sync::ApplyResult apply;
  std::string reason;
};

using ReplyFn = std::function<void(const ClientReply&)>;

class NodeHost {
 public:
  NodeHost(HostConfig config, Ports ports, Prng prng);
  ~NodeHost();
  NodeHost(const NodeHost&) = delete;
  NodeHost& operator=(const NodeHost&) = delete;

  // Loads persisted state and restores the state machines. Must succeed before run().
  Status start();
  // The task body: returns after stop(), or after a storage failure (see failure()).
  void run();
  void stop();
  // Non-ok once the host fail-stopped (a persist failed: nothing more may be promised).
  const Status& failure() const;

  // Inputs from the transport and from clients. Each queues and notifies the executor.
  void deliver(raft::Message message);
  void propose_config(config_sync::Command command, ReplyFn done);
  // Linearizable read of the config map: done(kOk) once the leader confirmed its leadership and
  // applied through the read index; then config_files() is current.
  void read_config(ReplyFn done);
  raft::RequestResult transfer_leadership(NodeId target);
  raft::RequestResult step_down();

  // Observers and hooks (the simulator's checkers and quorumd's logs and metrics use these).
  const raft::Node& node() const;
  const config_sync::StateMachine& config_files() const;
  void on_role_change(std::function<void(const raft::SoftState&)> fn);
  void on_trace(std::function<void(const raft::TraceEvent&)> fn);
  void on_apply(std::function<void(const raft::Entry&)> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quorum::host
