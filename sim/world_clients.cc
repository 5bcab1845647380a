// World: the simulated config clients (sim/workload/config_client.h) and their network legs.
#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "sim/world.h"
#include "sim/world_internal.h"

namespace quorum::sim {

namespace {
config_sync::Command command_of(const ClientOp& op) {
  switch (op.kind) {
    case OpKind::kPut: return config_sync::Put{op.key, op.value};
    case OpKind::kCas: return config_sync::PutIfVersion{op.key, op.value, op.expected_version};
    case OpKind::kDelete: return config_sync::Delete{op.key};
    case OpKind::kRead: break;
  }
  QUORUM_UNREACHABLE();
}
}  // namespace

void World::client_next(std::uint32_t client) {
  ClientState& c = clients_[client];
  if (healed_ || c.busy) return;  // the quiet period issues no new operations
  ClientOp op = draw_op(client_prng_, client, c, workload_, c.ops_issued++);
  op.history_id = history_.invoke(client, op.key, op.kind, op.value, op.expected_version, now_us());
  const std::uint32_t slot = static_cast<std::uint32_t>(ops_.size());
  ops_.push_back(std::move(op));
  c.busy = true;
  c.current_op = slot;
  const NodeId target = c.leader_guess != kNoNode
                            ? c.leader_guess
                            : client_prng_.uniform(1, config_.node_count + 1);
  trace_.event(now_us(), target, TraceKind::kClientInvoke, client, slot);
  if (trace_.recording()) {
    trace_.line(now_us(), target, TraceKind::kClientInvoke,
                fmt::format("c{} {} {} {}", client, op_kind_name(ops_[slot].kind), ops_[slot].key,
                            ops_[slot].value));
  }
  queue_.push(now_us() + workload_.timeout_us, kClientTimeout, 0, slot, 0);
  client_send(slot, target);
}

void World::client_send(std::uint32_t op_slot, NodeId node) {
  ClientOp& op = ops_[op_slot];
  ++op.attempt;
  op.target = node;
  queue_.push(now_us() + network_.client_delay_us(node, client_prng_), kClientArrive,
              static_cast<std::uint32_t>(node), op_slot, op.attempt);
}

void World::client_arrive(NodeId node, std::uint32_t op_slot, std::uint32_t attempt) {
  NodeSlot& s = *nodes_[node];
  if (!s.up || s.host == nullptr) return;  // connection refused: the client times out
  const ClientOp& op = ops_[op_slot];
  auto done = [this, node, op_slot, attempt](const host::ClientReply& reply) {
    stash_reply(node, op_slot, attempt, reply);
  };
  if (op.kind == OpKind::kRead) {
    s.host->read_config(done);
  } else {
    s.host->propose_config(command_of(op), done);
  }
}

void World::stash_reply(NodeId node, std::uint32_t op_slot, std::uint32_t attempt,
                        const host::ClientReply& reply) {
  ClientOp& op = ops_[op_slot];
  if (op.done || op.attempt != attempt) return;
  op.reply = reply;
  if (op.kind == OpKind::kRead && reply.code == host::ClientReply::Code::kOk) {
    const host::NodeHost* h = nodes_[node]->host.get();
    const config_sync::FileEntry* f = h == nullptr ? nullptr : h->config_files().find(op.key);
    op.read_found = f != nullptr;
    op.read_value = f != nullptr ? f->content : std::string();
    op.read_version = f != nullptr ? f->version : 0;
  }
  if (reply.code == host::ClientReply::Code::kOk && op.kind != OpKind::kRead &&
      reply.apply.code == config_sync::ApplyResult::Code::kApplied) {
    durability_.on_ack(now_us(), node, reply.index);
  }
  queue_.push(now_us() + network_.client_delay_us(node, client_prng_), kClientReply, 0, op_slot,
              attempt);
}

void World::client_reply(std::uint32_t op_slot, std::uint32_t attempt) {
  ClientOp& op = ops_[op_slot];
  if (op.done || op.attempt != attempt) return;
  const host::ClientReply& r = op.reply;
  ClientState& c = clients_[op.client];
  using Code = host::ClientReply::Code;
  trace_.event(now_us(), op.target, TraceKind::kClientReply, op_slot, static_cast<std::uint64_t>(r.code),
               r.index);
  if (trace_.recording()) {
    trace_.line(now_us(), op.target, TraceKind::kClientReply,
                fmt::format("c{} {} {} -> {} index={} version={} {}", op.client,
                            op_kind_name(op.kind), op.key, host::client_reply_code_name(r.code),
                            r.index, r.apply.version, r.reason));
  }
  switch (r.code) {
    case Code::kNotLeader:
      if (r.leader_hint != kNoNode && r.leader_hint != op.target) {
        probes_.hit(Probe::kClientRedirected);
        c.leader_guess = r.leader_hint;
        client_send(op_slot, r.leader_hint);
      } else {
        c.leader_guess = kNoNode;
        const NodeId next = op.target % config_.node_count + 1;
        op.target = next;
        ++op.attempt;
        queue_.push(now_us() + 50'000, kClientArrive, static_cast<std::uint32_t>(next), op_slot,
                    op.attempt);
      }
      return;
    case Code::kTransferInProgress:
      ++op.attempt;
      queue_.push(now_us() + 50'000, kClientArrive, static_cast<std::uint32_t>(op.target), op_slot,
                  op.attempt);
      return;
    case Code::kOk: {
      c.leader_guess = op.target;
      const std::size_t key = static_cast<std::size_t>(op.key[5] - '0');
      if (op.kind == OpKind::kRead) {
        history_.complete_read(op.history_id, now_us(), op.read_found, op.read_value,
                               op.read_version);
        c.known_version[key] = op.read_version;
      } else if (r.apply.code == config_sync::ApplyResult::Code::kApplied) {
        history_.complete_write_ok(op.history_id, now_us(), r.index);
        c.known_version[key] = op.kind == OpKind::kDelete ? 0 : r.index;
        ++client_ops_ok_;
      } else if (r.apply.code == config_sync::ApplyResult::Code::kVersionMismatch) {
        history_.complete_failed(op.history_id, now_us(), Failure::kVersionMismatch, r.apply.version);
        c.known_version[key] = r.apply.version;
      } else if (r.apply.code == config_sync::ApplyResult::Code::kNotFound) {
        history_.complete_failed(op.history_id, now_us(), Failure::kNotFound);
      } else {
        history_.complete_failed(op.history_id, now_us(), Failure::kRejected);
      }
      break;
    }
    case Code::kLost:
    case Code::kRejected:
      history_.complete_failed(op.history_id, now_us(), Failure::kRejected);
      break;
    case Code::kStopped:
    case Code::kUnknown:
      if (op.kind == OpKind::kRead) {
        history_.complete_failed(op.history_id, now_us(), Failure::kRejected);
      } else {
        history_.complete_unknown(op.history_id, now_us());
      }
      c.leader_guess = kNoNode;
      break;
  }
  client_complete(op);
}

void World::client_timeout(std::uint32_t op_slot, std::uint32_t /*attempt*/) {
  ClientOp& op = ops_[op_slot];
  if (op.done) return;
  trace_.event(now_us(), op.target, TraceKind::kClientTimeout, op_slot);
  trace_.line(now_us(), op.target, TraceKind::kClientTimeout,
              fmt::format("c{} {} {} timed out", op.client, op_kind_name(op.kind), op.key));
  history_.complete_unknown(op.history_id, now_us());
  clients_[op.client].leader_guess = kNoNode;
  client_complete(op);
}

void World::client_complete(ClientOp& op) {
  op.done = true;
  ClientState& c = clients_[op.client];
  c.busy = false;
  const std::uint64_t mean_gap_us =
      workload_.ops_per_second == 0 ? 1'000'000 : workload_.clients * 1'000'000 / workload_.ops_per_second;
  queue_.push(now_us() + client_prng_.uniform(0, 2 * mean_gap_us + 1), kClientNext, 0, op.client);
}

}  // namespace quorum::sim

namespace quorum::sim {

bool World::propose(NodeId node, config_sync::Command command, host::ReplyFn done) {
  NodeSlot& s = *nodes_[node];
  if (!s.up || s.host == nullptr) return false;
  s.host->propose_config(std::move(command), std::move(done));
  return true;
}

}  // namespace quorum::sim
