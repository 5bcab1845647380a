// ClientWorkload (client_workload.h): the config clients and their network legs.
#include "sim/workload/client_workload.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "engine/host/node_host.h"
#include "sim/coverage/probes.h"
#include "sim/network/network.h"
#include "sim/trace/trace.h"

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

void ClientWorkload::on_begin(std::uint64_t /*time_us*/) {
  clients_.resize(options_.clients);
  for (std::uint32_t c = 0; c < clients_.size(); ++c) {
    clients_[c].known_version.assign(options_.keys, 0);
    at(500'000 + prng_.uniform(0, 500'000), kNext, kNoNode, c);
  }
}

void ClientWorkload::on_timer(std::uint64_t /*time_us*/, std::uint32_t tag, NodeId node,
                              std::uint64_t arg0, std::uint64_t arg1) {
  const auto slot = static_cast<std::uint32_t>(arg0);
  const auto attempt = static_cast<std::uint32_t>(arg1);
  switch (static_cast<Tag>(tag)) {
    case kNext: next(slot); return;
    case kArrive: arrive(node, slot, attempt); return;
    case kReply: reply(slot, attempt); return;
    case kTimeout: timeout(slot); return;
  }
  QUORUM_UNREACHABLE();
}

void ClientWorkload::next(std::uint32_t client) {
  ClientState& c = clients_[client];
  if (world_.healed() || c.busy) return;  // the quiet period issues no new operations
  ClientOp op = draw_op(prng_, client, c, options_, c.ops_issued++);
  const std::uint64_t now = world_.now_us();
  op.history_id = history_.invoke(client, op.key, op.kind, op.value, op.expected_version, now);
  const std::uint32_t slot = static_cast<std::uint32_t>(ops_.size());
  ops_.push_back(std::move(op));
  c.busy = true;
  c.current_op = slot;
  const NodeId target =
      c.leader_guess != kNoNode ? c.leader_guess : prng_.uniform(1, world_.node_count() + 1);
  Trace& trace = world_.trace();
  trace.event(now, target, TraceKind::kClientInvoke, client, slot);
  if (trace.recording()) {
    trace.line(now, target, TraceKind::kClientInvoke,
               fmt::format("c{} {} {} {}", client, op_kind_name(ops_[slot].kind), ops_[slot].key,
                           ops_[slot].value));
  }
  at(now + options_.timeout_us, kTimeout, kNoNode, slot, 0);
  send(slot, target);
}

void ClientWorkload::send(std::uint32_t op_slot, NodeId node) {
  ClientOp& op = ops_[op_slot];
  ++op.attempt;
  op.target = node;
  at(world_.now_us() + world_.network().client_delay_us(node, prng_), kArrive, node, op_slot,
     op.attempt);
}

void ClientWorkload::arrive(NodeId node, std::uint32_t op_slot, std::uint32_t attempt) {
  host::NodeHost* h = world_.live_host(node);
  if (h == nullptr) return;  // connection refused: the client times out
  const ClientOp& op = ops_[op_slot];
  auto done = [this, node, op_slot, attempt](const host::ClientReply& reply) {
    stash_reply(node, op_slot, attempt, reply);
  };
  if (op.kind == OpKind::kRead) {
    h->read(done);
  } else {
    h->propose(command_of(op), done);
  }
}

void ClientWorkload::stash_reply(NodeId node, std::uint32_t op_slot, std::uint32_t attempt,
                                 const host::ClientReply& reply) {
  ClientOp& op = ops_[op_slot];
  if (op.done || op.attempt != attempt) return;
  op.reply = reply;
  if (op.kind == OpKind::kRead && reply.code == host::ClientReply::Code::kOk) {
    const host::NodeHost* h = world_.live_host(node);
    const config_sync::FileEntry* f = h == nullptr ? nullptr : h->state().config.find(op.key);
    op.read_found = f != nullptr;
    op.read_value = f != nullptr ? f->content : std::string();
    op.read_version = f != nullptr ? f->version : 0;
  }
  const auto* applied = std::get_if<config_sync::ApplyResult>(&reply.result);
  if (reply.code == host::ClientReply::Code::kOk && op.kind != OpKind::kRead &&
      applied != nullptr && applied->code == config_sync::ApplyResult::Code::kApplied) {
    durability_.on_ack(world_.now_us(), node, reply.index);
  }
  at(world_.now_us() + world_.network().client_delay_us(node, prng_), kReply, kNoNode, op_slot,
     attempt);
}

void ClientWorkload::reply(std::uint32_t op_slot, std::uint32_t attempt) {
  ClientOp& op = ops_[op_slot];
  if (op.done || op.attempt != attempt) return;
  const host::ClientReply& r = op.reply;
  // The workload proposes config commands only: a kOk write carries the config family's result.
  const auto* applied = std::get_if<config_sync::ApplyResult>(&r.result);
  ClientState& c = clients_[op.client];
  using Code = host::ClientReply::Code;
  const std::uint64_t now = world_.now_us();
  Trace& trace = world_.trace();
  trace.event(now, op.target, TraceKind::kClientReply, op_slot, static_cast<std::uint64_t>(r.code),
              r.index);
  if (trace.recording()) {
    trace.line(now, op.target, TraceKind::kClientReply,
               fmt::format("c{} {} {} -> {} index={} version={} {}", op.client,
                           op_kind_name(op.kind), op.key, host::client_reply_code_name(r.code),
                           r.index, applied != nullptr ? applied->version : 0, r.reason));
  }
  switch (r.code) {
    case Code::kNotLeader:
      if (r.leader_hint != kNoNode && r.leader_hint != op.target) {
        world_.probes().hit(Probe::kClientRedirected);
        c.leader_guess = r.leader_hint;
        send(op_slot, r.leader_hint);
      } else {
        c.leader_guess = kNoNode;
        const NodeId next_node = op.target % world_.node_count() + 1;
        op.target = next_node;
        ++op.attempt;
        at(now + 50'000, kArrive, next_node, op_slot, op.attempt);
      }
      return;
    case Code::kTransferInProgress:
      ++op.attempt;
      at(now + 50'000, kArrive, op.target, op_slot, op.attempt);
      return;
    case Code::kOk: {
      c.leader_guess = op.target;
      const std::size_t key = static_cast<std::size_t>(op.key[5] - '0');
      if (op.kind == OpKind::kRead) {
        history_.complete_read(op.history_id, now, op.read_found, op.read_value, op.read_version);
        c.known_version[key] = op.read_version;
      } else if (applied != nullptr && applied->code == config_sync::ApplyResult::Code::kApplied) {
        history_.complete_write_ok(op.history_id, now, r.index);
        c.known_version[key] = op.kind == OpKind::kDelete ? 0 : r.index;
        ++ops_ok_;
      } else if (applied != nullptr &&
                 applied->code == config_sync::ApplyResult::Code::kVersionMismatch) {
        history_.complete_failed(op.history_id, now, Failure::kVersionMismatch, applied->version);
        c.known_version[key] = applied->version;
      } else if (applied != nullptr && applied->code == config_sync::ApplyResult::Code::kNotFound) {
        history_.complete_failed(op.history_id, now, Failure::kNotFound);
      } else {
        history_.complete_failed(op.history_id, now, Failure::kRejected);
      }
      break;
    }
    case Code::kLost:
    case Code::kRejected:
    case Code::kRefused:  // a rule of the leader's (only Promote has one): never a config write
      history_.complete_failed(op.history_id, now, Failure::kRejected);
      break;
    case Code::kStopped:
    case Code::kUnknown:
      if (op.kind == OpKind::kRead) {
        history_.complete_failed(op.history_id, now, Failure::kRejected);
      } else {
        history_.complete_unknown(op.history_id, now);
      }
      c.leader_guess = kNoNode;
      break;
  }
  complete(op);
}

void ClientWorkload::timeout(std::uint32_t op_slot) {
  ClientOp& op = ops_[op_slot];
  if (op.done) return;
  const std::uint64_t now = world_.now_us();
  world_.trace().event(now, op.target, TraceKind::kClientTimeout, op_slot);
  world_.trace().line(now, op.target, TraceKind::kClientTimeout,
                      fmt::format("c{} {} {} timed out", op.client, op_kind_name(op.kind), op.key));
  history_.complete_unknown(op.history_id, now);
  clients_[op.client].leader_guess = kNoNode;
  complete(op);
}

void ClientWorkload::complete(ClientOp& op) {
  op.done = true;
  ClientState& c = clients_[op.client];
  c.busy = false;
  const std::uint64_t mean_gap_us = options_.ops_per_second == 0
                                        ? 1'000'000
                                        : options_.clients * 1'000'000 / options_.ops_per_second;
  at(world_.now_us() + prng_.uniform(0, 2 * mean_gap_us + 1), kNext, kNoNode, op.client);
}

}  // namespace quorum::sim
