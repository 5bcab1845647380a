// ApiHost: what the HTTP API's request handling (api.cc) needs of the node it answers for, as a
// narrow interface, so that the handlers can be driven without a NodeHost and a TcpTransport
// (fuzz/http_api_fuzz.cc drives them with a fake). The daemon implements it with NodeHostApi,
// which forwards to its NodeHost and TcpTransport. Tools layer; io thread only.
#pragma once

#include <optional>
#include <string>

#include "adapters/net/tcp_transport.h"
#include "engine/core/base/types.h"
#include "engine/core/ownership/may_act.h"
#include "engine/host/app_command.h"
#include "engine/host/client_reply.h"
#include "engine/host/node_host.h"

namespace quorum::quorumd {

// The node's Raft view, copied out when a handler starts.
struct ApiNodeStatus {
  raft::Role role = raft::Role::kFollower;
  Term term = 0;
  NodeId leader_id = kNoNode;
  LogIndex commit_index = 0;
  LogIndex applied_index = 0;
  LogIndex last_index = 0;
};

class ApiHost {
 public:
  virtual ~ApiHost() = default;

  virtual ApiNodeStatus node() const = 0;
  // The replicated state machines (this node's copy, possibly stale on a follower).
  virtual const host::AppState& state() const = 0;
  // As NodeHost: `done` is called exactly once, possibly later (on the io thread).
  virtual void read(host::ReplyFn done) = 0;
  virtual void propose(host::AppCommand command, host::ReplyFn done) = 0;
  virtual raft::RequestResult transfer_leadership(NodeId target) = 0;
  virtual raft::RequestResult step_down() = 0;
  // The controller pool (NodeHost::may_act at the clock's reading now).
  virtual ownership::MayAct may_act(ownership::ClusterId cluster) const = 0;
  virtual const ownership::DriverStats& ownership_driver_stats() const = 0;
  // NodeHost::may_act_holding / drop_guard_hold (guard holds of local `quorumctl run`). The
  // defaults record no hold (fakes need not override them).
  virtual host::NodeHost::HeldMayAct may_act_holding(ownership::ClusterId cluster, const std::string&,
                                                     Ticks) {
    host::NodeHost::HeldMayAct out;
    out.answer = may_act(cluster);
    return out;
  }
  virtual bool drop_guard_hold(ownership::ClusterId, const std::string&) { return false; }
  virtual std::size_t guard_holds() const { return 0; }
  // The clock's reading now in ticks (NodeHost::clock_now_ticks), this node's own session, and
  // (leader only) what it knows of a member's session. The defaults describe a node without
  // sessions (fakes need not override them).
  virtual Ticks clock_now_ticks() const { return 0; }
  virtual raft::Session session() const { return raft::Session{}; }
  virtual std::optional<raft::PeerSession> peer_session(NodeId) const { return std::nullopt; }
  virtual const host::HostStats& stats() const = 0;
  // The peer transport: whether a connection to `peer` is up, and its counters.
  virtual bool peer_connected(NodeId peer) const = 0;
  virtual adapters::TransportCounters transport_counters() const = 0;
};

// The daemon's ApiHost. References live as long as the daemon.
class NodeHostApi final : public ApiHost {
 public:
  NodeHostApi(host::NodeHost& host, adapters::TcpTransport& transport)
      : host_(host), transport_(transport) {}

  ApiNodeStatus node() const override;
  const host::AppState& state() const override { return host_.state(); }
  void read(host::ReplyFn done) override { host_.read(std::move(done)); }
  void propose(host::AppCommand command, host::ReplyFn done) override {
    host_.propose(std::move(command), std::move(done));
  }
  raft::RequestResult transfer_leadership(NodeId target) override {
    return host_.transfer_leadership(target);
  }
  raft::RequestResult step_down() override { return host_.step_down(); }
  ownership::MayAct may_act(ownership::ClusterId cluster) const override {
    return host_.may_act(cluster);
  }
  const ownership::DriverStats& ownership_driver_stats() const override {
    return host_.ownership_driver_stats();
  }
  host::NodeHost::HeldMayAct may_act_holding(ownership::ClusterId cluster, const std::string& holder,
                                             Ticks hold_ticks) override {
    return host_.may_act_holding(cluster, holder, hold_ticks);
  }
  bool drop_guard_hold(ownership::ClusterId cluster, const std::string& holder) override {
    return host_.drop_guard_hold(cluster, holder);
  }
  std::size_t guard_holds() const override { return host_.guard_holds(); }
  Ticks clock_now_ticks() const override { return host_.clock_now_ticks(); }
  raft::Session session() const override { return host_.node().session(); }
  std::optional<raft::PeerSession> peer_session(NodeId peer) const override {
    const raft::PeerSession* session = host_.node().peer_session(peer);
    return session != nullptr ? std::optional<raft::PeerSession>(*session) : std::nullopt;
  }
  const host::HostStats& stats() const override { return host_.stats(); }
  bool peer_connected(NodeId peer) const override { return transport_.connected(peer); }
  adapters::TransportCounters transport_counters() const override { return transport_.counters(); }

 private:
  host::NodeHost& host_;
  adapters::TcpTransport& transport_;
};

}  // namespace quorum::quorumd
