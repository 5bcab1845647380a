#include "tools/quorum-bench/local_cluster.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

extern char** environ;  // NOLINT

namespace quorum::bench {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

LocalCluster::LocalCluster(int nodes, std::uint64_t election_timeout_ms,
                           std::uint64_t heartbeat_interval_ms) {
  char pattern[] = "/tmp/quorum-bench.XXXXXX";
  const char* made = ::mkdtemp(pattern);
  dir_ = made != nullptr ? made : "/tmp/quorum-bench";
  for (int i = 1; i <= nodes; ++i) {
    raft_ports_[static_cast<NodeId>(i)] = free_port();
    http_ports_[static_cast<NodeId>(i)] = free_port();
  }
  std::string peers;
  for (const auto& [id, port] : raft_ports_) {
    if (!peers.empty()) peers += ", ";
    peers += fmt::format("{}@ctl{}@127.0.0.1:{}:{}", id, id, port, http_ports_[id]);
  }
  for (const auto& [id, port] : raft_ports_) {
    std::filesystem::create_directories(fmt::format("{}/n{}", dir_, id));
    std::ofstream out(fmt::format("{}/n{}/quorumd.cnf", dir_, id));
    out << fmt::format(
        "node_id = {}\ncluster_id = \"bench\"\nraft_port = {}\nhttp_port = {}\npeers = {}\n"
        "data_dir = {}/n{}/data\nconfig_dir = {}/n{}/config\nheartbeat_interval_ms = {}\n"
        "election_timeout_ms = {}\nlog_level = warn\n",
        id, port, http_ports_[id], peers, dir_, id, dir_, id, heartbeat_interval_ms, election_timeout_ms);
  }
}

LocalCluster::~LocalCluster() {
  for (auto& [id, pid] : pids_) {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool LocalCluster::start(NodeId id) {
  const std::string config = fmt::format("{}/n{}/quorumd.cnf", dir_, id);
  const std::string log = fmt::format("{}/n{}/quorumd.log", dir_, id);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string binary = QUORUMD_PATH;
  std::string flag = "--config";
  std::string path = config;
  std::vector<char*> argv = {binary.data(), flag.data(), path.data(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  pids_[id] = pid;
  return true;
}

void LocalCluster::kill(NodeId id) {
  auto it = pids_.find(id);
  if (it == pids_.end() || it->second <= 0) return;
  ::kill(it->second, SIGKILL);
  ::waitpid(it->second, nullptr, 0);
  it->second = -1;
}

std::string LocalCluster::api_address(NodeId id) const {
  return fmt::format("127.0.0.1:{}", http_ports_.at(id));
}

std::vector<NodeId> LocalCluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, port] : raft_ports_) out.push_back(id);
  return out;
}

std::vector<NodeId> LocalCluster::running() const {
  std::vector<NodeId> out;
  for (const auto& [id, pid] : pids_) {
    if (pid > 0) out.push_back(id);
  }
  return out;
}

std::optional<api::Status> LocalCluster::status(NodeId id) const {
  quorumctl::ClientOptions options;
  options.hosts = {api_address(id)};
  options.wait_for_leader = std::chrono::milliseconds(0);
  options.io_timeout = std::chrono::milliseconds(2000);
  Result<quorumctl::HttpReply> reply = quorumctl::http_request(options, "GET", "/v1/status", "");
  if (!reply || reply->status != 200) return std::nullopt;
  api::Status status;
  if (!google::protobuf::util::JsonStringToMessage(reply->body, &status).ok()) return std::nullopt;
  return status;
}

NodeId LocalCluster::wait_leader(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    NodeId seen = kNoNode;
    bool agreed = true;
    for (NodeId id : running()) {
      std::optional<api::Status> s = status(id);
      if (!s || s->leader_id() == kNoNode || (seen != kNoNode && s->leader_id() != seen)) {
        agreed = false;
        break;
      }
      seen = s->leader_id();
    }
    if (agreed && seen != kNoNode) {
      std::optional<api::Status> s = status(seen);
      if (s && s->role() == "leader") return seen;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return kNoNode;
}

}  // namespace quorum::bench
