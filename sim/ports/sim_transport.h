// SimTransport: the Transport port of one simulated node. send() hands the message to the
// World's network (latency, loss, duplication, partitions, codec round trip); deliveries come
// back as NodeHost::deliver() calls from the event loop. Never blocks, never fails.
#pragma once

#include "engine/host/ports/transport.h"

namespace quorum::sim {

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void send(NodeId from, const raft::Message& message) = 0;
};

class SimTransport final : public host::Transport {
 public:
  SimTransport(NodeId node, PacketSink& sink) : node_(node), sink_(sink) {}
  void send(const raft::Message& message) override { sink_.send(node_, message); }

 private:
  NodeId node_;
  PacketSink& sink_;
};

}  // namespace quorum::sim
