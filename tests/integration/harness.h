// TestCluster: real quorumd processes on loopback for the integration tests. Each node gets
// kernel-chosen free ports, its own data and config directories under a fresh temp dir, and a
// log file. Every wait is a wall-clock poll with a deadline (real processes, real time).
// Tests layer: may use anything.
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

namespace quorum::integration {

struct ClusterOptions {
  int nodes = 3;
  std::uint64_t election_timeout_ms = 500;
  std::uint64_t heartbeat_interval_ms = 50;
  std::string cluster_id = "itest";
  // Generate a CA, node certificates and an "admin" client certificate with the openssl CLI:
  // peers talk TLS and the API is HTTPS (request() presents the admin certificate).
  bool tls = false;
  // The controller pool: every node registers itself (pool_register) with this session lease.
  // Off by default, so the other tests' logs hold no pool entries (registrations, activations).
  bool pool = false;
  std::uint64_t session_lease_ms = 1000;
  // Per-node extra lines appended to quorumd.cnf (id -> text).
  std::map<NodeId, std::string> extra_config;
  // Members that are not quorumd processes (id -> peer port on 127.0.0.1, no API): a test
  // plays them with raw sockets. They count for the majority like any voter.
  std::map<NodeId, std::uint16_t> phantom_peers;
};

struct NodeInfo {
  NodeId id = kNoNode;
  std::uint16_t raft_port = 0;   // where it listens for peers
  std::uint16_t peer_port = 0;   // where the others dial it (raft_port unless a proxy sits between)
  std::uint16_t http_port = 0;
  pid_t pid = -1;
};

class TestCluster {
 public:
  explicit TestCluster(ClusterOptions options);
  ~TestCluster();  // SIGKILLs what is still running, removes the temp dir unless a test failed
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  // Writes every quorumd.cnf (call again after changing peer ports) and starts the nodes.
  void write_configs();
  void start(NodeId id);
  void start_all();
  void kill(NodeId id, int signal_number);
  // Waits for the process to exit; returns its exit status (as waitpid) or nullopt on timeout.
  std::optional<int> wait_exit(NodeId id, std::chrono::milliseconds timeout);
  bool running(NodeId id) const { return nodes_.at(id).pid > 0; }

  // GET /v1/status of that node only (no redirect); nullopt if it does not answer.
  std::optional<api::Status> status(NodeId id) const;
  // The leader that every node of `among` agrees on; kNoNode if none within the timeout.
  NodeId wait_leader(const std::vector<NodeId>& among, std::chrono::milliseconds timeout) const;
  std::vector<NodeId> ids() const;

  // One HTTP request to `id` (or, with follow, to whoever it redirects to).
  Result<quorumctl::HttpReply> request(NodeId id, const std::string& method, const std::string& target,
                                       const std::string& body = "", bool follow = true) const;
  std::string api_address(NodeId id) const;
  // The controller pool (ClusterOptions::pool): GET /v1/ownership/may-act on that node only
  // (never redirected); nullopt if there is no (200) answer.
  std::optional<api::MayAct> may_act(NodeId id, const std::string& cluster) const;
  // The value of the un-labelled metric `name` in `id`'s /metrics, or "" if absent/unreachable.
  std::string metric(NodeId id, const std::string& name) const;
  // The client TLS files request() uses for `id` (tls clusters): by default the cluster CA and
  // the admin certificate; a test may override them per node.
  quorumctl::ClientTls client_tls(NodeId id) const;
  void set_client_tls(NodeId id, quorumctl::ClientTls tls) { client_tls_[id] = std::move(tls); }
  bool tls() const { return options_.tls; }

  NodeInfo& node(NodeId id) { return nodes_.at(id); }
  // Node `from` dials node `to` at `port` (a fault-proxy link) instead of to's raft port.
  // Takes effect at the next write_configs().
  void set_dial_port(NodeId from, NodeId to, std::uint16_t port) { dial_ports_[{from, to}] = port; }
  const std::string& dir() const { return dir_; }
  std::string data_dir(NodeId id) const;
  std::string config_dir(NodeId id) const;
  std::string log_text(NodeId id) const;
  // Content of a materialised config file, nullopt if absent.
  std::optional<std::string> config_file(NodeId id, const std::string& path) const;

  // The controller pool (/v1/ownership/..., through `via`, following it to the leader);
  // nullopt if no answer or not 200.
  std::optional<api::PoolClusterList> pool_clusters(NodeId via) const;
  std::optional<api::PoolControllerList> pool_controllers(NodeId via) const;
  // GET /v1/controllers/history (through `via`, to the leader; with local, `via`'s own copy).
  std::optional<api::LeaderHistory> leader_history(NodeId via, bool local = false) const;
  // POST /v1/ownership/clusters {"name": NAME}: true once committed and applied.
  bool add_pool_cluster(NodeId via, const std::string& name) const;

 private:
  void make_tls_files();

  ClusterOptions options_;
  std::string dir_;
  std::map<NodeId, NodeInfo> nodes_;
  std::map<std::pair<NodeId, NodeId>, std::uint16_t> dial_ports_;
  std::map<NodeId, quorumctl::ClientTls> client_tls_;
};

// The storage helper's tools/fault-proxy as a child process: one link per dialling direction
// (the lower id dials, adapters/net/tcp_transport.h), driven through its control port.
class FaultProxy {
 public:
  // Starts the proxy with a link from->to for every pair from < to of the cluster and points
  // the cluster's dial ports at it. Call before TestCluster::start_all().
  explicit FaultProxy(TestCluster& cluster);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  bool ok() const { return control_port_ != 0; }
  // "cut 1 2", "heal", ...: true if the proxy answered ok.
  bool command(const std::string& text) const;

 private:
  pid_t pid_ = -1;
  std::uint16_t control_port_ = 0;
};

// `bash -c SCRIPT` in the background, in a process group of its own, stdout and stderr
// appended to `log_path`; stop() and the destructor SIGKILL the whole group. (The guard loops of
// the ownership tests: the shim of each `quorumctl run` takes its COMMAND's group down with it.)
class BackgroundShell {
 public:
  BackgroundShell(const std::string& script, const std::string& log_path);
  ~BackgroundShell() { stop(); }
  BackgroundShell(const BackgroundShell&) = delete;
  BackgroundShell& operator=(const BackgroundShell&) = delete;
  bool ok() const { return pid_ > 0; }
  void stop();

 private:
  pid_t pid_ = -1;
};

// Polls `done` every 20 ms until true or the timeout; returns the last value.
bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done);
// A port the kernel considered free a moment ago.
std::uint16_t free_port();
// Runs a shell command; returns its exit status.
int shell(const std::string& command);

struct CommandResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};
// Runs the quorumctl binary with `args` (already shell-quoted where needed); `env`
// ("EDITOR='sed -i s/a/b/'") is set for it, `wrapper` ("timeout 3") runs it.
CommandResult run_quorumctl(const std::string& args, const std::string& scratch_dir,
                            const std::string& env = "", const std::string& wrapper = "");
// The quorumctl binary under test.
std::string quorumctl_path();

}  // namespace quorum::integration
