// LocalCluster: quorumd processes on loopback for quorum-bench (a trimmed sibling of the
// integration tests' harness, without gtest). Tools layer.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/base/types.h"
#include "tools/quorumctl/http_client.h"
#include "tools/quorumd/api.pb.h"

namespace quorum::bench {

class LocalCluster {
 public:
  LocalCluster(int nodes, std::uint64_t election_timeout_ms, std::uint64_t heartbeat_interval_ms);
  ~LocalCluster();  // SIGKILLs every node, removes the temp dir
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  bool start(NodeId id);
  void kill(NodeId id);  // SIGKILL and reap
  std::optional<api::Status> status(NodeId id) const;
  // The leader every running node agrees on, kNoNode on timeout.
  NodeId wait_leader(std::chrono::milliseconds timeout) const;
  std::vector<NodeId> ids() const;
  std::vector<NodeId> running() const;
  std::string api_address(NodeId id) const;
  std::uint16_t http_port(NodeId id) const { return http_ports_.at(id); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::map<NodeId, std::uint16_t> raft_ports_;
  std::map<NodeId, std::uint16_t> http_ports_;
  std::map<NodeId, pid_t> pids_;
};

std::uint16_t free_port();

}  // namespace quorum::bench
